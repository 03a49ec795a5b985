/// A call-control action a headset asks of the host.
public enum CallControlEvent: Int, Sendable, CaseIterable, CustomStringConvertible {
    case answer = 0
    case reject
    case hangUp
    case hold
    case resume
    case mute
    case unmute
    case volumeUp
    case volumeDown
    case flash
    case redial
    case answerWaiting

    /// The name `timbre headset replay/monitor --json` prints.
    public var name: String {
        switch self {
        case .answer: "answer"
        case .reject: "reject"
        case .hangUp: "hangUp"
        case .hold: "hold"
        case .resume: "resume"
        case .mute: "mute"
        case .unmute: "unmute"
        case .volumeUp: "volumeUp"
        case .volumeDown: "volumeDown"
        case .flash: "flash"
        case .redial: "redial"
        case .answerWaiting: "answerWaiting"
        }
    }

    public var description: String { name }
}

/// The events one input report produced, in order, in a single integer (4 bits per event, at most
/// 15): returning it never allocates.
public struct CallControlEventList: Sendable, Hashable, Sequence {
    @usableFromInline var packed: UInt64 = 0
    public private(set) var count: Int = 0

    public init() {}

    public init(_ events: [CallControlEvent]) {
        for event in events { append(event) }
    }

    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// Appends `event`; beyond 15 events (impossible for one report: there are 10 controls) it is dropped.
    public mutating func append(_ event: CallControlEvent) {
        guard count < 15 else { return }
        packed |= UInt64(event.rawValue) << UInt64(4 * count)
        count += 1
    }

    public func makeIterator() -> Iterator { Iterator(packed: packed, remaining: count) }

    public struct Iterator: IteratorProtocol {
        var packed: UInt64
        var remaining: Int

        public mutating func next() -> CallControlEvent? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            defer { packed >>= 4 }
            return CallControlEvent(rawValue: Int(packed & 0xF))
        }
    }
}
