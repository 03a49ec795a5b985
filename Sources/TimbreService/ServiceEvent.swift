import Foundation

/// One event on `/v1/events`: a JSON object with at least `type` and `seq`.
///
/// `seq` increases by one per event across the whole service, so a client that reconnects
/// with `?since=N` gets every event after N that is still in the history.
public struct ServiceEvent: Sendable, Equatable {
    public var seq: UInt64
    public var type: String
    public var time: Date
    /// Event-specific fields (strings, numbers, bools), flattened into the JSON object.
    public var fields: [String: EventValue]

    public init(seq: UInt64 = 0, type: String, time: Date = Date(), fields: [String: EventValue] = [:]) {
        self.seq = seq
        self.type = type
        self.time = time
        self.fields = fields
    }

    /// The wire form: `{"type": ..., "seq": ..., "time": ISO-8601, ...fields}`.
    public var json: String {
        var object: [String: Any] = fields.mapValues(\.any)
        object["type"] = type
        object["seq"] = seq
        object["time"] = ISO8601DateFormatter.timbre.string(from: time)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A JSON scalar in an event.
public enum EventValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral
{
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }

    var any: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .double(let d): return d
        case .bool(let b): return b
        }
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let timbre: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}
