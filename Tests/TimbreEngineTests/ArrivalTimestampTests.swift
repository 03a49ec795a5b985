#if canImport(Glibc)
import Glibc
#endif
import Testing
import TimbreCore
@testable import TimbreEngine

/// Packets read together in one batch keep the times they arrived at, not the time of the read.
@Suite struct ArrivalTimestampTests {
    private func socket(stamped: Bool = false) throws -> UDPSocket {
        try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!, receiveTimestamps: stamped)
    }

    private func send(_ byte: UInt8, from tx: UDPSocket, to rx: UDPSocket) -> Bool {
        [UInt8](repeating: byte, count: 20).withUnsafeBytes { tx.send($0, to: rx.localAddress) }
    }

    /// Linux switches arrival stamping on for the whole stack lazily (a deferred static key,
    /// flipped from a work queue when the first socket asks), and a datagram that arrived before
    /// that is stamped when it is read. On a freshly booted machine (CI) this test's socket may be
    /// that first one, so it waits, up to a second, until a datagram read 5 ms after it was sent
    /// carries a stamp from before the read.
    private func waitUntilArrivalsAreStamped(_ rx: UDPSocket, _ tx: UDPSocket) -> Bool {
        for _ in 0..<100 {
            guard send(0, from: tx, to: rx) else { return false }
            usleep(5_000)
            var stamp: UInt64?
            let readAt = MediaClock.monotonicNanoseconds()
            _ = rx.receiveTimestampedBatch { _, _, _, arrival in stamp = arrival }
            if let stamp, stamp + 3_000_000 <= readAt { return true }
            usleep(5_000)
        }
        return false
    }

    @Test func datagramsReadInOneBatchCarryTheirOwnArrivalTimes() throws {
        let rx = try socket(stamped: true), tx = try socket()
        #expect(rx.stampsArrivals)
        #expect(waitUntilArrivalsAreStamped(rx, tx), "the kernel stamps arrivals within a second of being asked")
        let before = MediaClock.monotonicNanoseconds()
        #expect(send(1, from: tx, to: rx))  // loopback queues the datagram inside sendto
        usleep(30_000)
        let between = MediaClock.monotonicNanoseconds()
        #expect(send(2, from: tx, to: rx))
        let sent = MediaClock.monotonicNanoseconds()
        usleep(20_000)

        var seen: [(byte: UInt8, arrival: UInt64?)] = []
        let readAt = MediaClock.monotonicNanoseconds()
        let n = rx.receiveTimestampedBatch { bytes, _, _, arrival in seen.append((bytes[0], arrival)) }
        let after = MediaClock.monotonicNanoseconds()
        #expect(n == 2, "both datagrams come in one batch")
        #expect(seen.map(\.byte) == [1, 2])
        let first = try #require(seen.first?.arrival)
        let second = try #require(seen.last?.arrival)
        // The stamps are when each datagram came (converted from the wall clock, so allow a
        // millisecond either side), not when the batch was read.
        let slack: UInt64 = 1_000_000
        #expect(first + slack >= before && first <= between + slack)
        #expect(second + slack >= between && second <= sent + slack)
        let apart = Int64(bitPattern: second &- first)
        #expect(apart >= 25_000_000, "sent 30 ms apart: \(apart) ns between the stamps")
        #expect(second + 15_000_000 <= readAt, "read 20 ms after the second arrived")
        #expect(second <= after)
    }

    @Test func oneCallReadsEveryWaitingDatagramInOrder() throws {
        let rx = try socket(stamped: true), tx = try socket()
        #expect(waitUntilArrivalsAreStamped(rx, tx))
        for b in 1...11 { #expect(send(UInt8(b), from: tx, to: rx)) }
        var seen: [UInt8] = []
        var stamps: [UInt64] = []
        let n = rx.receiveTimestampedBatch { bytes, _, _, arrival in
            seen.append(bytes[0])
            if let arrival { stamps.append(arrival) }
        }
        #expect(n == 11, "headers are prepared a few at a time, but one call still drains the socket")
        #expect(seen == Array(1...11))
        #expect(stamps.count == 11)
        #expect(stamps == stamps.sorted())
        #expect(rx.receiveTimestampedBatch { _, _, _, _ in } == 0)
    }

    @Test func socketsWithoutStampsReportNone() throws {
        let rx = try socket(), tx = try socket()
        #expect(!rx.stampsArrivals)
        #expect(send(7, from: tx, to: rx))
        var arrivals: [UInt64?] = []
        var n = 0
        for _ in 0..<100 where n == 0 { n = rx.receiveTimestampedBatch { _, _, _, a in arrivals.append(a) } }
        #expect(n == 1)
        #expect(arrivals == [nil])
    }

    @Test func stampsMapOntoTheMediaClockAndTheTickStandsInWithoutOne() {
        let origin: UInt64 = 5_000_000_000
        #expect(CallLeg.arrival(stamp: origin + 1_234_567, clockOrigin: origin, now: 40_000_000) == 1_234_567)
        #expect(CallLeg.arrival(stamp: nil, clockOrigin: origin, now: 40_000_000) == 40_000_000)
        #expect(CallLeg.arrival(stamp: origin + 9, clockOrigin: nil, now: 40_000_000) == 40_000_000)
        #expect(CallLeg.arrival(stamp: origin - 1, clockOrigin: origin, now: 40_000_000) == 40_000_000,
                "a stamp from before the clock began is not trusted")
    }
}
