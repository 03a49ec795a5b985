/// Why an `EchoCanceller` could not be set up.
public enum EchoCancellerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// speexdsp's canceller runs here at 8, 16, 32 or 48 kHz.
    case unsupportedSampleRate(Int)
    /// Frames are 10 or 20 ms.
    case unsupportedFrameDuration(Int)
    /// The echo tail is 10...2000 ms.
    case tailOutOfRange(milliseconds: Int)
    /// The largest searched delay is 0...1000 ms.
    case maxDelayOutOfRange(milliseconds: Int)
    /// The catch-up history is 0...2000 ms.
    case historyOutOfRange(milliseconds: Int)
    /// `realign` asked for more history than the canceller holds (its `historyFrames`, and no
    /// more frames than it has processed since it started or was reset).
    case replayOutOfRange(requestedFrames: Int, availableFrames: Int)
    /// `realign` asked for a far-end delay outside 0...maximum samples.
    case alignmentOutOfRange(samples: Int, maximum: Int)
    /// speexdsp returned no state (out of memory).
    case speexInitializationFailed

    public var description: String {
        switch self {
        case .unsupportedSampleRate(let r): "echo cancellation supports 8, 16, 32 and 48 kHz, not \(r) Hz"
        case .unsupportedFrameDuration(let ms): "echo cancellation takes 10 or 20 ms frames, not \(ms) ms"
        case .tailOutOfRange(let ms): "echo tail must be 10...2000 ms, not \(ms) ms"
        case .maxDelayOutOfRange(let ms): "maximum echo delay must be 0...1000 ms, not \(ms) ms"
        case .historyOutOfRange(let ms): "echo catch-up history must be 0...2000 ms, not \(ms) ms"
        case .replayOutOfRange(let requested, let available):
            "cannot replay \(requested) frames of echo history: \(available) available"
        case .alignmentOutOfRange(let samples, let maximum): "echo alignment must be 0...\(maximum) samples, not \(samples)"
        case .speexInitializationFailed: "speexdsp could not allocate its echo canceller"
        }
    }
}
