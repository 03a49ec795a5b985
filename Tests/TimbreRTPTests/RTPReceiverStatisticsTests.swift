import Testing
import TimbreRTP

@Suite struct RTPReceiverStatisticsTests {
    @Test func probationThenLossAndFraction() throws {
        var s = RTPReceiverStatistics()
        do { let o = s.receive(ssrc: 5, sequenceNumber: 100, timestamp: 0, arrival: 1000); #expect(o == .newSource) }
        #expect(!s.isValid)
        do { let o = s.receive(ssrc: 5, sequenceNumber: 101, timestamp: 160, arrival: 1160); #expect(o == .accepted) }
        #expect(s.isValid)
        for seq: UInt16 in [102, 104, 105] {
            do { let o = s.receive(ssrc: 5, sequenceNumber: seq, timestamp: UInt32(seq - 100) * 160, arrival: UInt32(seq - 100) * 160 + 1000); #expect(o == .accepted) }
        }
        // base 101, highest 105: expected 5, received 4 → 1 lost, fraction 256/5 = 51.
        #expect(s.expected == 5 && s.received == 4 && s.cumulativeLost == 1)
        let blockOpt = s.makeReportBlock(nowMiddle32: 0)
        let block = try #require(blockOpt)
        #expect(block.fractionLost == 51 && block.cumulativeLost == 1 && block.extendedHighestSequence == 105)
        // Next interval: 106...109 all arrive → fraction 0, cumulative still 1.
        for seq: UInt16 in 106...109 {
            _ = s.receive(ssrc: 5, sequenceNumber: seq, timestamp: UInt32(seq - 100) * 160, arrival: UInt32(seq - 100) * 160 + 1000)
        }
        let nextOpt = s.makeReportBlock(nowMiddle32: 0)
        let next = try #require(nextOpt)
        #expect(next.fractionLost == 0 && next.cumulativeLost == 1)
        #expect(s.jitter == 0)  // constant transit
    }

    @Test func probationRestartsOnNonSequential() {
        var s = RTPReceiverStatistics()
        _ = s.receive(ssrc: 1, sequenceNumber: 10, timestamp: 0, arrival: 0)
        do { let o = s.receive(ssrc: 1, sequenceNumber: 50, timestamp: 0, arrival: 0); #expect(o == .probation) }
        do { let o = s.receive(ssrc: 1, sequenceNumber: 51, timestamp: 0, arrival: 0); #expect(o == .accepted) }
        #expect(s.expected == 1 && s.received == 1)
    }

    @Test func sequenceWrapCountsCycles() {
        var s = RTPReceiverStatistics()
        var seq: UInt16 = 65530
        for _ in 0..<20 {
            _ = s.receive(ssrc: 1, sequenceNumber: seq, timestamp: 0, arrival: 0)
            seq &+= 1
        }
        // base 65531 (after probation), highest 65530+19 = 65549 → ext 0x1000D.
        #expect(s.extendedHighestSequence == 65536 + 13)
        #expect(s.expected == 19 && s.cumulativeLost == 0)
    }

    @Test func largeJumpRejectedThenRestart() {
        var s = RTPReceiverStatistics()
        for seq: UInt16 in 1...5 { _ = s.receive(ssrc: 1, sequenceNumber: seq, timestamp: 0, arrival: 0) }
        do { let o = s.receive(ssrc: 1, sequenceNumber: 20_000, timestamp: 0, arrival: 0); #expect(o == .rejectedJump) }
        do { let o = s.receive(ssrc: 1, sequenceNumber: 6, timestamp: 0, arrival: 0); #expect(o == .accepted) }  // not the restart
        do { let o = s.receive(ssrc: 1, sequenceNumber: 30_000, timestamp: 0, arrival: 0); #expect(o == .rejectedJump) }
        do { let o = s.receive(ssrc: 1, sequenceNumber: 30_001, timestamp: 0, arrival: 0); #expect(o == .restarted) }
        #expect(s.expected == 1 && s.received == 1 && s.extendedHighestSequence == 30_001)
    }

    @Test func duplicatesMakeLossNegativeAndMisorderIsCounted() {
        var s = RTPReceiverStatistics()
        for seq: UInt16 in [1, 2, 3, 3, 3, 2] { _ = s.receive(ssrc: 1, sequenceNumber: seq, timestamp: 0, arrival: 0) }
        // base 2, highest 3: expected 2, received 5 (2, 3, 3, 3, 2).
        #expect(s.expected == 2 && s.received == 5 && s.cumulativeLost == -3)
    }

    @Test func ssrcChangeResets() {
        var s = RTPReceiverStatistics()
        for seq: UInt16 in 1...10 { _ = s.receive(ssrc: 1, sequenceNumber: seq, timestamp: 0, arrival: 0) }
        do { let o = s.receive(ssrc: 2, sequenceNumber: 500, timestamp: 0, arrival: 0); #expect(o == .newSource) }
        #expect(!s.isValid && s.ssrc == 2)
        do { let o = s.receive(ssrc: 2, sequenceNumber: 501, timestamp: 0, arrival: 0); #expect(o == .accepted) }
        #expect(s.expected == 1)
    }

    @Test func minimumSequentialOneAcceptsFirstPacket() {
        var s = RTPReceiverStatistics(minimumSequential: 1)
        do { let o = s.receive(ssrc: 1, sequenceNumber: 7, timestamp: 0, arrival: 0); #expect(o == .accepted) }
        #expect(s.expected == 1 && s.received == 1)
    }

    @Test func interarrivalJitterHandComputed() {
        var s = RTPReceiverStatistics(minimumSequential: 1)
        // Transit times: 1000, 1032 (D=32), 1000 (D=32), 1000 (D=0), wrapping arrival clock.
        let delays: [UInt32] = [1000, 1032, 1000, 1000]
        for (i, d) in delays.enumerated() {
            let ts = UInt32.max - 400 &+ UInt32(i) * 160
            _ = s.receive(ssrc: 1, sequenceNumber: UInt16(i), timestamp: ts, arrival: ts &+ d)
        }
        // J(q4): 0 → 32 (J=2) → 32+32-2 = 62 (J=3) → 62+0-((62+8)>>4 = 4) = 58 (J=3).
        #expect(s.jitter == 3)
        // Float A.8 for comparison: 2.0, 3.875, 3.6328 → floor 3.
    }

    @Test func lsrAndDlsrInReportBlock() throws {
        var s = RTPReceiverStatistics(minimumSequential: 1)
        _ = s.receive(ssrc: 9, sequenceNumber: 1, timestamp: 0, arrival: 0)
        let sr = RTCPSenderReport(
            ssrc: 9, ntpTimestamp: NTPTimestamp(seconds: 0xB705, fraction: 0x2000_0000), rtpTimestamp: 0, packetCount: 1, octetCount: 160)
        s.noteSenderReport(sr, arrivalMiddle32: 0x0001_0000)
        let bOpt = s.makeReportBlock(nowMiddle32: 0x0001_8000)
        let b = try #require(bOpt)
        #expect(b.lastSenderReport == 0xB705_2000)
        #expect(b.delaySinceLastSenderReport == 0x8000)
    }
}
