#if canImport(Glibc)
import Glibc
#endif

/// Reduces the sample rate by an integer factor with a linear-phase, Kaiser-windowed FIR low-pass,
/// computing only the samples it keeps (the polyphase saving: `taps` multiply-adds per *output*
/// sample, none for the discarded ones).
///
/// It exists to put libsamplerate's best converter (SRC_SINC_BEST_QUALITY) on a cheaper footing:
/// that converter stretches its filter by 1/ratio when it downsamples, so 44.1 kHz → 8 kHz costs
/// about 286 / 0.18 ≈ 1,600 scalar taps per output sample, 95 % of a greeting conversion. Decimating
/// first by an integer factor here (SIMD, ~60 vector multiply-adds per output) and leaving only the
/// last fractional step to libsamplerate cuts that to ≈ 315 taps (see `CascadeResampler`).
///
/// The output is time-aligned with the input: output sample `m` is centred on input sample
/// `m × factor` (the filter is symmetric and odd-length; its delay is compensated by starting with
/// half a filter of zeros). After `endOfInput` exactly ⌈(inputCount + h) / factor⌉ samples have
/// come out, h = half the filter length: the filter's ring-out after the last input sample is kept,
/// because a following resampler needs it to reproduce an abrupt end exactly (cutting it cost
/// 10 dB of agreement with libsamplerate alone on a sweep that stops at full level). All memory is
/// allocated in `init`; `process` allocates nothing.
public final class PolyphaseDecimator {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case invalidDesign(String)
        case inputTooLong(Int, maximum: Int)
        case outputTooSmall(Int, needed: Int)

