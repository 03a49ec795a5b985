import TimbreCodecs
import TimbreConference
import TimbreCore

/// A bridge on a media thread: a `MixMinusBridge` (N = 2 is a call; more is a conference) and
/// the legs attached to it. Owned by one media thread.
///
/// In a conference, legs whose codec runs at the bridge rate share a `SharedEncoderGroup`:
/// every listener who hears exactly the full mix gets the one payload it encoded this tick, so
/// a room of N listeners costs about K + 1 encodes (K mixed talkers) instead of N. The group
/// serves the codec of the first such leg; legs in another codec encode for themselves.
public final class EngineBridge: @unchecked Sendable {
    // @unchecked: the mixer's control API (`controller`) is thread-safe by design; the member
    // list and per-frame calls are used by the owning media thread only.
    public let id: UInt64
    public let mixer: MixMinusBridge
    private(set) var members: [(leg: CallLeg, participant: ParticipantID)] = []
    /// The conference's shared encoders (nil for a call, or until a leg can use them) and the
    /// codec they encode.
    private var encoderGroup: SharedEncoderGroup<EngineEncoder>?
    private var groupCodec: String?
    private var grouped: [(leg: CallLeg, participant: ParticipantID)] = []
    /// Recording taps (media thread only). The mixer has one recording tap; it fans out here.
    private var taps: [MediaTap] = []
    /// Interleaves a split recording's channels; sized when a tap is added, never per frame.
    private var scratch: [Int16] = []

    public init(id: UInt64, configuration: BridgeConfiguration) {
        self.id = id
        self.mixer = MixMinusBridge(configuration: configuration)
    }

    /// Adds a recording tap. Media thread only, between ticks (it may allocate). The mixer
    /// calls it only while recording is on (`MediaEngine.addTap` turns that on).
    func addTap(_ tap: MediaTap) {
        taps.removeAll { $0.id == tap.id }
        taps.append(tap)
        let need = mixer.frameSamples * max(1, tap.channels)
        if scratch.count < need { scratch = [Int16](repeating: 0, count: need) }
        installMixerTap()
    }

    /// Removes a tap; true when it was this bridge's.
    @discardableResult
    func removeTap(_ id: UInt64) -> Bool {
        guard taps.contains(where: { $0.id == id }) else { return false }
        taps.removeAll { $0.id == id }
        installMixerTap()
        return true
    }

    private func installMixerTap() {
        guard !taps.isEmpty else {
            mixer.setRecordingTap(nil)
            return
        }
        let split = taps.contains { $0.isSplit }
        mixer.setRecordingTap(RecordingTap(mode: split ? .perParticipant : .fullMix) { [unowned self] frame in
            self.feedTaps(frame)
        })
    }

    /// One mixer frame to every tap: the mix as is, or each party on its channel (in the tap's
    /// `channelOrder`, else in the order the parties appear). Allocation-free.
    private func feedTaps(_ frame: RecordingFrame) {
        for tap in taps {
            guard tap.isSplit else {
                tap.write(frame.mix, 1)
                continue
            }
            let f = frame.mix.count
            let channels = max(1, tap.channels)
            scratch.withUnsafeMutableBufferPointer { s in
                let out = UnsafeMutableBufferPointer(rebasing: s[0..<(f * channels)])
                out.update(repeating: 0)
                var next = 0
                frame.forEachChannel { participant, samples in
                    let c: Int
                    if tap.channelOrder.isEmpty {
                        c = next
                        next += 1
                    } else {
                        guard let i = tap.channelOrder.firstIndex(of: participant) else { return }
                        c = i
                    }
                    guard c < channels else { return }
                    for i in 0..<min(f, samples.count) { out[i * channels + c] = samples[i] }
                }
                tap.write(UnsafeBufferPointer(out), channels)
            }
        }
    }

    public var controller: ConferenceController { mixer.controller }

    /// Attaches a leg (media thread, between ticks: may allocate the group's encoders).
    func add(_ leg: CallLeg, as participant: ParticipantID) {
        remove { $0 === leg }
        members.append((leg, participant))
        joinEncoderGroup(leg, as: participant)
    }

    /// Detaches every leg matching `predicate`.
    func remove(where predicate: (CallLeg) -> Bool) {
        members.removeAll { predicate($0.leg) }
        for g in grouped where predicate(g.leg) {
            encoderGroup?.remove(g.participant)
            g.leg.sharedPayload = nil
        }
        grouped.removeAll { predicate($0.leg) }
    }

    /// Puts a conference leg at the bridge rate into the shared encoders when its codec is the
    /// group's (the first such leg's).
    private func joinEncoderGroup(_ leg: CallLeg, as participant: ParticipantID) {
        guard mixer.configuration.maximumParticipants > 2, let media = leg.media,
            media.codec.descriptor.sampleRate == mixer.configuration.sampleRate,
            groupCodec == nil || groupCodec == media.codec.descriptor.id
        else { return }
        if encoderGroup == nil {
            let codec = media.codec
            let options = leg.encoderOptions
            encoderGroup = try? SharedEncoderGroup<EngineEncoder>(
                bridge: mixer, makeEncoder: { () throws(CodecError) -> EngineEncoder in EngineEncoder(base: try codec.makeEncoder(options)) },
                handover: EngineEncoder.handover)
            guard encoderGroup != nil else { return }
            groupCodec = codec.descriptor.id
        }
        guard (try? encoderGroup?.add(participant)) != nil else { return }
        grouped.append((leg, participant))
    }

    /// One frame: every member's inbound audio in, mix-minus out to every member's outbound.
    func tick(events: SPSCRingBuffer<EngineEvent>) {
        mixer.applyPendingCommands()
        for m in members {
            m.leg.inbound.withUnsafeBufferPointer { _ = mixer.write($0, from: m.participant) }
        }
        mixer.mix()
        for m in members {
            m.leg.outbound.withUnsafeMutableBufferPointer { _ = mixer.read(into: $0, for: m.participant) }
        }
        if let group = encoderGroup, !grouped.isEmpty, (try? group.encode()) != nil {
            for g in grouped {
                // (A re-offer may have changed the leg's codec since it joined.)
                g.leg.sharedPayload = g.leg.media?.codec.descriptor.id == groupCodec ? group.payload(for: g.participant) : nil
            }
        }
        while let e = mixer.nextEvent() {
            switch e.kind {
            case .speakingStarted(let p):
                if let leg = members.first(where: { $0.participant == p })?.leg {
                    _ = events.push(.talking(bridge: id, leg: leg.id, speaking: true))
                }
            case .speakingStopped(let p):
                if let leg = members.first(where: { $0.participant == p })?.leg {
                    _ = events.push(.talking(bridge: id, leg: leg.id, speaking: false))
                }
            default:
                break
            }
        }
    }
}
