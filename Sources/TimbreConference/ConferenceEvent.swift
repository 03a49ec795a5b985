/// Something the media thread observed, stamped in samples at the bridge rate since the
/// bridge's first frame (`seconds(at:)` converts).
public struct ConferenceEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case speakingStarted(ParticipantID)
        case speakingStopped(ParticipantID)
        /// The participant's fade-out finished and its slot is free.
        case left(ParticipantID)
        case recordingStarted
        case recordingStopped
        case conferenceEnded
    }

    public var kind: Kind
    /// Bridge-rate samples since the first mixed sample.
    public var sampleTime: Int64

    public init(kind: Kind, sampleTime: Int64) {
        self.kind = kind
        self.sampleTime = sampleTime
    }

    public func seconds(at rate: Int) -> Double { Double(sampleTime) / Double(rate) }
}
