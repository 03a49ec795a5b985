/// Why text was rejected as an SDP session description (RFC 8866). Bounded sizes are part of the
/// contract: SDP comes from outside (an HTTP body relayed from a SIP peer), so every count has a
/// limit and exceeding it is an error, not an allocation.
public enum SDPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No lines at all.
    case empty
    /// The text is longer than `SessionDescription.Limits.maximumBytes` (bytes given).
    case tooLarge(Int)
    /// More lines, media sections, formats or attributes than the limits allow (which, limit).
    case tooMany(String, limit: Int)
    /// A line is not `<letter>=<value>` (1-based line number given).
    case malformedLine(Int)
    /// The first line is not `v=0`.
    case unsupportedVersion(String)
    /// A required line is missing ("o", "s", "t").
    case missingLine(Character)
    /// A field's value does not follow the grammar (line number, the line's type letter, reason).
    case invalidField(line: Int, type: Character, reason: String)
    /// An audio stream has no connection address, at media or session level.
    case missingConnection(mediaIndex: Int)
    /// Text that is not UTF-8 or contains NUL/CR in a value.
    case invalidCharacters(line: Int)

    public var description: String {
        switch self {
        case .empty: "SDP is empty"
        case .tooLarge(let n): "SDP of \(n) bytes exceeds the size limit"
        case .tooMany(let what, let limit): "SDP has more than \(limit) \(what)"
        case .malformedLine(let n): "SDP line \(n) is not of the form <type>=<value>"
        case .unsupportedVersion(let v): "SDP version \"\(v)\" is not 0"
        case .missingLine(let c): "SDP lacks its \(c)= line"
        case .invalidField(let line, let type, let reason): "SDP line \(line) (\(type)=): \(reason)"
        case .missingConnection(let i): "SDP media section \(i) has no c= line and there is no session-level one"
        case .invalidCharacters(let n): "SDP line \(n) contains invalid characters"
        }
    }
}
