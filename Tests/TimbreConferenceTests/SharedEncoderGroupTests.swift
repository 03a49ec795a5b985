import Testing
import TimbreCodecs
import TimbreConference
import TimbreCore

/// A room of 8 with top-2 mixing whose talkers change: 0 and 1 talk from the start; 2 talks
/// louder from frame 50 to 100 (it displaces one of them, then drops out again after the top-K
/// hold); the rest are idle microphones. One tick = write every frame, mix.
private struct ChangingRoom {
    let bridge: MixMinusBridge
    var ids: [ParticipantID] = []
    var signals: [[Int16]] = []
    var tick = 0
    let f: Int

    init(rate: SampleRate = .wideband, deafListener: Bool = false) throws {
        var config = BridgeConfiguration()
        config.sampleRate = rate
        config.maximumParticipants = 8
        config.topK = TopKPolicy(k: 2, appliesAbove: 0)
        bridge = MixMinusBridge(configuration: config)
        let hz = rate.hertz
        f = hz / 50
        let n = hz * 5
        for i in 0..<8 {
            let id = try bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: rate)
            ids.append(id)
            switch i {
            case 0, 1:
                signals.append(sine(250 + 130 * Double(i), rate: hz, count: n, amplitude: 4000))
            case 2:
                var s = noise(count: n, amplitude: 20, seed: 2)
                let loud = sine(700, rate: hz, count: n, amplitude: 10_000)
                for t in (50 * f)..<(100 * f) { s[t] = loud[t] }
                signals.append(s)
            default:
                signals.append(noise(count: n, amplitude: 20, seed: UInt64(i)))
            }
        }
        if deafListener { try bridge.controller.setDeaf(true, ids[7], by: ids[0]) }
        bridge.applyPendingCommands()
    }

    mutating func step() {
        for (i, id) in ids.enumerated() {
            signals[i].withUnsafeBufferPointer { s in
                _ = bridge.write(UnsafeBufferPointer(rebasing: s[(tick * f)..<((tick + 1) * f)]), from: id)
            }
        }
        bridge.mix()
        tick += 1
    }
}

@Suite struct SharedEncoderGroupTests {
    /// G.722 (stateful): until a listener first goes back from its own encoder to the shared
    /// one, every payload it receives is byte for byte what an encoder that ran on its own
    /// signal from the start produces — the shared → own handover continues the stream exactly.
    @Test func sharedToOwnHandoverIsExact() throws {
        var room = try ChangingRoom()
        // Past the first frames, where everyone who joined before the first tick fades out of
        // the mix (so nobody hears the full mix) and talkers 0 and 1 fade in.
        for _ in 0..<5 { room.step() }
        let group = try SharedEncoderGroup(bridge: room.bridge, makeEncoder: { G722Encoder() })
        for id in room.ids { try group.add(id) }
        var references = room.ids.map { _ in G722Encoder() }
        var returned = Array(repeating: false, count: 8)
        var wasOwn = Array(repeating: false, count: 8)
        var ownToShared = 0
        var sharedToOwn = Array(repeating: 0, count: 8)
        var checked = 0
        var checkedOwn2 = 0
        var reference = [UInt8](repeating: 0, count: 160)
        for _ in 0..<245 {
            room.step()
            try group.encode()
            for (i, id) in room.ids.enumerated() {
                let frame = try #require(room.bridge.outputFrame(for: id))
                let count = try reference.withUnsafeMutableBytes { try references[i].encode(frame, into: $0) }
                let sharing = group.isSharing(id)
                if wasOwn[i] && sharing {
                    returned[i] = true
                    ownToShared += 1
                }
                if !wasOwn[i] && !sharing { sharedToOwn[i] += 1 }
                wasOwn[i] = !sharing
                guard !returned[i] else { continue }
                let payload = try #require(group.payload(for: id))
                #expect(Array(payload) == Array(reference[0..<count]), "listener \(i) at tick \(room.tick)")
                checked += 1
                if i == 2 && !sharing { checkedOwn2 += 1 }
            }
        }
        // The talkers changed: listener 2 took its own encoder when it was mixed, and someone
        // went back to the shared encoder after leaving the mix.
        #expect(sharedToOwn[2] >= 1)
        #expect(ownToShared >= 1)
        #expect(checked > 1000)
        #expect(checkedOwn2 > 20)
    }

    /// G.711 (stateless): every payload equals the encoding of what the listener hears, on
    /// every tick, through all switches; sharing happens exactly when the signal is the full
    /// mix, and listeners return to it within `matchesToShare` ticks.
    @Test func everyPayloadMatchesWhatTheListenerHears() throws {
        var room = try ChangingRoom(rate: .narrowband, deafListener: true)
        let group = try SharedEncoderGroup(bridge: room.bridge, makeEncoder: { PCMUEncoder() })
        for id in room.ids { try group.add(id) }
        var encoder = PCMUEncoder()
        var expected = [UInt8](repeating: 0, count: 160)
        var fullRun = Array(repeating: 0, count: 8)
        var ownTicks = Array(repeating: 0, count: 8)
        var settledEncodes: [Int] = []
        for _ in 0..<250 {
            room.step()
            try group.encode()
            var own = 0
            for (i, id) in room.ids.enumerated() {
                let frame = try #require(room.bridge.outputFrame(for: id))
                let count = try expected.withUnsafeMutableBytes { try encoder.encode(frame, into: $0) }
                let payload = try #require(group.payload(for: id))
                #expect(Array(payload) == Array(expected[0..<count]), "listener \(i) at tick \(room.tick)")
                let hearsFull = room.bridge.hearsFullMix(id)
                fullRun[i] = hearsFull ? fullRun[i] + 1 : 0
                if group.isSharing(id) {
                    #expect(hearsFull, "listener \(i) shares a signal it does not hear at tick \(room.tick)")
                } else {
                    own += 1
                    ownTicks[i] += 1
                    // Two matching payloads, then shared from the next tick.
                    #expect(fullRun[i] <= group.matchesToShare, "listener \(i) at tick \(room.tick)")
                }
            }
            #expect(group.encodesLastTick == own + 1)
            if room.tick == 40 || room.tick == 249 { settledEncodes.append(group.encodesLastTick) }
        }
        // Settled: the two mixed talkers on their own encoders, the deaf listener (silence),
        // and the shared encoder.
        #expect(settledEncodes == [4, 4])
        #expect(ownTicks[7] == 250)
        #expect(ownTicks[2] > 0)
        // An idle listener: only at the start, while everyone fades out of the first frame's mix
        // (one tick), then `matchesToShare` matching ticks.
        #expect(ownTicks[5] == 1 + group.matchesToShare)
    }

    /// Listeners added and removed: a removed listener has no payload; an unknown one is refused.
    @Test func membership() throws {
        var room = try ChangingRoom(rate: .narrowband)
        let group = try SharedEncoderGroup(bridge: room.bridge, makeEncoder: { PCMUEncoder() })
        try group.add(room.ids[3])
        #expect(throws: CodecError.self) { try group.add(room.ids[3]) }
        room.step()
        try group.encode()
        #expect(group.payload(for: room.ids[3])?.count == 160)
        #expect(group.payload(for: room.ids[4]) == nil)
        group.remove(room.ids[3])
        #expect(group.payload(for: room.ids[3]) == nil)
        #expect(!group.isSharing(room.ids[3]))
    }
}
