import CSampleRate
import TimbreCore

/// A streaming sample-rate converter over libsamplerate (any ratio), keeping its filter state
/// between calls so that frame after frame joins without a seam.
///
/// All buffers are allocated in `init` for up to `maximumInputFrames` per call; `process`
/// allocates nothing, so it may run on the media path. Output is time-aligned with the input
/// (libsamplerate compensates its filter delay), so at the start fewer samples come out and the
/// rest is flushed by a call with `endOfInput: true`.
///
/// The corresponding libsamplerate calls are `src_new`, `src_process`, `src_reset`, `src_delete`.
public final class Resampler {
    /// libsamplerate's converters, best first.
    public enum Quality: Int32, Sendable, CaseIterable {
        case best = 0  // SRC_SINC_BEST_QUALITY
        case medium = 1  // SRC_SINC_MEDIUM_QUALITY
        case fastest = 2  // SRC_SINC_FASTEST
        case zeroOrderHold = 3  // SRC_ZERO_ORDER_HOLD
        case linear = 4  // SRC_LINEAR
    }

    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case invalidRates(input: Int, output: Int)
        case inputTooLong(Int, maximum: Int)
        case library(String)

        public var description: String {
            switch self {
            case .invalidRates(let i, let o): return "cannot resample \(i) Hz to \(o) Hz"
            case .inputTooLong(let n, let m): return "\(n) frames per call, at most \(m)"
            case .library(let m): return "libsamplerate: \(m)"
            }
        }
    }

    public let inputRate: Int
    public let outputRate: Int
    public let channels: Int
    public let quality: Quality
    public let maximumInputFrames: Int
    /// Output frames one call may produce at most (for sizing caller buffers).
    public let maximumOutputFrames: Int
    public var ratio: Double { Double(outputRate) / Double(inputRate) }

    private let state: OpaquePointer
    private let floatIn: UnsafeMutableBufferPointer<Float>
    private let floatOut: UnsafeMutableBufferPointer<Float>

    public init(
        inputRate: Int, outputRate: Int, channels: Int = 1, quality: Quality = .medium,
        maximumInputFrames: Int = 4800
    ) throws(Failure) {
        let r = Double(outputRate) / Double(max(inputRate, 1))
        guard inputRate > 0, outputRate > 0, channels > 0, r >= 1.0 / 256, r <= 256 else {
            throw .invalidRates(input: inputRate, output: outputRate)
        }
        var error: Int32 = 0
        guard let s = src_new(quality.rawValue, Int32(channels), &error) else {
            throw .library(String(cString: src_strerror(error)))
        }
        self.state = s
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        self.quality = quality
        self.maximumInputFrames = maximumInputFrames
        // Output of one call: the converted input plus whatever the filter still held back.
        self.maximumOutputFrames = Int((Double(maximumInputFrames) * r).rounded(.up)) + 512
        floatIn = .allocate(capacity: maximumInputFrames * channels)
        floatOut = .allocate(capacity: maximumOutputFrames * channels)
        floatIn.initialize(repeating: 0)
        floatOut.initialize(repeating: 0)
    }

    deinit {
        src_delete(state)
        floatIn.deallocate()
        floatOut.deallocate()
    }

    /// Converts interleaved float frames. Returns frames consumed from `input` and produced into
    /// `output`. Call again with the rest of the input if not all was consumed.
    public func process(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
        endOfInput: Bool = false
    ) throws(Failure) -> (consumed: Int, produced: Int) {
        var data = SRC_DATA()
        data.data_in = input.baseAddress
        data.input_frames = input.count / channels
        data.data_out = output.baseAddress
        data.output_frames = output.count / channels
        data.end_of_input = endOfInput ? 1 : 0
        data.src_ratio = ratio
        let rc = src_process(state, &data)
        if rc != 0 { throw .library(String(cString: src_strerror(rc))) }
        return (Int(data.input_frames_used), Int(data.output_frames_gen))
    }

    /// Converts interleaved 16-bit frames through the preallocated float buffers; all of `input`
    /// (at most `maximumInputFrames`) is consumed. Returns the frames produced, at most
    /// `maximumOutputFrames`; `output` must hold that many.
    public func process(
        _ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>,
        endOfInput: Bool = false
    ) throws(Failure) -> Int {
        let frames = input.count / channels
        guard frames <= maximumInputFrames else { throw .inputTooLong(frames, maximum: maximumInputFrames) }
        SampleConversion.int16ToFloat(input, into: floatIn)
        var consumed = 0
        var produced = 0
        let outCapacity = min(output.count / channels, maximumOutputFrames)
        repeat {
            let inSlice = UnsafeBufferPointer(rebasing: floatIn[(consumed * channels)..<(frames * channels)])
            let outSlice = UnsafeMutableBufferPointer(
                rebasing: floatOut[(produced * channels)..<(outCapacity * channels)])
            let (c, p) = try process(inSlice, into: outSlice, endOfInput: endOfInput)
            consumed += c
            produced += p
            if c == 0 && p == 0 { break }
        } while consumed < frames && produced < outCapacity
        SampleConversion.floatToInt16(
            UnsafeBufferPointer(rebasing: floatOut[0..<(produced * channels)]),
            into: UnsafeMutableBufferPointer(rebasing: output[0..<(produced * channels)]))
        return produced
    }

    /// Forgets the filter history (a new stream).
    public func reset() { src_reset(state) }

    /// Converts a whole signal offline: output length is `round(count × ratio)` frames and is
    /// time-aligned with the input. For files and tests, not for the media path.
    public static func convert(
        _ samples: [Int16], from inputRate: Int, to outputRate: Int, channels: Int = 1, quality: Quality = .best
    ) throws(Failure) -> [Int16] {
        if inputRate == outputRate { return samples }
        let chunk = 4096
        let r = try Resampler(
            inputRate: inputRate, outputRate: outputRate, channels: channels, quality: quality,
            maximumInputFrames: chunk)
        let frames = samples.count / channels
        let expected = Int((Double(frames) * r.ratio).rounded())
        var out = [Int16]()
        out.reserveCapacity((expected + 16) * channels)
        var scratch = [Int16](repeating: 0, count: r.maximumOutputFrames * channels)
        var pos = 0
        try samples.withUnsafeBufferPointer { (all) throws(Failure) in
            while true {
                let n = min(chunk, frames - pos)
                let last = pos + n >= frames
                let slice = UnsafeBufferPointer(rebasing: all[(pos * channels)..<((pos + n) * channels)])
                let p = try scratch.withUnsafeMutableBufferPointer { (o) throws(Failure) in
                    try r.process(slice, into: o, endOfInput: last)
                }
                out.append(contentsOf: scratch[0..<(p * channels)])
                pos += n
                if last {
                    // Drain what the filter still holds.
                    while out.count / channels < expected {
                        let q = try scratch.withUnsafeMutableBufferPointer { (o) throws(Failure) in
                            try r.process(UnsafeBufferPointer(start: nil, count: 0), into: o, endOfInput: true)
                        }
                        if q == 0 { break }
                        out.append(contentsOf: scratch[0..<(q * channels)])
                    }
                    break
                }
            }
        }
        if out.count > expected * channels { out.removeLast(out.count - expected * channels) }
        while out.count < expected * channels { out.append(0) }
        return out
    }
}
