/// Names one participant of one conference.
///
/// The low 32 bits are the bridge slot (an index into its contiguous buffers, so the media
/// thread finds a participant without hashing); the high 32 bits are a generation that changes
/// every time the slot is reused, so a stale ID never reaches the next occupant.
public struct ParticipantID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    init(slot: Int, generation: UInt32) {
        rawValue = UInt64(generation) << 32 | UInt64(UInt32(slot))
    }

    @usableFromInline var slot: Int { Int(UInt32(truncatingIfNeeded: rawValue)) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    public var description: String { "participant \(slot).\(generation)" }
}

/// What a participant may do: the host may mute, hold, remove, whisper, record and end.
public enum ParticipantRole: String, Sendable, Hashable, CaseIterable {
    case host
    case member
}
