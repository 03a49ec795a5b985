import TimbreCore

/// What happens when the host leaves. The seeds' products stop recording; whether the call
/// goes on is the operator's choice.
public struct HostLeavePolicy: Sendable, Hashable {
    public enum Continuation: Sendable, Hashable {
        /// Everyone is released and the conference ends.
        case endConference
        /// The others stay; nobody new may join (there is no host to invite them).
        case continueWithoutHost
    }

    public var continuation: Continuation
    public var stopsRecording: Bool

    public init(continuation: Continuation = .continueWithoutHost, stopsRecording: Bool = true) {
        self.continuation = continuation
        self.stopsRecording = stopsRecording
    }
}

/// How many talkers are mixed. In a large room the idle microphones' noise would add up, so only
/// the K loudest active talkers are mixed; with K fixed, each listener's cost stays flat in N.
public struct TopKPolicy: Sendable, Hashable {
    /// Talkers mixed at most.
    public var k: Int
    /// The policy applies only when the room holds more than this many participants.
    public var appliesAbove: Int

    public init(k: Int = 3, appliesAbove: Int = 10) {
        self.k = max(1, k)
        self.appliesAbove = max(0, appliesAbove)
    }

    /// K talkers in any room (the CLI's `--top-k`); K ≥ N mixes everyone.
    public static func always(k: Int) -> TopKPolicy { TopKPolicy(k: k, appliesAbove: 0) }
}

/// Fixed parameters of one bridge, set at creation.
public struct BridgeConfiguration: Sendable {
    /// The mixing rate: 16 kHz (wideband) by default; 8 or 48 kHz selectable.
    public var sampleRate: SampleRate = .wideband
    public var frameDuration: FrameDuration = .ms20
    /// Participants at most (outside input cannot grow the bridge beyond this).
    public var maximumParticipants: Int = 9
    public var topK: TopKPolicy = TopKPolicy()
    public var hostLeavePolicy: HostLeavePolicy = HostLeavePolicy()
    /// Optional per-participant level normalisation towards −26 dBFS RMS while talking (±12 dB).
    public var normalizesLevels = false
    /// Looped for participants on hold who asked for music; 16-bit mono at `sampleRate`.
    public var holdMusic: [Int16] = []
    public var speakerDetection = ActiveSpeakerDetector.Configuration()
    /// Whether the bridge reports who is talking (`speakingStarted`/`speakingStopped`). A bridge
    /// that only carries a call, or whose owner wants no talk events (Asterisk's ConfBridge has
    /// them off by default), turns this off and its frames skip the level measure and the
    /// detectors. Levels are still measured while top-K or level normalisation needs them.
    public var detectsSpeakers = true
    /// Whether a listener who hears exactly one other participant still goes through its soft
    /// limiter. A lone talker cannot overflow, so a call bridge (N = 2, the transcoding path)
    /// turns this off and passes each party's audio through sample for sample, loud peaks
    /// included, as a plain call should. Conferences and `timbre mix` keep it on: there every
    /// output, even a single talker's, stays under the limiter's ceiling.
    public var limitsLoneTalker = true
    /// Commands queued between two frames at most (joins, mutes, …).
    public var commandCapacity = 1024
    /// Events queued for the consumer at most; more are counted in `droppedEvents`.
    public var eventCapacity = 4096

    public init() {}

    /// Samples per frame at the bridge rate (320 at 16 kHz, 20 ms).
    public var frameSamples: Int { frameDuration.samples(at: sampleRate) }
}
