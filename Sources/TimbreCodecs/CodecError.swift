/// Why a codec call failed. Per-frame calls throw typed errors so the caller pays no existential.
public enum CodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The PCM input is not a whole frame the codec accepts (count given).
    case invalidFrameLength(Int)
    /// The output buffer cannot hold the result (bytes or samples needed).
    case outputTooSmall(needed: Int)
    /// The payload cannot be decoded (reason given).
    case invalidPayload(String)
    /// A parameter is out of range (name and reason).
    case invalidParameter(String)
    /// The underlying C library reported an error (its own message).
    case library(code: Int32, message: String)

    public var description: String {
        switch self {
        case .invalidFrameLength(let n): return "invalid frame length: \(n) samples"
        case .outputTooSmall(let n): return "output buffer too small: \(n) needed"
        case .invalidPayload(let why): return "invalid payload: \(why)"
        case .invalidParameter(let why): return "invalid parameter: \(why)"
        case .library(let code, let message): return "\(message) (code \(code))"
        }
    }
}
