/// What the media threads report to the control side, through a bounded queue per thread.
/// Plain values only: building one allocates nothing on the media path.
public enum EngineEvent: Sendable, Equatable {
    case dtmf(leg: UInt64, digit: Character, durationMs: Int)
    case rtpTimeout(leg: UInt64, seconds: Int)
    case rtpResumed(leg: UInt64)
    case sourceLatched(leg: UInt64, address: SocketAddress)
    case talking(bridge: UInt64, leg: UInt64, speaking: Bool)
    case playbackFinished(leg: UInt64, playback: UInt64)
    case recordingFailed(recording: UInt64, reason: RecordingFailure)
    case legRemoved(leg: UInt64)
    case bridgeEnded(bridge: UInt64)

    public enum RecordingFailure: Sendable, Equatable {
        case queueOverflow
        case writeError
    }
}
