import Testing
import TimbreCodecs
import TimbreCore
import TimbreTestSupport

@testable import TimbreJitter

/// Where the adaptive buffer puts its playout delay: as low as the jitter allows on the pull
/// grid, unmoved by loss, and back down after an outage; and the bookkeeping under it (estimator
/// and packet store) against straightforward reference implementations.
@Suite struct PlayoutDelayTests {
    let signal = TestStreams.voice(seconds: 24)

    /// A trace of `frames` packets with a 1 ms base delay and 0…2 ms of jitter (a wired LAN),
    /// with optional per-packet edits.
    func lanTrace(frames: Int, seed: UInt64 = 3, edit: (Int, inout Double?) -> Void = { _, _ in }) -> NetworkTrace {
        var rng = SeededRandom(seed: seed)
        return NetworkTrace(entries: (0..<frames).map { seq in
            var arrival: Double? = Double(seq) * 20 + 1 + Double(rng.next() % 2001) / 1000
            edit(seq, &arrival)
            return .init(sequence: seq, sendMilliseconds: Double(seq) * 20, arrivalMilliseconds: arrival)
        })
    }

    func mean(_ v: ArraySlice<Double>) -> Double { v.reduce(0, +) / Double(max(1, v.count)) }

    @Test func cleanNetworkSettlesWithinOnePullOfTheTransit() {
        // Transit 1–3 ms, pulls every 20 ms: a packet can always be played at the first pull
        // after its latest possible arrival, so the delay needs to be at most 3 ms + 20 ms. (The
        // level-based band sat near 32 ms here.)
        let r = TestStreams.simulate(lanTrace(frames: 1200), signal: signal)
        #expect(r.statistics.concealedSamples == 0)
        #expect(r.statistics.packetsDiscarded == 0)
        let settled = mean(r.playoutDelaysMilliseconds.suffix(600))
        #expect(settled <= 24, "settled delay \(settled) ms")
        #expect(settled >= 1, "settled delay \(settled) ms")
    }

    @Test func lossDoesNotRaiseTheDelay() {
        // Bursts of three lost packets every second: nothing arrives late, so the delay must
        // stay where the clean trace puts it and only the lost audio is concealed.
        let clean = TestStreams.simulate(lanTrace(frames: 1200), signal: signal)
        let lossy = TestStreams.simulate(
            lanTrace(frames: 1200) { seq, arrival in if seq % 50 >= 20 && seq % 50 < 23 { arrival = nil } },
            signal: signal)
        #expect(lossy.statistics.packetsLost == 72)
        #expect(lossy.statistics.packetsDiscarded == 0)
        let a = mean(clean.playoutDelaysMilliseconds.suffix(500))
        let b = mean(lossy.playoutDelaysMilliseconds.suffix(500))
        #expect(abs(a - b) < 2, "clean \(a) ms, lossy \(b) ms")
        // Concealed: the 72 lost frames, not more than a frame extra per burst.
        #expect(lossy.statistics.concealedSamples <= (72 + 24) * 160)
    }

    @Test func delayComesBackAfterAnOutage() {
        // One second with every packet lost (and a few late ones queued at its end): afterwards
        // the delay returns to within a pull of what it was before.
        let trace = lanTrace(frames: 1200) { seq, arrival in
            if seq >= 400 && seq < 450 { arrival = nil }
            if seq >= 450 && seq < 455 { arrival = 9100 + Double(seq - 450) * 0.2 }
        }
        let r = TestStreams.simulate(trace, signal: signal)
        let before = mean(r.playoutDelaysMilliseconds[250..<380])
        let after = mean(r.playoutDelaysMilliseconds.suffix(300))
        #expect(after <= before + 20, "delay \(before) → \(after) ms")
        #expect(after <= 24, "delay after the outage \(after) ms")
    }

