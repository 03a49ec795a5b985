#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TimbreCore

/// An N-party mix-minus conference bridge: everyone hears everyone but themselves.
///
/// Per 20 ms tick the media thread calls `write` once per participant (its frame at its own
/// rate), then `mix()`, then `read` once per participant. `mix()` is O(N): the contributions
/// are summed once into a 32-bit bus, and each listener's mix is `bus − own contribution`,
/// limited to 16 bits by its own `SoftLimiter`; listeners who contribute nothing share one
/// limited copy of the bus. All buffers are contiguous and allocated in `init`: `write`, `mix`
/// and `read` allocate nothing, take no lock and make no system call.
///
/// Control (join, leave, mute, host operations) goes through `controller`, from any thread;
/// changes take effect at the start of the next `mix()` and every change of what is heard is
/// a one-frame (20 ms) linear fade, so nothing clicks.
///
/// Rooms above `TopKPolicy.appliesAbove` mix only the K loudest active talkers (talkers keep
/// their place through the pauses between words), so idle microphones do not add up and each
/// listener's cost stays flat as N grows. N = 2 is the ordinary call path.
///
/// Not thread-safe itself: one media thread owns the bridge.
public final class MixMinusBridge {
    public let configuration: BridgeConfiguration
    /// The control plane; share it with other threads.
    public let controller: ConferenceController
    /// Samples per frame at the bridge rate.
    public let frameSamples: Int
    /// Slots available (maximum participants plus spares for those still fading out).
    public let slotCapacity: Int

    /// One participant's per-frame state on the media thread: exactly what the summing and
    /// mix-minus passes read and write, packed into one 64-byte cache line (the array is
    /// 64-byte aligned). In a room of a thousand, each pass over the slots then moves one line
    /// per participant instead of the three or four a slot with everything in it spanned —
    /// about a tenth of the tick's memory traffic. What those passes never touch (the speaker
    /// detector, the whisper target, top-K bookkeeping) lives in `SlotDetail`; the settings the
    /// passes need are copied in here as flags when they change (`take(_:)`).
    @usableFromInline
    struct Slot {
        @usableFromInline var id = ParticipantID(rawValue: 0)
        @usableFromInline var occupied = false
        var leaving = false
        @usableFromInline var hasInput = false
        var inSum = false
        var contributed = false
        /// The contribution is the 16-bit input itself (unity gain, no fade): no 32-bit copy.
        var contributionIsInput = false
        /// The participant's rate differs from the bridge's (its port holds resamplers).
        @usableFromInline var resampled = false
        /// This frame's output is exactly `fullMixFrame` (set by `mix()`).
        var heardFullMix = false
        /// `ParticipantSettings.contributes`, `.hears`, on hold with music, whispering.
        var contributes = false
        var hears = false
        var hearsHoldMusic = false
        var whispers = false
        /// Q12 gains reached at the end of the last frame (contribution and listening).
        var contributionQ12: Int32 = 0
        var listenQ12: Int32 = 0
        /// Peak magnitude of this frame's input, when `contributionIsInput`.
        var inputPeak: Int32 = 0
        /// `ParticipantSettings.gain` in Q12.
        var gainQ12: Int32 = 4096
        /// The slot this participant whispers to this frame, or −1.
        var whisperSlot: Int32 = -1
        var limiter: SoftLimiter
        /// Samples per frame at the participant's rate.
        @usableFromInline var participantFrameSamples: Int32 = 0

        /// Copies in what the per-frame passes need of new settings.
        mutating func take(_ settings: ParticipantSettings) {
            contributes = settings.contributes
            hears = settings.hears
            hearsHoldMusic = settings.onHold && settings.holdMusic
            whispers = settings.whisperTarget != nil
            gainQ12 = settings.gain.q12
        }
    }

    /// The rest of a participant's media-thread state: read by the speaker detection, top-K
    /// selection, normalisation and whisper routing, not by every participant's summing and
    /// mix-minus (see `Slot`).
    struct SlotDetail {
        /// `ParticipantSettings.whisperTarget` (the only setting not kept as a flag in `Slot`).
        var whisperTarget: ParticipantID?
        var selected = false
        var normalizationDB: Float = 0
        var nextWhisperer = -1
        var lastActiveFrame: Int64 = -1_000_000
        var detector = ActiveSpeakerDetector()
    }

