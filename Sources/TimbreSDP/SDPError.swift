/// Why an SDP body was refused. Each case names the line so that a PBX developer can fix it.
public enum SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int, maximum: Int)
    case tooManyLines(maximum: Int)
    case malformedLine(number: Int, text: String)
    case missingVersion
    case missingOrigin
    case missingConnection
    case badMediaLine(number: Int, text: String)
    case badAttribute(number: Int, text: String)
    case noAudioStream
    case noCommonCodec(offered: [String])
    case answerWithoutOffer
    case answerStreamMismatch(String)

    public var description: String {
        switch self {
        case .tooLarge(let b, let m): return "SDP is \(b) bytes, at most \(m)"
        case .tooManyLines(let m): return "SDP has more than \(m) lines"
        case .malformedLine(let n, let t): return "line \(n): not <type>=<value>: \(t.prefix(60))"
        case .missingVersion: return "missing v=0"
        case .missingOrigin: return "missing o= line"
        case .missingConnection: return "audio stream has no c= line (neither session nor media level)"
        case .badMediaLine(let n, let t): return "line \(n): bad m= line: \(t.prefix(60))"
        case .badAttribute(let n, let t): return "line \(n): bad attribute: \(t.prefix(60))"
        case .noAudioStream: return "no m=audio stream"
        case .noCommonCodec(let o): return "no common codec (offered: \(o.joined(separator: ", ")))"
        case .answerWithoutOffer: return "an answer needs our offer"
        case .answerStreamMismatch(let why): return "answer does not match the offer: \(why)"
        }
    }
}