    @Test func estimatorMatchesItsDirectDefinition() {
        // The O(1) estimator (lazy forgetting, incremental quantile, monotonic window minimum)
        // against the definition computed directly: decay every bucket, add, scan.
        var rng = SeededRandom(seed: 11)
        var fast = TargetDelayEstimator(windowPackets: 50)
        var histogram = [Double](repeating: 0, count: 121)
        var transits: [Double] = []
        var mismatches = 0
        var updates = 0
        for n in 1...12_000 {
            // Jitter that changes character: calm, wide, then spiky, plus slow drift.
            let phase = (n / 3000) % 3
            var jitter = Double(rng.next() % 1000) / 1000 * (phase == 0 ? 4 : 40)
            if phase == 2 && rng.next() % 20 == 0 { jitter += 90 }
            let transit = 50 + jitter - Double(n) * 0.004
            fast.update(transitMilliseconds: transit)

            transits.append(transit)
            let minimum = transits.suffix(50).min()!
            #expect(fast.minimumTransitMilliseconds == minimum)
            let relative = transit - minimum
            guard relative <= 120 else { continue }
            updates += 1
            let factor = min(0.998, 1 - 1 / Double(updates + 1))
            for i in histogram.indices { histogram[i] *= factor }
            histogram[min(120, Int(relative))] += 1 - factor
            let wanted = 0.98 * histogram.reduce(0, +)
            var cumulative = 0.0
            var index = histogram.count - 1
            for i in histogram.indices {
                cumulative += histogram[i]
                if cumulative >= wanted { index = i; break }
            }
            // Rounding differs between the two sums; a one-bucket disagreement at a boundary
            // is allowed, and must stay rare.
            let delta = abs(fast.jitterMilliseconds - Double(index + 1))
            #expect(delta <= 1)
            if delta > 0 { mismatches += 1 }
        }
        #expect(mismatches < 100, "\(mismatches) boundary disagreements")
    }

    @Test func packetStoreKeepsTimestampOrderUnderAnyArrivalOrder() {
        // Random inserts (out of order, duplicates, overflow) and removals against a plain
        // array model of what the store should hold.
        var rng = SeededRandom(seed: 5)
        var store = PacketBuffer(capacity: 8, maximumPayloadBytes: 4)
        var model: [(timestamp: Int64, sequence: Int64)] = []
        let payload: [UInt8] = [1, 2, 3]
        for step in 0..<5000 {
            let op = rng.next() % 10
            if op < 6 {
                let seq = Int64(step / 2) + Int64(rng.next() % 6)
                let ts = seq * 160
                let outcome = payload.withUnsafeBytes {
                    store.insert(timestamp: ts, sequence: seq, marker: false, payloadType: 0, payload: $0, arrival: 0)
                }
                if model.contains(where: { $0.sequence == seq }) {
                    #expect(outcome == .duplicate)
                } else if model.count == 8 {
                    let oldest = model.min { $0.timestamp < $1.timestamp }!
                    if oldest.timestamp < ts {
                        #expect(outcome == .storedEvicting(oldest.timestamp))
                        model.removeAll { $0.sequence == oldest.sequence }
                        model.append((ts, seq))
                    } else {
                        #expect(outcome == .rejected)
                    }
                } else {
                    #expect(outcome == .stored)
                    model.append((ts, seq))
                }
            } else if op < 8, let first = store.earliest() {
                model.removeAll { $0.sequence == store.slots[first].sequence }
                store.remove(at: first)
            } else if op == 8, !model.isEmpty {
                // Remove a packet from the middle by its timestamp.
                let pick = model[Int(rng.next() % UInt64(model.count))]
                let index = store.index(timestamp: pick.timestamp)
                #expect(index != nil)
                if let index {
                    model.removeAll { $0.sequence == store.slots[index].sequence }
                    store.remove(at: index)
                }
            } else {
                let cut = Int64(step / 2) * 160
                let expected = model.filter { $0.timestamp < cut }.count
                #expect(store.discard(olderThan: cut) == expected)
                model.removeAll { $0.timestamp < cut }
            }
            #expect(store.count == model.count)
            #expect(store.latestTimestamp() == model.map(\.timestamp).max())
            #expect(store.earliest().map { store.slots[$0].timestamp } == model.map(\.timestamp).min())
            if step % 1000 == 999 {
                store.removeAll()
                model.removeAll()
            }
        }
    }
}
