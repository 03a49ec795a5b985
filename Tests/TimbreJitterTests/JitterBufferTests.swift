import Testing
import TimbreCodecs
import TimbreCore
import TimbreTestSupport

@testable import TimbreJitter

@Suite struct JitterBufferTests {
    let signal = TestStreams.voice(seconds: 12)

    @Test func cleanNetworkPlaysEverythingWithoutConcealment() {
        let trace = TestStreams.steadyTrace(frames: 600)
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsReceived == 600)
        #expect(r.statistics.packetsLost == 0)
        #expect(r.statistics.concealedSamples == 0)
        #expect(r.statistics.totalSamplesReceived == r.output.count)
        // Played audio is the input: a late window lines up exactly with the source.
        let window = r.output[40_000..<40_800]
        let a = TestStreams.bestAlignment(window, in: signal, shifts: 39_000...41_000)
        #expect(a.correlation > 0.999)
        // Delay settles near one packet plus the estimator's bucket, well under 80 ms.
        #expect(r.meanPlayoutDelayMilliseconds < 80)
    }

    @Test func lossIsCountedAndConcealedOnce() {
        let trace = TestStreams.steadyTrace(frames: 500) { seq, arrival in
            if seq % 25 == 10 { arrival = nil }
        }
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsLost == 20)
        #expect(r.statistics.concealmentEvents == 20)
        #expect(r.statistics.concealedSamples >= 20 * 160)
        #expect(r.statistics.concealedSamples <= 20 * 160 + 4 * 160)
        #expect(r.statistics.totalSamplesReceived == r.output.count)
    }

    @Test func reorderingWithinTheTargetLosesNothing() {
        // Warm up on jitter so the target covers 40 ms, then swap neighbours throughout.
        var rng = SeededRandom(seed: 7)
        let trace = TestStreams.steadyTrace(frames: 600) { seq, arrival in
            arrival! += Double(rng.next() % 40)
            if seq % 10 == 5 { arrival! += 25 }  // arrives after seq+1
        }
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsLost == 0)
        #expect(r.statistics.packetsDiscarded <= 3)
        #expect(Double(r.statistics.concealedSamples) < 0.01 * Double(r.statistics.totalSamplesReceived))
    }

    @Test func duplicatesAreCountedAndChangeNothing() {
        let base = TestStreams.steadyTrace(frames: 300)
        var doubled = base
        doubled.entries += base.entries.map { var e = $0; e.arrivalMilliseconds! += 3; return e }
        let once = TestStreams.simulate(base, signal: signal)
        let twice = TestStreams.simulate(doubled, signal: signal)
        #expect(twice.statistics.packetsDuplicated == 300)
        #expect(twice.statistics.packetsReceived == 300)
        #expect(twice.output == once.output)
    }

    @Test func latePacketIsDiscardedAndTheGapConcealed() {
        let trace = TestStreams.steadyTrace(frames: 300) { seq, arrival in
            if seq == 150 { arrival! += 400 }
        }
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsDiscarded == 1)
        #expect(r.statistics.packetsLost == 0)  // it did arrive
        #expect(r.statistics.concealmentEvents == 1)
    }

    @Test func stallIsConcealedBrieflyThenDelayReturns() {
        // A 300 ms stall that releases every queued packet at once (a handover): the buffer holds
        // its position for one frame, then lets time run on; the burst's stale packets are
        // discarded as late (none lost: they arrived), and the delay comes back to where it was.
        let trace = TestStreams.steadyTrace(frames: 500) { seq, arrival in
            let send = Double(seq) * 20
            if send >= 4000 && send < 4300 { arrival = 4301 + Double(seq - 200) * 0.1 }
        }
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsLost == 0)
        #expect(r.statistics.packetsDiscarded > 0 && r.statistics.packetsDiscarded <= 15)
        #expect(r.statistics.concealmentEvents == 1)
        let before = r.playoutDelaysMilliseconds[100..<150].reduce(0, +) / 50
        let last = r.playoutDelaysMilliseconds.suffix(50).reduce(0, +) / 50
        #expect(last < before + 40, "delay \(before) → \(last) ms")
    }

    @Test func ssrcChangeResynchronises() {
        var jb = TestStreams.buffer()
        var out = [Int16](repeating: 0, count: 160)
        var t: UInt64 = 0
        var concealedFrames = 0
        for i in 0..<200 {
            let p = i < 100
                ? TestStreams.packet(signal, i)
                : TestStreams.packet(signal, i, ssrc: 0xBEEF, seq0: 9, ts0: 123_456_789)
            _ = jb.insert(p, arrivalTime: t + 30_000_000)
            let r = out.withUnsafeMutableBufferPointer { jb.pull(into: $0, now: t) }
            if r.activity == .concealed { concealedFrames += 1 }
            t += 20_000_000
        }
        #expect(jb.statistics.resynchronisations == 1)
        #expect(jb.statistics.packetsLost == 0)
        #expect(concealedFrames <= 2)
    }

    @Test func timestampJumpOnTheSameSSRCResynchronises() {
        var jb = TestStreams.buffer()
        var out = [Int16](repeating: 0, count: 160)
        var t: UInt64 = 0
        var concealedFrames = 0
        for i in 0..<200 {
            var p = TestStreams.packet(signal, i)
            if i >= 100 { p.timestamp &+= 80_000_000 }  // sender restarted its timeline
            _ = jb.insert(p, arrivalTime: t + 30_000_000)
            let r = out.withUnsafeMutableBufferPointer { jb.pull(into: $0, now: t) }
            if r.activity == .concealed && i > 10 { concealedFrames += 1 }
            t += 20_000_000
        }
        #expect(jb.statistics.resynchronisations == 1)
        #expect(concealedFrames <= 3)
    }

    @Test(arguments: [200.0, -200.0])
    func clockDriftNeitherGrowsNorStarves(ppm: Double) {
        // 150 s at ±200 ppm is ±30 ms (240 samples) of drift the buffer must absorb.
        let long = TestStreams.voice(seconds: 150)
        var rng = SeededRandom(seed: 3)
        let trace = TestStreams.steadyTrace(frames: 7_500) { _, arrival in arrival! += Double(rng.next() % 10) }
        let r = TestStreams.simulate(trace, signal: long, driftPPM: ppm)
        let early = r.playoutDelaysMilliseconds[500..<1500].reduce(0, +) / 1000
        let late = r.playoutDelaysMilliseconds.suffix(1000).reduce(0, +) / 1000
        #expect(abs(late - early) < 20, "delay moved from \(early) to \(late) ms")
        #expect(r.statistics.packetsLost == 0 && r.statistics.packetsDiscarded == 0)
        #expect(r.statistics.concealmentEvents <= 3)
        // Every packet played once: the output is the input stretched by exactly the clock ratio.
        let expected = Double(long.count) * (1 + ppm * 1e-6)
        #expect(abs(Double(r.output.count) - expected) <= 160, "played \(r.output.count), expected \(expected)")
        if ppm < 0 {
            #expect(r.statistics.removedSamplesForAcceleration > r.statistics.insertedSamplesForDeceleration)
        } else {
            // The delay moves in whole pull periods (the pull that decodes a packet), so of the
            // 30 ms some is taken from the slack above the jitter; at least a period is inserted.
            #expect(r.statistics.insertedSamplesForDeceleration + r.statistics.concealedSamples >= r.statistics.removedSamplesForAcceleration + 160)
        }
    }

    @Test func fixedModeHoldsItsTarget() {
        var rng = SeededRandom(seed: 5)
        let trace = TestStreams.steadyTrace(frames: 600) { _, arrival in arrival! += Double(rng.next() % 30) }
        let r = TestStreams.simulate(trace, signal: signal, mode: .fixed(milliseconds: 120))
        let late = r.playoutDelaysMilliseconds.suffix(200).reduce(0, +) / 200
        // Target 120 ms of buffer on top of the 30 ms base transit.
        #expect(late > 120 && late < 190, "mean delay \(late)")
    }

    @Test func comfortNoiseGapIsNotLoss() {
        // Talkspurt, one CN packet (PT 13, −50 dBov), 1 s of silence, marker talkspurt: sequence
        // numbers stay contiguous while timestamps jump.
        var jb = TestStreams.buffer()
        var out = [Int16](repeating: 0, count: 160)
        var packets: [(JitterPacket, UInt64)] = []
        for i in 0..<50 { packets.append((TestStreams.packet(signal, i), UInt64(i) * 20_000_000 + 30_000_000)) }
        var cn = TestStreams.packet(signal, 50)
        cn.payloadType = 13
        cn.payload = [50]
        packets.append((cn, 50 * 20_000_000 + 30_000_000))
        for i in 0..<50 {
            var p = TestStreams.packet(signal, 100 + i)
            p.sequenceNumber = 65500 &+ UInt16(51 + i)
            p.marker = i == 0
            packets.append((p, UInt64(100 + i) * 20_000_000 + 30_000_000))
        }
        var next = 0
        var t: UInt64 = 0
        var maxNoise: Int16 = 0
        var previous = JitterBuffer.Activity.notStarted
        for _ in 0..<150 {
            while next < packets.count && packets[next].1 <= t {
                _ = jb.insert(packets[next].0, arrivalTime: packets[next].1)
                next += 1
            }
            let r = out.withUnsafeMutableBufferPointer { jb.pull(into: $0, now: t) }
            if r.activity == .comfortNoise && previous == .comfortNoise { maxNoise = max(maxNoise, out.map { $0.magnitude }.max().map(Int16.init) ?? 0) }
            previous = r.activity
            t += 20_000_000
        }
        #expect(jb.statistics.packetsLost == 0)
        #expect(jb.statistics.comfortNoiseSamples >= 40 * 160)
        #expect(jb.statistics.concealedSamples <= 2 * 160)
        // −50 dBov noise: RMS ≈ 104, peaks below ≈ 180.
        #expect(maxNoise > 50 && maxNoise < 200)
    }

    @Test func floodOfPacketsStaysBounded() {
        var jb = TestStreams.buffer(capacity: 64)
        var rng = SeededRandom(seed: 11)
        for i in 0..<20_000 {
            var p = TestStreams.packet(signal, i % 500)
            p.sequenceNumber = UInt16(truncatingIfNeeded: rng.next())
            p.timestamp = UInt32(truncatingIfNeeded: rng.next() % 100_000)
            _ = jb.insert(p, arrivalTime: UInt64(i) * 1000)
        }
        #expect(jb.bufferedPackets <= 64)
        #expect(jb.statistics.packetsDiscarded > 0)
        // Oversized payloads are rejected, not truncated.
        jb = TestStreams.buffer(capacity: 64)
        let big = JitterPacket(sequenceNumber: 1, timestamp: 1, payloadType: 96, ssrc: 0x1234, payload: [UInt8](repeating: 0, count: 4000))
        #expect(jb.insert(big, arrivalTime: 0) == .rejected)
    }

    @Test func undecodablePayloadIsConcealedNotFatal() {
        var trace = TestStreams.steadyTrace(frames: 100)
        trace.entries.removeLast(0)
        var jb = TestStreams.buffer()
        let sim = NetworkSimulator(trace: trace, outputSamples: 160, frameTicks: 160, firstTimestamp: 0)
        let r = sim.run(buffer: &jb) { seq in
            var p = TestStreams.packet(signal, seq, seq0: 0, ts0: 0)
            if seq == 50 { p.payload = [1, 2, 3] }  // odd length: L16 rejects it
            return p
        }
        #expect(r.statistics.concealmentEvents == 1)
        #expect(r.statistics.totalSamplesReceived == r.output.count)
    }
}