    /// The bridge's mutable per-frame state, kept behind a pointer rather than in stored `var`s
    /// of the class: every access to a class's stored `var` pays a dynamic exclusivity check
    /// (`swift_beginAccess`, a thread-local lookup), which showed in the profile of a 3-party tick.
    struct FrameState {
        var frameIndex: Int64 = 0
        var droppedEvents = 0
        var fullLimiter: SoftLimiter
        var holdPosition = 0
        /// Participants present and not leaving (the room size top-K looks at).
        var roomSize = 0
        /// Participants fading out, still to be retired.
        var leavingCount = 0
        var recording = false
        var ended = false
        /// One past the highest occupied slot: the per-frame loops stop here (slots are handed
        /// out lowest first, so this is about the room size, not the capacity with its spares).
        var slotEnd = 0
    }

    /// Events the bridge could not queue because the consumer fell behind.
    public var droppedEvents: Int { state.pointee.droppedEvents }
    /// Frames mixed so far.
    public var frameIndex: Int64 { state.pointee.frameIndex }

    @usableFromInline let slots: UnsafeMutablePointer<Slot>
    let details: UnsafeMutablePointer<SlotDetail>
    let ports: UnsafeMutablePointer<ParticipantPort?>
    @usableFromInline let input: UnsafeMutablePointer<Int16>  // slotCapacity × frameSamples
    let contribution: UnsafeMutablePointer<Int32>  // slotCapacity × frameSamples
    @usableFromInline let output: UnsafeMutablePointer<Int16>  // slotCapacity × frameSamples
    let channels: UnsafeMutablePointer<Int16>  // per-participant recording channels
    let bus: UnsafeMutablePointer<Int32>
    let work: UnsafeMutablePointer<Int32>
    let fullMix: UnsafeMutablePointer<Int16>
    let holdFrame: UnsafeMutablePointer<Int16>
    let whisperHead: UnsafeMutablePointer<Int>
    /// This frame's energy per slot for the speaker detectors (negative: silenced).
    let levels: UnsafeMutablePointer<Int64>
    let state: UnsafeMutablePointer<FrameState>
    var tap: RecordingTap?
    /// Hoisted configuration flags (read per participant on the frame path).
    let hasHoldMusic: Bool
    let normalizes: Bool
    /// Talk events are emitted (`BridgeConfiguration.detectsSpeakers`).
    let emitsTalkEvents: Bool
    /// Levels are measured every frame even without top-K (talk events or normalisation).
    let measuresLevels: Bool
    /// `BridgeConfiguration.limitsLoneTalker`.
    let limitsLoneTalker: Bool
    /// Frames a talker stays eligible for top-K after its last active frame (1 s): bridges pauses.
    let topKHoldFrames: Int64

