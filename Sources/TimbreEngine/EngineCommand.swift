import TimbreConference

/// Control → media: what a media thread applies at the start of its next tick.
enum EngineCommand: @unchecked Sendable {
    // @unchecked: legs and bridges move to the media thread with the command and are not touched
    // by the sender afterwards.
    case addLeg(CallLeg)
    case removeLeg(UInt64, goodbye: Bool)
    case applyMedia(UInt64, NegotiatedMedia)
    case setMuted(UInt64, Bool)
    case setHold(UInt64, Bool, AudioSource?)
    case play(UInt64, AudioSource?, playback: UInt64)
    case sendDigits(UInt64, [UInt8])
    case addBridge(EngineBridge)
    case removeBridge(UInt64)
    case attach(bridge: UInt64, leg: UInt64, participant: ParticipantID)
    case detach(bridge: UInt64, leg: UInt64)
    /// Hand a leg over to another thread (so a bridge's legs share its thread).
    case moveLeg(UInt64, to: MediaThread)
    case addTap(UInt64, MediaTap)
    case removeTap(UInt64)
    case stop
}

/// Something that receives a copy of audio on the media thread each tick: a recorder. The
/// closure must not block or allocate (it hands the frame to a bounded queue).
public struct MediaTap: @unchecked Sendable {
    public enum Source: Sendable, Equatable {
        /// One leg: channel 0 what it received, channel 1 what it was sent.
        case leg(UInt64)
        /// A bridge: the full mix, or each member as its own channel.
        case bridge(UInt64, split: Bool)
    }

    public let id: UInt64
    public let source: Source
    /// Channels the tap writes: 2 for a leg, 1 for a mixed bridge, the party count when split.
    public let channels: Int
    /// For a split bridge recording: the participant on each channel (channel i is
    /// `channelOrder[i]`; others are left out). Empty: parties in the order they appear.
    public let channelOrder: [ParticipantID]
    /// Called with interleaved frames (channels per `source`) at the source's rate.
    public let write: (UnsafeBufferPointer<Int16>, Int) -> Void

    public init(
        id: UInt64, source: Source, channels: Int, channelOrder: [ParticipantID] = [],
        write: @escaping (UnsafeBufferPointer<Int16>, Int) -> Void
    ) {
        self.id = id
        self.source = source
        self.channels = channels
        self.channelOrder = channelOrder
        self.write = write
    }

    var isSplit: Bool {
        if case .bridge(_, split: true) = source { return true }
        return false
    }
}
