import Testing
import Dispatch
@testable import TimbreCore

@Suite struct SPSCRingBufferTests {
    @Test func roundsCapacityUpAndReportsFull() {
        let ring = SPSCRingBuffer<Int>(minimumCapacity: 5)
        #expect(ring.capacity == 8)
        for i in 0..<8 { #expect(ring.push(i)) }
        #expect(!ring.push(99), "a full ring refuses instead of overwriting")
        #expect(ring.count == 8)
        for i in 0..<8 { #expect(ring.pop() == i) }
        #expect(ring.pop() == nil)
        #expect(ring.isEmpty)
    }

    @Test func keepsOrderAcrossThreads() async {
        let ring = SPSCRingBuffer<Int>(minimumCapacity: 64)
        let total = 200_000
        let producer = Thread0 {
            var i = 0
            while i < total { if ring.push(i) { i += 1 } }
        }
        var expected = 0
        while expected < total {
            if let v = ring.pop() {
                #expect(v == expected)
                if v != expected { break }
                expected += 1
            }
        }
        producer.join()
        #expect(expected == total)
    }
}

/// A plain thread for the producer side (tests must not rely on the cooperative pool for spinning).
final class Thread0: @unchecked Sendable {
    private let group = DispatchGroup()
    init(_ body: @escaping @Sendable () -> Void) {
        group.enter()
        let g = group
        DispatchQueue.global().async { body(); g.leave() }
    }
    func join() { group.wait() }
}
