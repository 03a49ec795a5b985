import Testing
import TimbreConference
import TimbreCore

@Suite struct MixMinusBridgeTests {
    /// Below the limiter threshold every output is the exact integer sum of the others.
    @Test func mixMinusIsSampleExactBelowTheLimiter() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 6
        var h = BridgeHarness(config)
        var ids: [ParticipantID] = []
        let n = 16_000
        for i in 0..<5 {
            let id = try h.bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
            ids.append(id)
            h.add(id, signal: noise(count: n, amplitude: 3000, seed: UInt64(i + 1)))
        }
        h.bridge.applyPendingCommands()
        h.run(frames: 50)
        for (j, id) in ids.enumerated() {
            var mismatches = 0
            for t in 0..<n {
                var expected = 0
                for (i, other) in ids.enumerated() where i != j { expected += Int(h.signals[other]![t]) }
                if Int(h.heard[id]![t]) != expected { mismatches += 1 }
            }
            #expect(mismatches == 0, "participant \(j)")
        }
        var fullMismatches = 0
        for t in 0..<n where Int(h.full[t]) != ids.reduce(0, { $0 + Int(h.signals[$1]![t]) }) { fullMismatches += 1 }
        #expect(fullMismatches == 0)
    }

    /// N = 2 is a plain call: each side hears exactly the other.
    @Test func twoPartyCallPassesAudioThrough() throws {
        var h = BridgeHarness()
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let sa = sine(440, rate: 16_000, count: 3200, amplitude: 12_000)
        let sb = sine(1000, rate: 16_000, count: 3200, amplitude: 12_000)
        h.add(a, signal: sa)
        h.add(b, signal: sb)
        h.bridge.applyPendingCommands()
        h.run(frames: 10)
        #expect(h.heard[a]! == sb)
        #expect(h.heard[b]! == sa)
    }

    /// Full-scale talkers in phase: no wrap, no −32768, nothing at or above the ceiling, and
    /// the output keeps the sign of the sum.
    @Test func limiterHoldsFullScaleMixes() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 5
        var h = BridgeHarness(config)
        var ids: [ParticipantID] = []
        let square = (0..<8000).map { ($0 / 40) % 2 == 0 ? Int16.max : Int16.min }
        for i in 0..<5 {
            let id = try h.bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
            ids.append(id)
            h.add(id, signal: square)
        }
        h.bridge.applyPendingCommands()
        h.run(frames: 25)
        for id in ids {
            let out = h.heard[id]!
            #expect(!out.contains(Int16.min))
            #expect(out.allSatisfy { abs(Int32($0)) < 32_000 })
            for t in 0..<8000 where square[t] != 0 {
                #expect((out[t] > 0) == (square[t] > 0))
            }
        }
        #expect(h.full.allSatisfy { abs(Int32($0)) < 32_000 })
    }

    /// A full mix above the threshold is limited while each mix-minus below it stays exact
    /// (the 16-bit and 32-bit paths agree).
    @Test func loudFullMixQuietMinus() throws {
        var h = BridgeHarness()
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let c = try h.bridge.controller.join(sampleRate: .wideband)
        let sa = sine(300, rate: 16_000, count: 6400, amplitude: 10_000)
        let sb = sine(300, rate: 16_000, count: 6400, amplitude: 9000)
        h.add(a, signal: sa)
        h.add(b, signal: sb)
        h.add(c, signal: [Int16](repeating: 0, count: 6400))
        h.bridge.applyPendingCommands()
        h.run(frames: 20)
        #expect(h.heard[a]! == sb)
        #expect(h.heard[b]! == sa)
        // c hears the limited sum: below full scale, peaks held near the threshold.
        let peak = h.heard[c]!.map { abs(Int32($0)) }.max()!
        #expect(peak < 19_000 && peak > 15_000)
        #expect(h.full.map { abs(Int32($0)) }.max()! < 19_000)
    }

    /// Top-K: in a room of 12 with K = 3 only the three loudest talkers are mixed; the idle
    /// microphones' noise is not.
    @Test func topKMixesOnlyTheLoudestTalkers() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 12
        var h = BridgeHarness(config)
        var ids: [ParticipantID] = []
        let n = 32_000
        let amplitudes = [6000.0, 5000.0, 4000.0, 1500.0]
        for i in 0..<12 {
            let id = try h.bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
            ids.append(id)
            if i < 4 {
                h.add(id, signal: sine(300 + 170 * Double(i), rate: 16_000, count: n, amplitude: amplitudes[i]))
            } else {
                h.add(id, signal: noise(count: n, amplitude: 40, seed: UInt64(i)))  // about −62 dBFS
            }
        }
        h.bridge.applyPendingCommands()
        h.run(frames: 100)
        // After the first half second the selection has settled: full = talkers 0, 1, 2 exactly.
        var mismatches = 0
        for t in 8000..<n {
            let expected = (0..<3).reduce(0) { $0 + Int(h.signals[ids[$1]]![t]) }
            if Int(h.full[t]) != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // An idle listener hears the same; talker 0 hears talkers 1 and 2.
        #expect(Array(h.heard[ids[7]]![8000..<n]) == Array(h.full[8000..<n]))
        var minus0 = 0
        for t in 8000..<n where Int(h.heard[ids[0]]![t]) != Int(h.signals[ids[1]]![t]) + Int(h.signals[ids[2]]![t]) {
            minus0 += 1
        }
        #expect(minus0 == 0)
    }

    /// With K ≥ N everyone is mixed, idle microphones included.
    @Test func topKAtLeastNMixesEveryone() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 12
        config.topK = .always(k: 12)
        var h = BridgeHarness(config)
        var ids: [ParticipantID] = []
        for i in 0..<12 {
            let id = try h.bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
            ids.append(id)
            h.add(id, signal: noise(count: 6400, amplitude: i == 0 ? 5000 : 40, seed: UInt64(i + 7)))
        }
        h.bridge.applyPendingCommands()
        h.run(frames: 20)
        var mismatches = 0
        for t in 0..<6400 where Int(h.full[t]) != ids.reduce(0, { $0 + Int(h.signals[$1]![t]) }) { mismatches += 1 }
        #expect(mismatches == 0)
    }

    /// A join mid-call fades in and a leave fades out, each within 50 ms, with no step.
    @Test func joinAndLeaveFade() throws {
        var h = BridgeHarness()
        let host = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        h.add(host, signal: [Int16](repeating: 0, count: 16_000))
        h.bridge.applyPendingCommands()
        h.run(frames: 10)
        let late = try h.bridge.controller.join(sampleRate: .wideband)
        h.add(late, signal: [Int16](repeating: 10_000, count: 16_000))  // a DC step: worst case
        h.run(frames: 10)
        var heard = h.heard[host]!
        // The join takes effect at frame 10; the fade starts with its first audio, frame 11.
        let joinStart = 11 * 320
        #expect(heard[joinStart - 1] == 0)
        // Rises without a jump, reaching the full level within 50 ms (800 samples).
        var maxStep = 0
        for t in joinStart..<(joinStart + 800) { maxStep = max(maxStep, abs(Int(heard[t]) - Int(heard[t - 1]))) }
        #expect(maxStep <= 100)
        #expect(heard[joinStart + 800] == 10_000)
        try h.bridge.controller.leave(late)
        h.run(frames: 10)
        heard = h.heard[host]!
        let leaveStart = 20 * 320
        var maxDown = 0
        for t in leaveStart..<(leaveStart + 800) { maxDown = max(maxDown, abs(Int(heard[t]) - Int(heard[t - 1]))) }
        #expect(maxDown <= 100)
        #expect(heard[leaveStart + 800] == 0)
        #expect(h.events.contains { $0.kind == .left(late) })
        #expect(h.bridge.write([Int16](repeating: 0, count: 320).withUnsafeBufferPointer { $0 }, from: late) == false)
    }

    /// Participants at 8, 16 and 48 kHz on a 16 kHz bridge hear each other's tones at the right
    /// frequency and level after the resamplers.
    @Test func mixedRatesAreResampled() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 3
        var h = BridgeHarness(config)
        let a = try h.bridge.controller.join(as: .host, sampleRate: .narrowband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let c = try h.bridge.controller.join(sampleRate: .fullband)
        h.add(a, rate: 8000, signal: sine(440, rate: 8000, count: 8000, amplitude: 8000))
        h.add(b, rate: 16_000, signal: [Int16](repeating: 0, count: 16_000))
        h.add(c, rate: 48_000, signal: sine(1000, rate: 48_000, count: 48_000, amplitude: 8000))
        h.bridge.applyPendingCommands()
        h.run(frames: 50)
        let heardB = h.heard[b]!
        let heardC = h.heard[c]!
        let heardA = h.heard[a]!
        #expect(heardB.count == 16_000 && heardC.count == 48_000 && heardA.count == 8000)
        // b hears both tones; c (48 kHz) hears a's 440 Hz; a (8 kHz) hears c's 1 kHz.
        #expect(abs(toneAmplitude(heardB[4000..<12_000], frequency: 440, rate: 16_000) - 8000) < 400)
        #expect(abs(toneAmplitude(heardB[4000..<12_000], frequency: 1000, rate: 16_000) - 8000) < 400)
        #expect(abs(toneAmplitude(heardC[12_000..<36_000], frequency: 440, rate: 48_000) - 8000) < 400)
        #expect(toneAmplitude(heardC[12_000..<36_000], frequency: 1000, rate: 48_000) < 200)
        #expect(abs(toneAmplitude(heardA[2000..<6000], frequency: 1000, rate: 8000) - 8000) < 400)
        #expect(toneAmplitude(heardA[2000..<6000], frequency: 440, rate: 8000) < 200)
    }

    /// Whisper: the coached agent hears the supervisor, the customer does not.
    @Test func whisperIsHeardByItsTargetOnly() throws {
        var h = BridgeHarness()
        let supervisor = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let agent = try h.bridge.controller.join(sampleRate: .wideband)
        let customer = try h.bridge.controller.join(sampleRate: .wideband)
        try h.bridge.controller.setWhisper(supervisor, to: agent, by: supervisor)
        let ss = sine(500, rate: 16_000, count: 3200, amplitude: 5000)
        let sa = sine(700, rate: 16_000, count: 3200, amplitude: 5000)
        let sc = sine(900, rate: 16_000, count: 3200, amplitude: 5000)
        h.add(supervisor, signal: ss)
        h.add(agent, signal: sa)
        h.add(customer, signal: sc)
        h.bridge.applyPendingCommands()
        h.run(frames: 10)
        #expect(h.heard[customer]! == sa)
        #expect(h.heard[agent]! == zip(ss, sc).map { $0 &+ $1 })
        #expect(h.heard[supervisor]! == zip(sa, sc).map { $0 &+ $1 })
        // A member cannot set up a whisper.
        #expect(throws: ConferenceError.notHost(agent)) { try h.bridge.controller.setWhisper(agent, to: customer, by: agent) }
        #expect(throws: ConferenceError.invalidWhisperTarget(agent)) {
            try h.bridge.controller.setWhisper(agent, to: agent, by: supervisor)
        }
    }

    /// Mute, deaf, listen-only, gain and hold with music change exactly what is heard.
    @Test func participantControls() throws {
        var config = BridgeConfiguration()
        config.holdMusic = sine(330, rate: 16_000, count: 1600, amplitude: 3000)
        var h = BridgeHarness(config)
        let host = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let m = try h.bridge.controller.join(sampleRate: .wideband)
        let o = try h.bridge.controller.join(sampleRate: .wideband)
        let sh = sine(500, rate: 16_000, count: 32_000, amplitude: 4000)
        let sm = sine(700, rate: 16_000, count: 32_000, amplitude: 4000)
        let so = sine(900, rate: 16_000, count: 32_000, amplitude: 4000)
        h.add(host, signal: sh)
        h.add(m, signal: sm)
        h.add(o, signal: so)
        h.bridge.applyPendingCommands()
        try h.bridge.controller.setMuted(true, m, by: host)
        try h.bridge.controller.setDeaf(true, o, by: o)
        h.run(frames: 10)  // frames 0-9: the first frame fades
        let f = 320
        #expect(Array(h.heard[host]![(2 * f)..<(10 * f)]) == Array(so[(2 * f)..<(10 * f)]))
        #expect(h.heard[o]![(2 * f)..<(10 * f)].allSatisfy { $0 == 0 })
        #expect(throws: ConferenceError.mutedByHost(m)) { try h.bridge.controller.setMuted(false, m, by: m) }
        try h.bridge.controller.setMuted(false, m, by: host)
        try h.bridge.controller.setGain(Gain(q12: 2048), m, by: m)
        try h.bridge.controller.setDeaf(false, o, by: o)
        try h.bridge.controller.setHold(true, music: true, host, by: host)
        h.run(frames: 10)  // frames 10-19
        let r = (12 * f)..<(20 * f)
        let expectedO = r.map { Int16((Int32(sm[$0]) * 2048 + 2048) >> 12) }
        #expect(Array(h.heard[o]![r]) == expectedO)
        #expect(Array(h.heard[host]![r]) == r.map { config.holdMusic[$0 % 1600] })
        try h.bridge.controller.setHold(false, host, by: host)
        try h.bridge.controller.setListenOnly(true, o, by: host)
        h.run(frames: 10)
        let r2 = (22 * f)..<(30 * f)
        #expect(Array(h.heard[m]![r2]) == Array(sh[r2]))
    }

    /// The recording tap gets the full mix and one channel per participant while recording.
    @Test func recordingTapDeliversMixAndChannels() throws {
        final class Sink { var mix: [Int16] = []; var channels: [ParticipantID: [Int16]] = [:] }
        let sink = Sink()
        var h = BridgeHarness()
        h.bridge.setRecordingTap(RecordingTap(mode: .perParticipant) { frame in
            sink.mix.append(contentsOf: frame.mix)
            frame.forEachChannel { id, samples in sink.channels[id, default: []].append(contentsOf: samples) }
        })
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let sa = sine(500, rate: 16_000, count: 6400, amplitude: 4000)
        let sb = sine(800, rate: 16_000, count: 6400, amplitude: 4000)
        h.add(a, signal: sa)
        h.add(b, signal: sb)
        h.bridge.applyPendingCommands()
        h.run(frames: 5)
        #expect(sink.mix.isEmpty)
        #expect(throws: ConferenceError.notHost(b)) { try h.bridge.controller.setRecording(true, by: b) }
        try h.bridge.controller.setRecording(true, by: a)
        h.run(frames: 10)
        #expect(sink.mix.count == 3200)
        #expect(sink.mix == (1600..<4800).map { sa[$0] &+ sb[$0] })
        #expect(sink.channels[a]! == Array(sa[1600..<4800]))
        #expect(sink.channels[b]! == Array(sb[1600..<4800]))
        #expect(h.events.contains { $0.kind == .recordingStarted })
    }

    /// Bad media-path input is refused, not trapped on.
    @Test func badFramesAreRefused() throws {
        let bridge = MixMinusBridge()
        let a = try bridge.controller.join(as: .host, sampleRate: .wideband)
        bridge.applyPendingCommands()
        let short = [Int16](repeating: 1, count: 100)
        #expect(short.withUnsafeBufferPointer { bridge.write($0, from: a) } == false)
        #expect(short.withUnsafeBufferPointer { bridge.write($0, from: ParticipantID(rawValue: 99)) } == false)
        var tiny = [Int16](repeating: 0, count: 10)
        #expect(tiny.withUnsafeMutableBufferPointer { bridge.read(into: $0, for: a) } == false)
    }
}
