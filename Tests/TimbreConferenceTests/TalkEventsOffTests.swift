import Testing
import TimbreConference
import TimbreCore

/// A bridge without talk events (`BridgeConfiguration.detectsSpeakers` off) mixes exactly as
/// one with them, emits no speaking events, and still ranks talkers when top-K needs levels.
@Suite struct TalkEventsOffTests {
    /// Talkers loud enough to start the detector and, together, to push the limiter.
    static func talkers() -> [[Int16]] {
        let n = 48_000
        let a = sine(250, rate: 16_000, count: n, amplitude: 9000)
        let b = [Int16](repeating: 0, count: 16_000) + sine(700, rate: 16_000, count: n - 16_000, amplitude: 12_000)
        let c = noise(count: n, amplitude: 40, seed: 3)  // an idle microphone
        return [a, b, c]
    }

    static func run(detectsSpeakers: Bool) throws -> BridgeHarness {
        var config = BridgeConfiguration()
        config.detectsSpeakers = detectsSpeakers
        var h = BridgeHarness(config)
        for (i, signal) in talkers().enumerated() {
            let id = try h.bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
            h.add(id, signal: signal)
        }
        h.bridge.applyPendingCommands()
        h.run(frames: 150)
        return h
    }

    static func talkEvents(_ h: BridgeHarness) -> Int {
        h.events.filter {
            switch $0.kind {
            case .speakingStarted, .speakingStopped: return true
            default: return false
            }
        }.count
    }

    @Test func mixIsUnchangedAndNoTalkEventsAreEmitted() throws {
        let on = try Self.run(detectsSpeakers: true)
        let off = try Self.run(detectsSpeakers: false)
        // The same audio for everyone, sample for sample, including the limited stretch.
        #expect(on.full == off.full)
        // The limiter's stretch is in the comparison: there the full mix is not the plain sum.
        let signals = Self.talkers()
        #expect((0..<on.full.count).contains { t in Int(on.full[t]) != signals.reduce(0) { $0 + Int($1[t]) } })
        for (id, heard) in on.heard {
            #expect(heard == off.heard[id])  // both bridges hand out the same IDs
        }
        // The detector did have something to report; the bridge without talk events said nothing.
        #expect(Self.talkEvents(on) >= 2)
        #expect(Self.talkEvents(off) == 0)
    }

    /// Top-K without talk events: the levels are still measured to pick the loudest talkers.
    @Test func topKStillPicksTheLoudestWithoutTalkEvents() throws {
        var config = BridgeConfiguration()
        config.detectsSpeakers = false
        config.maximumParticipants = 4
        config.topK = .always(k: 1)
        var h = BridgeHarness(config)
        let n = 32_000
        let loud = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let quiet = try h.bridge.controller.join(sampleRate: .wideband)
        let listener = try h.bridge.controller.join(sampleRate: .wideband)
        h.add(loud, signal: sine(440, rate: 16_000, count: n, amplitude: 8000))
        h.add(quiet, signal: sine(1250, rate: 16_000, count: n, amplitude: 1500))
        h.add(listener, signal: [Int16](repeating: 0, count: n))
        h.bridge.applyPendingCommands()
        h.run(frames: 100)
        let settled = try #require(h.heard[listener]).suffix(16_000)
        #expect(toneAmplitude(settled, frequency: 440, rate: 16_000) > 7000)
        #expect(toneAmplitude(settled, frequency: 1250, rate: 16_000) < 10)
        #expect(Self.talkEvents(h) == 0)
    }

    /// Talkers whose peaks add up past the limiter threshold while their sum stays small (here
    /// in opposite phase): the bridge scans the real full mix instead of trusting the bound, and
    /// every listener still gets the exact mix-minus.
    @Test func peakBoundFallsBackToTheRealPeak() throws {
        var h = BridgeHarness()
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let c = try h.bridge.controller.join(sampleRate: .wideband)
        let x = sine(300, rate: 16_000, count: 16_000, amplitude: 12_000)
        h.add(a, signal: x)
        h.add(b, signal: x.map { 0 - $0 })
        h.add(c, signal: sine(900, rate: 16_000, count: 16_000, amplitude: 2000))
        h.bridge.applyPendingCommands()
        h.run(frames: 50)
        let cs = try #require(h.signals[c])
        var wrong = 0
        for t in 0..<16_000 {
            if Int(try #require(h.heard[a])[t]) != -Int(x[t]) + Int(cs[t]) { wrong += 1 }
            if Int(try #require(h.heard[b])[t]) != Int(x[t]) + Int(cs[t]) { wrong += 1 }
            if Int(try #require(h.heard[c])[t]) != 0 { wrong += 1 }
            if Int(h.full[t]) != Int(cs[t]) { wrong += 1 }
        }
        #expect(wrong == 0)
    }
}

/// A call bridge (`limitsLoneTalker` off) passes each party's audio through sample for sample,
/// loud peaks included; a conference bridge limits the same audio.
@Suite struct LoneTalkerTests {
    static func call(limitsLoneTalker: Bool) throws -> (BridgeHarness, ParticipantID, ParticipantID) {
        var config = BridgeConfiguration()
        config.maximumParticipants = 2
        config.limitsLoneTalker = limitsLoneTalker
        var h = BridgeHarness(config)
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        let n = 32_000
        // A at −1 dBFS throughout; B silent for the first second, then at −2 dBFS: first a lone
        // talker, then both at once (their sum far beyond full scale).
        h.add(a, signal: sine(310, rate: 16_000, count: n, amplitude: 29_000))
        h.add(b, signal: [Int16](repeating: 0, count: 16_000) + sine(830, rate: 16_000, count: 16_000, amplitude: 26_000))
        h.bridge.applyPendingCommands()
        h.run(frames: 100)
        return (h, a, b)
    }

    @Test func callPassesLoudAudioThroughExactly() throws {
        let (h, a, b) = try Self.call(limitsLoneTalker: false)
        let heardByB = try #require(h.heard[b])
        let heardByA = try #require(h.heard[a])
        // (Compared as Bools: a failing array comparison would print 32,000 samples.)
        let bHearsA = heardByB == h.signals[a]!
        let aHearsB = heardByA == h.signals[b]!
        #expect(bHearsA)
        #expect(aHearsB)
        // The full mix (what a mixed recording holds) sums two parties and is still limited.
        #expect(h.full.allSatisfy { $0 > -32_768 })
        #expect((16_000..<32_000).contains { Int(h.full[$0]) != Int(h.signals[a]![$0]) + Int(h.signals[b]![$0]) })
    }

    @Test func conferenceLimitsTheSameLoneTalker() throws {
        let (h, a, b) = try Self.call(limitsLoneTalker: true)
        let heardByB = try #require(h.heard[b])
        // Peaks above −6 dBFS are softened: not the input sample for sample, and never louder.
        let bHearsA = heardByB == h.signals[a]!
        #expect(!bHearsA)
        #expect(heardByB.map { abs(Int32($0)) }.max()! < 29_000)
    }
}