    public init(configuration: BridgeConfiguration = BridgeConfiguration()) {
        precondition(configuration.maximumParticipants > 0, "a bridge holds at least one participant")
        self.configuration = configuration
        let f = configuration.frameSamples
        frameSamples = f
        slotCapacity = configuration.maximumParticipants + max(4, configuration.maximumParticipants / 4)
        controller = ConferenceController(configuration: configuration, slotCapacity: slotCapacity)
        let limiter = SoftLimiter(sampleRate: configuration.sampleRate.hertz, frameSamples: f)
        state = .allocate(capacity: 1)
        state.initialize(to: FrameState(fullLimiter: limiter))
        assert(MemoryLayout<Slot>.stride == 64, "a Slot is one cache line")
        slots = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Slot>.stride * slotCapacity, alignment: 64)
            .bindMemory(to: Slot.self, capacity: slotCapacity)
        slots.initialize(repeating: Slot(limiter: limiter), count: slotCapacity)
        var blank = SlotDetail()
        blank.detector = ActiveSpeakerDetector(configuration: configuration.speakerDetection)
        details = .allocate(capacity: slotCapacity)
        details.initialize(repeating: blank, count: slotCapacity)
        ports = .allocate(capacity: slotCapacity)
        ports.initialize(repeating: nil, count: slotCapacity)
        let n = slotCapacity * f
        input = .allocate(capacity: n)
        input.initialize(repeating: 0, count: n)
        contribution = .allocate(capacity: n)
        contribution.initialize(repeating: 0, count: n)
        output = .allocate(capacity: n)
        output.initialize(repeating: 0, count: n)
        channels = .allocate(capacity: n)
        channels.initialize(repeating: 0, count: n)
        bus = .allocate(capacity: f)
        bus.initialize(repeating: 0, count: f)
        work = .allocate(capacity: f)
        work.initialize(repeating: 0, count: f)
        fullMix = .allocate(capacity: f)
        fullMix.initialize(repeating: 0, count: f)
        holdFrame = .allocate(capacity: f)
        holdFrame.initialize(repeating: 0, count: f)
        whisperHead = .allocate(capacity: slotCapacity)
        whisperHead.initialize(repeating: -1, count: slotCapacity)
        levels = .allocate(capacity: slotCapacity)
        levels.initialize(repeating: -1, count: slotCapacity)
        topKHoldFrames = Int64(1000 / configuration.frameDuration.milliseconds)
        hasHoldMusic = !configuration.holdMusic.isEmpty
        normalizes = configuration.normalizesLevels
        emitsTalkEvents = configuration.detectsSpeakers
        measuresLevels = configuration.detectsSpeakers || configuration.normalizesLevels
        limitsLoneTalker = configuration.limitsLoneTalker
    }

    deinit {
        slots.deinitialize(count: slotCapacity)
        UnsafeMutableRawPointer(slots).deallocate()
        details.deinitialize(count: slotCapacity)
        details.deallocate()
        ports.deinitialize(count: slotCapacity)
        ports.deallocate()
        input.deallocate()
        contribution.deallocate()
        output.deallocate()
        channels.deallocate()
        bus.deallocate()
        work.deallocate()
        fullMix.deallocate()
        holdFrame.deallocate()
        whisperHead.deallocate()
        levels.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // MARK: Media thread API

    /// Hands in one frame from a participant, at its own rate (`frameDuration` long: 160, 320
    /// or 960 samples). Returns false, ignoring the samples, for an unknown participant or a
    /// frame of the wrong length. A participant that writes nothing in a tick contributes silence.
    @inlinable @discardableResult
    public func write(_ samples: UnsafeBufferPointer<Int16>, from id: ParticipantID) -> Bool {
        guard let slot = liveSlot(id), samples.count == Int(slots[slot].participantFrameSamples),
            let src = samples.baseAddress
        else { return false }
        if slots[slot].resampled { return writeResampled(samples, slot: slot) }
        (input + slot * frameSamples).update(from: src, count: frameSamples)
        slots[slot].hasInput = true
        return true
    }

    /// `write` for a participant at another rate: through its port's upsampler. Kept out of line
    /// (the port is internal); only resampled participants touch it (no reference counting
    /// otherwise).
    @usableFromInline
    func writeResampled(_ samples: UnsafeBufferPointer<Int16>, slot: Int) -> Bool {
        guard let up = ports[slot]?.upsampler else { return false }
        up.process(samples, into: UnsafeMutableBufferPointer(start: input + slot * frameSamples, count: frameSamples))
        slots[slot].hasInput = true
        return true
    }

    /// Copies out what a participant hears this frame, at its own rate. Returns false for an
    /// unknown participant or a buffer shorter than one frame.
    @inlinable @discardableResult
    public func read(into samples: UnsafeMutableBufferPointer<Int16>, for id: ParticipantID) -> Bool {
        guard let slot = liveSlot(id), samples.count >= Int(slots[slot].participantFrameSamples),
            let dst = samples.baseAddress
        else { return false }
        if slots[slot].resampled { return readResampled(into: dst, slot: slot) }
        dst.update(from: output + slot * frameSamples, count: frameSamples)
        return true
    }

    /// `read` for a participant at another rate: its port's downsampled output.
    @usableFromInline
    func readResampled(into dst: UnsafeMutablePointer<Int16>, slot: Int) -> Bool {
        guard let port = ports[slot] else { return false }
        dst.update(from: port.output.baseAddress!, count: port.frameSamples)
        return true
    }

    /// Zero-copy input: the bridge's own input slot for a participant at the bridge rate, for a
    /// decoder to write this tick's frame straight into (`frameSamples` long). Marks the frame
    /// as written. Nil for an unknown participant or one whose rate differs (use `write`).
    /// Inlinable: a decoder's caller asks for it once per participant per tick.
    @inlinable
    public func inputFrame(for id: ParticipantID) -> UnsafeMutableBufferPointer<Int16>? {
        guard let slot = liveSlot(id), !slots[slot].resampled else { return nil }
        slots[slot].hasInput = true
        return UnsafeMutableBufferPointer(start: input + slot * frameSamples, count: frameSamples)
    }

    /// Zero-copy output: what a bridge-rate participant hears this tick, for an encoder to read
    /// straight from; valid until the next `mix()`. Nil for an unknown or resampled participant.
    @inlinable
    public func outputFrame(for id: ParticipantID) -> UnsafeBufferPointer<Int16>? {
        guard let slot = liveSlot(id), !slots[slot].resampled else { return nil }
        return UnsafeBufferPointer(start: output + slot * frameSamples, count: frameSamples)
    }

    /// Whether what a participant hears this frame is exactly `fullMixFrame` (it is not mixed
    /// itself, hears no whisper, is not fading, on hold or deaf): listeners for which this holds
    /// may share one encoder and one payload (`SharedEncoderGroup`). Valid until the next `mix()`.
    public func hearsFullMix(_ id: ParticipantID) -> Bool {
        guard let slot = liveSlot(id) else { return false }
        return slots[slot].heardFullMix
    }

    /// Samples per frame at a participant's own rate (what `write` takes and `read` gives).
    public func participantFrameSamples(for id: ParticipantID) -> Int? {
        guard let slot = liveSlot(id) else { return nil }
        return Int(slots[slot].participantFrameSamples)
    }

    /// The limited mix of everyone contributing this frame (what a pure listener hears), at the
    /// bridge rate. Valid until the next `mix()`.
    public var fullMixFrame: UnsafeBufferPointer<Int16> { UnsafeBufferPointer(start: fullMix, count: frameSamples) }

    /// Installs the recording tap, called on the media thread at the end of every `mix()` while
    /// recording is on (the host starts and stops it through the controller).
    public func setRecordingTap(_ tap: RecordingTap?) { self.tap = tap }

    /// The next event for a single-threaded owner (tests, offline tools). With a separate control
    /// thread, use `controller.nextEvent()` instead.
    public func nextEvent() -> ConferenceEvent? { controller.nextEvent() }

    @inlinable @inline(__always)
    func liveSlot(_ id: ParticipantID) -> Int? {
        let s = id.slot
        guard s < slotCapacity, slots[s].occupied, slots[s].id == id else { return nil }
        return s
    }

    func emit(_ kind: ConferenceEvent.Kind, at time: Int64) {
        if !controller.events.push(ConferenceEvent(kind: kind, sampleTime: time)) { state.pointee.droppedEvents += 1 }
    }

    /// Applies control changes queued since the last frame. `mix()` calls it first; call it
    /// directly to make joins made before the first frame take effect without a fade.
    public func applyPendingCommands() {
        let st = state
        let frameIndex = st.pointee.frameIndex
        while let command = controller.commands.pop() {
            switch command {
            case .join(let id, let settings, let port):
                let s = id.slot
                guard s < slotCapacity, !slots[s].occupied else { continue }
                let limiter = SoftLimiter(sampleRate: configuration.sampleRate.hertz, frameSamples: frameSamples)
                var slot = Slot(limiter: limiter)
                var detail = SlotDetail()
                detail.detector = ActiveSpeakerDetector(configuration: configuration.speakerDetection)
                detail.whisperTarget = settings.whisperTarget
                slot.take(settings)
                slot.id = id
                slot.occupied = true
                slot.resampled = port.upsampler != nil
                slot.participantFrameSamples = Int32(port.frameSamples)
                if frameIndex == 0 {
                    // Nothing has played yet, so there is nothing to fade from.
                    slot.contributionQ12 = settings.contributes ? settings.gain.q12 : 0
                    slot.listenQ12 = settings.hears ? 4096 : 0
                }
                details[s] = detail
                slots[s] = slot
                ports[s] = port
                st.pointee.roomSize += 1
                st.pointee.slotEnd = max(st.pointee.slotEnd, s + 1)
                (input + s * frameSamples).update(repeating: 0, count: frameSamples)
            case .update(let id, let settings):
                if let s = liveSlot(id) {
                    details[s].whisperTarget = settings.whisperTarget
                    slots[s].take(settings)
                }
            case .leave(let id):
                if let s = liveSlot(id), !slots[s].leaving {
                    slots[s].leaving = true
                    st.pointee.roomSize -= 1
                    st.pointee.leavingCount += 1
                }
            case .recording(let on):
                if on != st.pointee.recording {
                    st.pointee.recording = on
                    emit(on ? .recordingStarted : .recordingStopped, at: frameIndex * Int64(frameSamples))
                }
            case .end:
                for s in 0..<slotCapacity where slots[s].occupied && !slots[s].leaving {
                    slots[s].leaving = true
                    st.pointee.roomSize -= 1
                    st.pointee.leavingCount += 1
                }
                st.pointee.ended = true
                if st.pointee.recording {
                    st.pointee.recording = false
                    emit(.recordingStopped, at: frameIndex * Int64(frameSamples))
                }
            }
        }
    }
}
