/// Downsamples in two stages: an integer decimation by our own SIMD FIR (`PolyphaseDecimator`),
/// then libsamplerate (by default its best converter, SRC_SINC_BEST_QUALITY) for the remaining
/// fractional ratio. Output equals libsamplerate alone to within ≈ −100 dB (tested), at a fraction
/// of the cost.
///
/// Why it is cheaper: libsamplerate's sinc converters widen their filter by 1/ratio when they
/// downsample, so their cost per output sample is ≈ 286 / min(ratio, 1) taps for the best one
/// (≈ 35 instructions each, measured with callgrind): 44.1 → 8 kHz needs ≈ 1,600 taps per output
/// sample, 44.1/5 = 8.82 → 8 kHz only ≈ 315.
///
/// Why the result is the same: the best converter keeps 0 to ≈ 3.99 kHz of an 8 kHz output
/// (measured: −0.3 dB at 3.8 kHz, −95 dB at 3.99 kHz, below −150 dB from 4.0 kHz) and removes
/// everything from the output Nyquist `R/2` up. So the first stage
/// - passes 0…R/2 flat (Kaiser ripple ≈ 10^(−125/20) ≈ 6·10⁻⁷, far below −90 dB), so nothing
///   the converter would keep is changed;
/// - attenuates ≥ 125 dB from `F − R/2` (F = inputRate / D, the intermediate rate): whatever
///   lies above that would alias onto 0…R/2 at rate F, so it is removed before it can; what lies
///   between F/2 and F − R/2 aliases onto R/2…F/2, which the converter then removes.
/// The factor D is the largest that leaves a transition band F − R ≥ R/10 (at 44.1 → 8 kHz:
/// D = 5, F = 8,820 Hz, 820 Hz of transition, 441 taps; at 48 kHz: D = 5, F = 9,600 Hz, 251 taps).
/// When no D ≥ 2 fits (16 → 8 kHz, upsampling) libsamplerate runs alone.
public final class CascadeResampler {
    public let inputRate: Int
    public let outputRate: Int
    public let decimator: PolyphaseDecimator?
    public let resampler: Resampler
    public let maximumInputFrames: Int

    /// Input taken and output given since the start, to end on the length libsamplerate alone
    /// gives: round(inputCount × outputRate / inputRate).
    private var inputCount = 0
    private var outputCount = 0

    /// Intermediate buffers, allocated once.
    private let decimated: UnsafeMutableBufferPointer<Float>
    private let converted: UnsafeMutableBufferPointer<Float>

    /// The integer factor the first stage decimates by (1: none), per the rule above.
    public static func decimationFactor(inputRate: Int, outputRate: Int) -> Int {
        guard inputRate > outputRate, outputRate > 0 else { return 1 }
        var d = inputRate / outputRate
        // Transition band F − R ≥ R/10, with F = inputRate / d: 10·inputRate ≥ 11·d·R.
        while d >= 2 && 10 * inputRate < 11 * d * outputRate { d -= 1 }
        return max(d, 1)
    }

    /// The first stage for these rates, designed as described above; `nil` when the factor is 1.
    public static func firstStage(inputRate: Int, outputRate: Int, maximumInputFrames: Int) throws(Resampler.Failure) -> PolyphaseDecimator? {
        let d = decimationFactor(inputRate: inputRate, outputRate: outputRate)
        guard d >= 2 else { return nil }
        let intermediate = Double(inputRate) / Double(d)
        do {
            return try PolyphaseDecimator(
                factor: d, inputRate: inputRate, passband: Double(outputRate) / 2,
                stopband: intermediate - Double(outputRate) / 2, maximumInputFrames: maximumInputFrames)
        } catch {
            throw .library("first stage: \(error)")
        }
    }

