import Synchronization
import TimbreCore

/// The control plane of one bridge: joins, leaves, mutes and host operations, callable from any
/// thread while the media thread runs `MixMinusBridge.mix()`.
///
/// Roles and rules are checked here, synchronously, so a refused operation throws a typed
/// `ConferenceError` and changes nothing. Accepted changes travel to the media thread through a
/// bounded single-producer queue (`SPSCRingBuffer`); the mutex below serialises the control
/// threads only — the media thread never takes it, so the per-frame path has no lock.
public final class ConferenceController: Sendable {
    struct Entry {
        var id: ParticipantID
        var settings: ParticipantSettings
        var rate: SampleRate
    }

    struct State: ~Copyable {
        var entries: [Entry?]
        var freeSlots: [Int]
        var generation: UInt32 = 0
        var count = 0
        var host: ParticipantID?
        var hostHasLeft = false
        var ended = false
        var recording = false
    }

    public let configuration: BridgeConfiguration
    private let state: Mutex<State>
    let commands: SPSCRingBuffer<BridgeCommand>
    let returns: SPSCRingBuffer<SlotReturn>
    let events: SPSCRingBuffer<ConferenceEvent>

    init(configuration: BridgeConfiguration, slotCapacity: Int) {
        self.configuration = configuration
        state = Mutex(State(entries: Array(repeating: nil, count: slotCapacity), freeSlots: (0..<slotCapacity).reversed()))
        commands = SPSCRingBuffer(minimumCapacity: max(16, configuration.commandCapacity))
        returns = SPSCRingBuffer(minimumCapacity: slotCapacity + 1)
        events = SPSCRingBuffer(minimumCapacity: max(16, configuration.eventCapacity))
    }

    // MARK: Membership

    /// Adds a participant sending and receiving 16-bit mono at `sampleRate` (8, 16 or 48 kHz).
    /// The first host must join as `.host`; only one host at a time.
    public func join(as role: ParticipantRole = .member, sampleRate: SampleRate) throws(ConferenceError) -> ParticipantID {
        guard SampleRate.telephonyRates.contains(sampleRate) else { throw .unsupportedSampleRate(sampleRate.hertz) }
        // Built outside the lock: it allocates (resamplers, buffers).
        let port = try ParticipantPort(rate: sampleRate, bridge: configuration)
        return try state.withLock { (s) throws(ConferenceError) -> ParticipantID in
            drainReturns(&s)
            if s.ended { throw .conferenceEnded }
            if s.hostHasLeft && s.host == nil { throw .noNewInvitesWithoutHost }
            if role == .host && s.host != nil { throw .hostAlreadyPresent }
            if s.count >= configuration.maximumParticipants {
                throw .conferenceFull(maximum: configuration.maximumParticipants)
            }
            // Slots still fading out are not free yet; the spare slots cover them.
            guard let slot = s.freeSlots.last else { throw .conferenceFull(maximum: configuration.maximumParticipants) }
            try ensureRoom(1)
            s.freeSlots.removeLast()
            s.generation &+= 1
            let id = ParticipantID(slot: slot, generation: s.generation)
            let settings = ParticipantSettings(role: role)
            s.entries[slot] = Entry(id: id, settings: settings, rate: sampleRate)
            s.count += 1
            if role == .host { s.host = id }
            commands.push(.join(id, settings, port))
            return id
        }
    }

