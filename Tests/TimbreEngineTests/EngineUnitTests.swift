import Testing
@testable import TimbreEngine

@Suite struct EModelTests {
    @Test func cleanNarrowbandCallScoresNearTheG711Ceiling() {
        let e = EModel(oneWayDelayMs: 40, lossPercent: 0, codec: .g711)
        #expect(abs(e.rFactor - (93.2 - 0.96)) < 0.01)
        #expect(e.mos > 4.3 && e.mos < 4.5)
    }

    @Test func lossAndLongDelayLowerTheScore() {
        let clean = EModel(oneWayDelayMs: 40, lossPercent: 0, codec: .g711)
        let lossy = EModel(oneWayDelayMs: 40, lossPercent: 5, codec: .g711)
        let late = EModel(oneWayDelayMs: 400, lossPercent: 0, codec: .g711)
        #expect(lossy.rFactor < clean.rFactor - 10)
        #expect(late.rFactor < clean.rFactor - 20, "Id grows steeply past 177.3 ms")
        #expect(EModel(oneWayDelayMs: 2000, lossPercent: 100, codec: .g711).mos == 1)
    }
}

@Suite struct UDPSocketTests {
    @Test func batchesDatagramsAndFlagsOversizedOnes() throws {
        let rx = try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!, slotSize: 64, batchSize: 8)
        let tx = try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!)
        for n in [10, 64, 200] {
            let bytes = [UInt8](repeating: UInt8(n & 0xFF), count: n)
            #expect(bytes.withUnsafeBytes { tx.send($0, to: rx.localAddress) })
        }
        var seen: [(Int, Bool, SocketAddress)] = []
        for _ in 0..<100 where seen.count < 3 {
            rx.receiveBatch { bytes, source, truncated in seen.append((bytes.count, truncated, source)) }
        }
        #expect(seen.map(\.0) == [10, 64, 64])
        #expect(seen.map(\.1) == [false, false, true], "a datagram longer than the slot is flagged, not half-parsed")
        #expect(seen.allSatisfy { $0.2 == tx.localAddress })
    }
}

@Suite struct PortAllocatorTests {
    @Test func handsOutEvenPortsRoundRobinAndSkipsBusyOnes() {
        let ports = PortAllocator(range: 40001...40010)
        var got: [Int] = []
        for _ in 0..<4 { if let p = ports.allocate({ $0 == 40004 ? nil : $0 }) { got.append(p) } }
        #expect(got == [40002, 40006, 40008])  // 40004 "in use by another process", 40010 has no odd partner
        #expect(ports.allocate({ $0 }) == 40004, "a port another process held is tried again later")
        #expect(ports.allocate({ $0 }) == nil)
        ports.release(40006)
        #expect(ports.allocate({ $0 }) == 40006)
    }
}