    /// The last stage for a whole signal at once, cut into `lanes` consecutive pieces that
    /// libsamplerate converts side by side as the channels of one stream.
    ///
    /// Why: libsamplerate's sinc loop spends most of each tap on the filter position and the
    /// coefficient interpolation, which it shares between channels; its 4-channel path converts
    /// four samples for about a third of the instructions of four mono taps (callgrind, SINC_BEST,
    /// 8,820 → 8,000 Hz, 30 s: 2.62 G instructions mono, 0.84 G as 4 lanes). The converter and its
    /// filter are unchanged; only the bookkeeping is ours:
    /// - a piece starts at a multiple of P input samples, where the ratio is Q/P in lowest terms,
    ///   so its first output falls exactly on the global output grid (Q outputs per P inputs);
    /// - each piece carries `context` extra input samples (a multiple of P, longer than the
    ///   filter's half-span) on both sides, and the outputs computed from that context are
    ///   dropped, so every kept output saw the same input as in one long mono stream.
    /// `input` is at `inputRate`; the ratio is `outputRate / inputRate` (the rates may be scaled,
    /// e.g. 44,100 → 40,000 for 8,820 → 8,000). Returns about input.count × ratio samples (a few more
    /// at the end: the caller trims to the length it wants).
    public static func finalStage(
        _ input: [Float], inputRate: Int, outputRate: Int, quality: Resampler.Quality = .best, lanes requested: Int = 4
    ) throws(Resampler.Failure) -> [Float] {
        guard inputRate > 0, outputRate > 0 else { throw .invalidRates(input: inputRate, output: outputRate) }
        var g = inputRate, b = outputRate
        while b != 0 { (g, b) = (b, g % b) }
        let p = inputRate / g, q = outputRate / g
        let ratio = Double(q) / Double(p)
        // Half-span of SINC_BEST: 143 zero crossings, widened by 1/ratio when downsampling.
        let halfSpan = Int((150 / min(ratio, 1)).rounded(.up)) + 8
        let context = (halfSpan + p - 1) / p * p
        let m = input.count
        var lanes = max(1, requested)
        var length = ((m + lanes - 1) / lanes + p - 1) / p * p
        // Not worth it (or not possible) for a short signal or an awkward ratio: one mono stream.
        if length < 4 * context { lanes = 1; length = m }
        let pad = lanes == 1 ? 0 : context
        let frames = length + 2 * pad
        var interleaved = [Float](repeating: 0, count: frames * lanes)
        for k in 0..<lanes {
            let start = k * length - pad
            for j in max(0, -start)..<min(frames, m - start) { interleaved[j * lanes + k] = input[start + j] }
        }
        let chunk = 4096
        let r = try Resampler(inputRate: inputRate, outputRate: outputRate, channels: lanes, quality: quality, maximumInputFrames: chunk)
        var converted = [Float]()
        converted.reserveCapacity((Int(Double(frames) * ratio) + 64) * lanes)
        var buffer = [Float](repeating: 0, count: r.maximumOutputFrames * lanes)
        try interleaved.withUnsafeBufferPointer { (all) throws(Resampler.Failure) in
            var pos = 0
            while true {
                let n = min(chunk, frames - pos)
                let last = pos + n == frames
                let (c, produced) = try buffer.withUnsafeMutableBufferPointer { (out) throws(Resampler.Failure) in
                    try r.process(UnsafeBufferPointer(rebasing: all[(pos * lanes)..<((pos + n) * lanes)]), into: out, endOfInput: last)
                }
                pos += c
                converted.append(contentsOf: buffer[0..<(produced * lanes)])
                if produced == 0 && (c == 0 || (last && c == n)) {
                    if last { break }
                    throw .library("converter made no progress")
                }
            }
        }
        let producedFrames = converted.count / lanes
        if lanes == 1 { return converted }
        let first = pad / p * q, kept = length / p * q
        guard producedFrames >= first + kept else { throw .library("converter gave \(producedFrames) frames, \(first + kept) needed") }
        var out = [Float]()
        out.reserveCapacity(kept * lanes)
        for k in 0..<lanes {
            for j in first..<(first + kept) { out.append(converted[j * lanes + k]) }
        }
        return out
    }

    public init(
        inputRate: Int, outputRate: Int, quality: Resampler.Quality = .best, maximumInputFrames: Int = 16384
    ) throws(Resampler.Failure) {
        guard inputRate > 0, outputRate > 0, maximumInputFrames > 0 else {
            throw .invalidRates(input: inputRate, output: outputRate)
        }
        let d = Self.decimationFactor(inputRate: inputRate, outputRate: outputRate)
        decimator = try Self.firstStage(inputRate: inputRate, outputRate: outputRate, maximumInputFrames: maximumInputFrames)
        let stageInput = decimator?.maximumOutputFrames ?? maximumInputFrames
        // libsamplerate only sees the ratio: (R·D) / inputRate is exactly R / F, even where F
        // (say 32,000 / 3) is not a whole number of hertz.
        resampler = try Resampler(
            inputRate: inputRate, outputRate: outputRate * d, channels: 1, quality: quality,
            maximumInputFrames: stageInput)
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.maximumInputFrames = maximumInputFrames
        decimated = .allocate(capacity: decimator?.maximumOutputFrames ?? 0)
        decimated.initialize(repeating: 0)
        converted = .allocate(capacity: resampler.maximumOutputFrames)
        converted.initialize(repeating: 0)
    }

    deinit {
        decimated.deallocate()
        converted.deallocate()
    }

    /// Converts `input` (mono, at most `maximumInputFrames`, all consumed) and hands every block of
    /// output to `sink` as it is produced; with `endOfInput` the filters are flushed.
    public func process(
        _ input: UnsafeBufferPointer<Float>, endOfInput: Bool = false, _ sink: (UnsafeBufferPointer<Float>) -> Void
    ) throws(Resampler.Failure) {
        guard input.count <= maximumInputFrames else { throw .inputTooLong(input.count, maximum: maximumInputFrames) }
        inputCount += input.count
        // At the end, the first stage's ring-out makes the converter give a few samples more
        // than the signal's length; those are dropped.
        let limit = endOfInput ? Int((Double(inputCount) * Double(outputRate) / Double(inputRate)).rounded()) : Int.max
        var stage = input
        if let decimator {
            let n: Int
            do { n = try decimator.process(input, into: decimated, endOfInput: endOfInput) } catch {
                throw .library("first stage: \(error)")
            }
            stage = UnsafeBufferPointer(rebasing: decimated[0..<n])
        }
        var offset = 0
        while true {
            let (c, p) = try resampler.process(
                UnsafeBufferPointer(rebasing: stage[offset...]), into: converted, endOfInput: endOfInput)
            offset += c
            let keep = min(p, limit - outputCount)
            if keep > 0 {
                sink(UnsafeBufferPointer(rebasing: converted[0..<keep]))
                outputCount += keep
            }
            // Done when the input is used up and, at the end, the converter has nothing left.
            if offset >= stage.count && (!endOfInput || p == 0) { break }
            if c == 0 && p == 0 { break }
        }
    }
}