        public var description: String {
            switch self {
            case .invalidDesign(let why): return "decimator design: \(why)"
            case .inputTooLong(let n, let m): return "\(n) frames per call, at most \(m)"
            case .outputTooSmall(let n, let m): return "output holds \(n) frames, \(m) needed"
            }
        }
    }

    public let factor: Int
    /// The filter, symmetric, odd length, unity gain at DC.
    public let coefficients: [Float]
    public let maximumInputFrames: Int
    /// Output frames one call may produce at most (including the flush at the end of input).
    /// (History of up to a window, the input, and at the end the ring-out.)
    public var maximumOutputFrames: Int { (paddedTaps.count + maximumInputFrames + halfLength) / factor + 2 }

    private let halfLength: Int
    /// The taps padded with zeros to a multiple of 8 lanes.
    private let paddedTaps: UnsafeMutableBufferPointer<Float>
    /// Pending input: history the next output still needs, then new samples, then room for the
    /// zero tail at the end of input.
    private let buffer: UnsafeMutableBufferPointer<Float>
    private var filled = 0
    /// Index in `buffer` where the next output's window starts.
    private var next = 0
    private var inputCount = 0
    private var outputCount = 0
    private var flushed = false

    /// Designs the filter for decimation by `factor`: flat (ripple ≈ 10^(−A/20)) from 0 to
    /// `passband` Hz, at least `attenuationDB` down from `stopband` Hz, both at `inputRate`.
    /// Kaiser's formulas: β = 0.1102 (A − 8.7), length ≈ (A − 7.95) / (2.285 Δω) + 1, rounded up
    /// to 2·factor·k + 1 so the delay is a whole number of output samples.
    public init(
        factor: Int, inputRate: Int, passband: Double, stopband: Double, attenuationDB: Double = 125,
        maximumInputFrames: Int = 16384
    ) throws(Failure) {
        let fs = Double(inputRate)
        guard factor >= 2, factor <= 64 else { throw .invalidDesign("factor \(factor) outside 2...64") }
        guard inputRate > 0, passband > 0, stopband > passband, stopband <= fs / 2 else {
            throw .invalidDesign("bands 0–\(passband) Hz / \(stopband) Hz at \(inputRate) Hz")
        }
        guard attenuationDB >= 21, attenuationDB <= 160 else { throw .invalidDesign("attenuation \(attenuationDB) dB") }
        guard maximumInputFrames > 0 else { throw .invalidDesign("maximumInputFrames \(maximumInputFrames)") }
        let deltaOmega = 2 * Double.pi * (stopband - passband) / fs
        let estimate = Int(((attenuationDB - 7.95) / (2.285 * deltaOmega)).rounded(.up)) + 1
        let k = max(1, (estimate - 1 + 2 * factor - 1) / (2 * factor))
        guard k * 2 * factor + 1 <= 8191 else { throw .invalidDesign("transition band too narrow (\(estimate) taps)") }
        let taps = Self.kaiserLowPass(
            length: 2 * factor * k + 1, cutoff: (passband + stopband) / 2 / fs, attenuationDB: attenuationDB)
        self.factor = factor
        self.coefficients = taps
        self.halfLength = taps.count / 2
        self.maximumInputFrames = maximumInputFrames
        let padded = (taps.count + 7) / 8 * 8
        paddedTaps = .allocate(capacity: padded)
        paddedTaps.initialize(repeating: 0)
        _ = paddedTaps.initialize(from: taps)
        // History (< padded + factor), one call's input, and the zero tail (half a filter plus padding).
        buffer = .allocate(capacity: 2 * padded + factor + maximumInputFrames + halfLength)
        buffer.initialize(repeating: 0)
        reset()
    }

    deinit {
        paddedTaps.deallocate()
        buffer.deallocate()
    }

    /// Forgets the history (a new stream).
    public func reset() {
        // Half a filter of zeros before the first sample centres output 0 on input 0.
        for i in 0..<halfLength { buffer[i] = 0 }
        filled = halfLength
        next = 0
        inputCount = 0
        outputCount = 0
        flushed = false
    }

    /// Filters and decimates `input` (all of it is consumed); returns the samples written to
    /// `output`, which must hold `maximumOutputFrames`. With `endOfInput` the filter is flushed
    /// and the stream is complete: further calls produce nothing until `reset`.
    public func process(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>, endOfInput: Bool = false
    ) throws(Failure) -> Int {
        guard input.count <= maximumInputFrames else { throw .inputTooLong(input.count, maximum: maximumInputFrames) }
        guard output.count >= maximumOutputFrames else { throw .outputTooSmall(output.count, needed: maximumOutputFrames) }
        if flushed { return 0 }
        if let base = input.baseAddress, !input.isEmpty {
            (buffer.baseAddress! + filled).update(from: base, count: input.count)
            filled += input.count
            inputCount += input.count
        }
        let window = paddedTaps.count
        if endOfInput {
            // Zeros after the last sample let the final outputs see a whole window.
            let tail = halfLength + window
            (buffer.baseAddress! + filled).update(repeating: 0, count: tail)
            filled += tail
        }
        var produced = 0
        let limit = endOfInput ? (inputCount + halfLength + factor - 1) / factor - outputCount : Int.max
        while next + window <= filled && produced < limit {
            output[produced] = Self.dot(paddedTaps.baseAddress!, buffer.baseAddress! + next, count: window)
            produced += 1
            next += factor
        }
        outputCount += produced
        // Keep only what later outputs still need.
        let keep = filled - next
        if keep > 0 && next > 0 { buffer.baseAddress!.update(from: buffer.baseAddress! + next, count: keep) }
        filled = max(0, keep)
        next = max(0, -keep)
        if endOfInput { flushed = true }
        return produced
    }

    /// Σ a[i]·b[i] over `count` (a multiple of 8) floats, four 8-lane accumulators so that the
    /// additions do not wait on each other.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        let stride = MemoryLayout<SIMD8<Float>>.stride
        var i = 0
        let blocks = count / 8
        while i + 4 <= blocks {
            let o = i * stride
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: o + stride, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + stride, as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: o + 2 * stride, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + 2 * stride, as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: o + 3 * stride, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + 3 * stride, as: SIMD8<Float>.self)
            i += 4
        }
        while i < blocks {
            let o = i * stride
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i += 1
        }
        return ((s0 + s1) + (s2 + s3)).sum()
    }

    /// A windowed-sinc low-pass of odd `length`, cutoff as a fraction of the sample rate, Kaiser
    /// window for `attenuationDB`, scaled to unity gain at DC. Computed in Double, stored as Float
    /// (Float's 24-bit mantissa puts the coefficient error near −140 dB, below the design's floor).
    static func kaiserLowPass(length: Int, cutoff: Double, attenuationDB: Double) -> [Float] {
        let beta = attenuationDB > 50 ? 0.1102 * (attenuationDB - 8.7)
            : 0.5842 * pow(attenuationDB - 21, 0.4) + 0.07886 * (attenuationDB - 21)
        let m = Double(length - 1) / 2
        let i0Beta = besselI0(beta)
        var h = [Double](repeating: 0, count: length)
        for n in 0..<length {
            let t = Double(n) - m
            let sinc = t == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * t) / (Double.pi * t)
            let r = t / m
            h[n] = sinc * besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
        }
        let sum = h.reduce(0, +)
        return h.map { Float($0 / sum) }
    }

    /// Modified Bessel function of the first kind, order 0, by its power series (converges for the
    /// β ≤ 17 used here within ~40 terms).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0
        let q = x * x / 4
        var k = 1.0
        while term > sum * 1e-17 {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