    /// The participant leaves (hangs up). When it is the host, the host-leave policy applies.
    public func leave(_ id: ParticipantID) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            _ = try entry(id, in: &s)
            try ensureRoom(3)
            remove(id, in: &s)
        }
    }

    /// The host removes a participant.
    public func remove(_ target: ParticipantID, by actor: ParticipantID) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            try requireHost(actor, in: &s)
            _ = try entry(target, in: &s)
            try ensureRoom(3)
            remove(target, in: &s)
        }
    }

    /// The host ends the conference: everyone fades out and `conferenceEnded` follows.
    public func end(by actor: ParticipantID) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            try requireHost(actor, in: &s)
            try ensureRoom(2)
            endConference(in: &s)
        }
    }

    // MARK: Participant controls

    /// Mutes or unmutes `target`. A participant may mute itself; muting someone else is for the
    /// host, and a host mute can be lifted only by the host.
    public func setMuted(_ muted: Bool, _ target: ParticipantID, by actor: ParticipantID) throws(ConferenceError) {
        try update(target, by: actor, hostOnlyForOthers: true) { (settings, byHost) throws(ConferenceError) in
            if actor == target && !byHost {
                if !muted && settings.hostMuted { throw .mutedByHost(target) }
                settings.selfMuted = muted
            } else if actor == target {
                // The host muting itself is a self-mute.
                settings.selfMuted = muted
                if !muted { settings.hostMuted = false }
            } else {
                settings.hostMuted = muted
                if !muted { settings.selfMuted = false }
            }
        }
    }

    /// Deaf: hears nothing. Self or host.
    public func setDeaf(_ deaf: Bool, _ target: ParticipantID, by actor: ParticipantID) throws(ConferenceError) {
        try update(target, by: actor, hostOnlyForOthers: true) { (s, _) throws(ConferenceError) in s.deaf = deaf }
    }

    /// Listen-only: heard by nobody. Self or host.
    public func setListenOnly(_ on: Bool, _ target: ParticipantID, by actor: ParticipantID) throws(ConferenceError) {
        try update(target, by: actor, hostOnlyForOthers: true) { (s, _) throws(ConferenceError) in s.listenOnly = on }
    }

    /// Gain applied to what `target` contributes. Self or host.
    public func setGain(_ gain: Gain, _ target: ParticipantID, by actor: ParticipantID) throws(ConferenceError) {
        try update(target, by: actor, hostOnlyForOthers: true) { (s, _) throws(ConferenceError) in s.gain = gain }
    }

    /// Hold: out of the mix both ways, optionally hearing hold music. Self or host.
    public func setHold(
        _ onHold: Bool, music: Bool = false, _ target: ParticipantID, by actor: ParticipantID
    ) throws(ConferenceError) {
        try update(target, by: actor, hostOnlyForOthers: true) { (s, _) throws(ConferenceError) in
            s.onHold = onHold
            s.holdMusic = onHold && music
        }
    }

    /// Whisper: from now on `speaker` is heard only by `listener` (nil: heard by all again).
    /// Host only (a supervisor coaching an agent).
    public func setWhisper(
        _ speaker: ParticipantID, to listener: ParticipantID?, by actor: ParticipantID
    ) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            try requireHost(actor, in: &s)
            if let listener {
                if listener == speaker { throw .invalidWhisperTarget(speaker) }
                _ = try entry(listener, in: &s)
            }
            var e = try entry(speaker, in: &s)
            try ensureRoom(1)
            e.settings.whisperTarget = listener
            s.entries[speaker.slot] = e
            commands.push(.update(speaker, e.settings))
        }
    }

    // MARK: Recording

    /// Starts or stops the recording tap. Host only.
    public func setRecording(_ on: Bool, by actor: ParticipantID) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            try requireHost(actor, in: &s)
            try ensureRoom(1)
            s.recording = on
            commands.push(.recording(on))
        }
    }

    /// Starts or stops the recording tap for the application itself (a recording the service
    /// was asked for, not a participant's request), so no role is checked. A conference that
    /// has ended stays stopped.
    public func setRecording(_ on: Bool) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            if s.ended { throw .conferenceEnded }
            try ensureRoom(1)
            s.recording = on
            commands.push(.recording(on))
        }
    }

    // MARK: Queries

    /// Current settings of a participant, or nil when it is not in the conference.
    public func settings(of id: ParticipantID) -> ParticipantSettings? {
        state.withLock { s in
            guard id.slot < s.entries.count, let e = s.entries[id.slot], e.id == id else { return nil }
            return e.settings
        }
    }

    public var participantCount: Int { state.withLock { $0.count } }
    public var host: ParticipantID? { state.withLock { $0.host } }
    public var isEnded: Bool { state.withLock { $0.ended } }
    public var isRecording: Bool { state.withLock { $0.recording } }

    /// The next event from the media thread (speakers, leaves, recording, end). Call from one
    /// consumer at a time.
    public func nextEvent() -> ConferenceEvent? {
        state.withLock { s in
            drainReturns(&s)
            return events.pop()
        }
    }

    // MARK: Internals (called with the lock held)

    private func drainReturns(_ s: inout State) {
        while let r = returns.pop() {
            s.freeSlots.append(r.id.slot)
            _ = r.port  // released here, off the media thread
        }
    }

    private func ensureRoom(_ n: Int) throws(ConferenceError) {
        if commands.capacity - commands.count < n { throw .commandQueueFull }
    }

    private func entry(_ id: ParticipantID, in s: inout State) throws(ConferenceError) -> Entry {
        guard id.slot < s.entries.count, let e = s.entries[id.slot], e.id == id else { throw .unknownParticipant(id) }
        return e
    }

    private func requireHost(_ actor: ParticipantID, in s: inout State) throws(ConferenceError) {
        if s.ended { throw .conferenceEnded }
        _ = try entry(actor, in: &s)
        if s.host != actor { throw .notHost(actor) }
    }

    private func update(
        _ target: ParticipantID, by actor: ParticipantID, hostOnlyForOthers: Bool,
        _ change: (inout ParticipantSettings, _ byHost: Bool) throws(ConferenceError) -> Void
    ) throws(ConferenceError) {
        try state.withLock { (s) throws(ConferenceError) in
            drainReturns(&s)
            if s.ended { throw .conferenceEnded }
            _ = try entry(actor, in: &s)
            var e = try entry(target, in: &s)
            let actorIsHost = s.host == actor
            if actor != target && hostOnlyForOthers && !actorIsHost { throw .notHost(actor) }
            try ensureRoom(1)
            var settings = e.settings
            try change(&settings, actorIsHost && actor != target)
            e.settings = settings
            s.entries[target.slot] = e
            commands.push(.update(target, settings))
        }
    }

    private func remove(_ id: ParticipantID, in s: inout State) {
        s.entries[id.slot] = nil
        s.count -= 1
        commands.push(.leave(id))
        // A whisperer aimed at the leaver falls silent (heard by nobody) rather than suddenly
        // being heard by the room: the safe default for coaching.
        if s.host == id {
            s.host = nil
            s.hostHasLeft = true
            let policy = configuration.hostLeavePolicy
            if policy.stopsRecording && s.recording {
                s.recording = false
                commands.push(.recording(false))
            }
            if policy.continuation == .endConference { endConference(in: &s) }
        }
    }

    private func endConference(in s: inout State) {
        s.ended = true
        s.recording = false
        s.host = nil
        for i in s.entries.indices { s.entries[i] = nil }
        s.count = 0
        commands.push(.end)
    }
}
