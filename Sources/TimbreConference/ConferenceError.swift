/// Why a control operation was refused. Nothing changes when one is thrown.
public enum ConferenceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Only the host may do this.
    case notHost(ParticipantID)
    /// No such participant (never joined, or already left).
    case unknownParticipant(ParticipantID)
    /// The conference holds its configured maximum.
    case conferenceFull(maximum: Int)
    /// The conference has ended.
    case conferenceEnded
    /// The host left and the policy continues without one: no new participants.
    case noNewInvitesWithoutHost
    /// A second host was requested.
    case hostAlreadyPresent
    /// The participant was muted by the host and cannot unmute itself.
    case mutedByHost(ParticipantID)
    /// Participant sample rates are 8000, 16000 or 48000 Hz.
    case unsupportedSampleRate(Int)
    /// A participant cannot whisper to itself.
    case invalidWhisperTarget(ParticipantID)
    /// The media thread has not drained earlier commands (it is stalled or not running).
    case commandQueueFull
    /// The resampler for this participant could not be created.
    case resamplerUnavailable(String)

    public var description: String {
        switch self {
        case .notHost(let id): return "\(id) is not the host"
        case .unknownParticipant(let id): return "no \(id) in this conference"
        case .conferenceFull(let m): return "conference is full (\(m) participants)"
        case .conferenceEnded: return "conference has ended"
        case .noNewInvitesWithoutHost: return "the host has left: no new participants"
        case .hostAlreadyPresent: return "the conference already has a host"
        case .mutedByHost(let id): return "\(id) was muted by the host"
        case .unsupportedSampleRate(let r): return "unsupported participant rate \(r) Hz (8000, 16000 or 48000)"
        case .invalidWhisperTarget(let id): return "\(id) cannot whisper to itself"
        case .commandQueueFull: return "bridge command queue is full"
        case .resamplerUnavailable(let m): return "resampler: \(m)"
        }
    }
}
