import Testing
import TimbreRTP

@Suite struct RTCPCompoundPacketTests {
    let block = RTCPReportBlock(
        ssrc: 0x1111_2222, fractionLost: 51, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005, jitter: 37,
        lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 0x0000_8000)

    @Test func senderReportSourceDescriptionGoodbyeRoundTrip() throws {
        let packets: [RTCPPacket] = [
            .senderReport(
                RTCPSenderReport(
                    ssrc: 0xAABB_CCDD, ntpTimestamp: NTPTimestamp(seconds: 3_900_000_000, fraction: 0x8000_0000),
                    rtpTimestamp: 160_000, packetCount: 1000, octetCount: 160_000, reports: [block])),
            .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 0xAABB_CCDD, cname: "timbre@127.0.0.1")])),
            .goodbye(RTCPGoodbye(ssrcs: [0xAABB_CCDD], reason: "hangup")),
        ]
        let bytes = try RTCPCompoundPacket.serialize(packets)
        // SR: 28 + 24; SDES: 4 + (4 + 2 + 16 + 1 → 24); BYE: 4 + 4 + (1 + 6 → 8).
        #expect(bytes.count == 52 + 28 + 16)
        #expect(Array(bytes.prefix(4)) == [0x81, 200, 0x00, 12])
        #expect(Array(bytes[52..<56]) == [0x81, 202, 0x00, 6])
        #expect(Array(bytes[80..<84]) == [0x81, 203, 0x00, 3])
        let parsed = try RTCPCompoundPacket.parse(bytes, strict: true)
        #expect(parsed == packets)
        guard case .sourceDescription(let sdes) = parsed[1] else { Issue.record("no SDES"); return }
        #expect(sdes.chunks.first?.cname == "timbre@127.0.0.1")
    }

    @Test func receiverReportAndOpaqueRoundTrip() throws {
        let packets: [RTCPPacket] = [
            .receiverReport(RTCPReceiverReport(ssrc: 9, reports: [block, RTCPReportBlock(ssrc: 10)])),
            .sourceDescription(RTCPSourceDescription(chunks: [
                .init(ssrc: 9, items: [.init(type: 1, text: "abcd"), .init(type: 6, text: "Timbre")]),
                .init(ssrc: 10, cname: ""),
            ])),
            .other(RTCPOpaquePacket(packetType: 205, count: 1, body: [0, 0, 0, 9, 0, 0, 0, 10])),
            .goodbye(RTCPGoodbye(ssrcs: [9, 10])),
        ]
        let bytes = try RTCPCompoundPacket.serialize(packets)
        #expect(try RTCPCompoundPacket.parse(bytes) == packets)
    }

    @Test func reportBlockWireFormat() throws {
        let bytes = try RTCPCompoundPacket.serialize([.receiverReport(RTCPReceiverReport(ssrc: 1, reports: [block]))])
        // fraction lost then the 24-bit two's complement cumulative loss (-3 = 0xFFFFFD).
        #expect(Array(bytes[12..<16]) == [51, 0xFF, 0xFF, 0xFD])
        #expect(Array(bytes[16..<20]) == [0, 1, 0, 5])
    }

    @Test func cumulativeLostClampsTo24Bits() {
        #expect(RTCPReportBlock(ssrc: 1, cumulativeLost: 10_000_000).cumulativeLost == 0x7F_FFFF)
        #expect(RTCPReportBlock(ssrc: 1, cumulativeLost: -10_000_000).cumulativeLost == -0x80_0000)
    }

    @Test func roundTripTimeFromLSRAndDLSR() {
        // LSR = 1.0 s, DLSR = 0.5 s, arrival = 2.0 s (16.16 fixed point) → RTT 0.5 s.
        let b = RTCPReportBlock(ssrc: 1, lastSenderReport: 0x0001_0000, delaySinceLastSenderReport: 0x0000_8000)
        #expect(b.roundTrip(arrivalMiddle32: 0x0002_0000) == 0x8000)
        #expect(b.roundTripSeconds(arrivalMiddle32: 0x0002_0000) == 0.5)
        // RFC 3550 §6.4.1 worked example: A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000
        // → 0x0006:2000 = 6.125 s.
        let rfc = RTCPReportBlock(ssrc: 1, lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        #expect(rfc.roundTripSeconds(arrivalMiddle32: 0xB710_8000) == 6.125)
        #expect(RTCPReportBlock(ssrc: 1).roundTrip(arrivalMiddle32: 5) == nil)  // no SR seen
        #expect(b.roundTrip(arrivalMiddle32: 0x0001_0000) == nil)  // negative
    }

    @Test func ntpMiddleBits() {
        let t = NTPTimestamp(seconds: 0xB710_1234, fraction: 0x8000_FFFF)
        #expect(t.middle32 == 0x1234_8000)
        let u = NTPTimestamp(secondsSince1900: 10.25)
        #expect(u.seconds == 10 && u.fraction == 0x4000_0000)
    }

    // MARK: malformed

    @Test func malformedCompounds() throws {
        let good = try RTCPCompoundPacket.serialize([.receiverReport(RTCPReceiverReport(ssrc: 1, reports: [block]))])
        #expect(throws: RTCPParseError.tooShort(3)) { try RTCPCompoundPacket.parse([0x80, 201, 0]) }
        var v = good
        v[0] = 0x41
        #expect(throws: RTCPParseError.unsupportedVersion(1)) { try RTCPCompoundPacket.parse(v) }
        #expect(throws: RTCPParseError.lengthPastEnd(packetIndex: 0)) { try RTCPCompoundPacket.parse(Array(good.dropLast(4))) }
        #expect(throws: RTCPParseError.tooShort(2)) { try RTCPCompoundPacket.parse(good + [0x80, 201]) }
        var pad = good
        pad[0] |= 0x20
        #expect(throws: RTCPParseError.paddingNotLast(packetIndex: 0)) { try RTCPCompoundPacket.parse(pad + good) }
        pad[pad.count - 1] = 0
        #expect(throws: RTCPParseError.invalidPadding(packetIndex: 0)) { try RTCPCompoundPacket.parse(pad) }
        var rc = good
        rc[0] = 0x82  // claims 2 blocks, has 1
        #expect(throws: RTCPParseError.reportBlocksPastEnd(count: 2)) { try RTCPCompoundPacket.parse(rc) }
        #expect(throws: RTCPParseError.reportTooShort(packetIndex: 0)) {
            try RTCPCompoundPacket.parse([0x80, 200, 0, 1, 0, 0, 0, 1])  // SR with only an SSRC
        }
        #expect(throws: RTCPParseError.reportTooShort(packetIndex: 0)) { try RTCPCompoundPacket.parse([0x80, 201, 0, 0]) }
        // SDES item length running past the packet.
        #expect(throws: RTCPParseError.sourceDescriptionPastEnd(packetIndex: 0)) {
            try RTCPCompoundPacket.parse([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 65, 65])
        }
        // SDES chunk without a terminating null item.
        #expect(throws: RTCPParseError.sourceDescriptionPastEnd(packetIndex: 0)) {
            try RTCPCompoundPacket.parse([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, 65, 65])
        }
        // SDES count of 2 chunks with one present.
        #expect(throws: RTCPParseError.sourceDescriptionPastEnd(packetIndex: 0)) {
            try RTCPCompoundPacket.parse([0x82, 202, 0, 2, 0, 0, 0, 1, 1, 1, 65, 0])
        }
        #expect(throws: RTCPParseError.goodbyePastEnd(packetIndex: 0)) { try RTCPCompoundPacket.parse([0x82, 203, 0, 1, 0, 0, 0, 1]) }
        #expect(throws: RTCPParseError.goodbyePastEnd(packetIndex: 0)) {
            try RTCPCompoundPacket.parse([0x81, 203, 0, 2, 0, 0, 0, 1, 9, 65, 65, 65])  // reason of 9 in 3
        }
        #expect(throws: RTCPParseError.firstPacketNotReport(203)) {
            try RTCPCompoundPacket.parse([0x81, 203, 0, 1, 0, 0, 0, 1], strict: true)
        }
        let many = Array(repeating: [UInt8]([0x80, 201, 0, 1, 0, 0, 0, 1]), count: RTCPCompoundPacket.maximumPackets + 1).flatMap { $0 }
        #expect(throws: RTCPParseError.tooManyPackets(limit: RTCPCompoundPacket.maximumPackets)) { try RTCPCompoundPacket.parse(many) }
    }

    @Test func paddingOnLastPacketIsAccepted() throws {
        // BYE with one SSRC, then 4 bytes of padding (count 4) on the last packet.
        let bytes: [UInt8] = [0x80, 201, 0, 1, 0, 0, 0, 7, 0xA1, 203, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4]
        let p = try RTCPCompoundPacket.parse(bytes, strict: true)
        #expect(p == [.receiverReport(RTCPReceiverReport(ssrc: 7)), .goodbye(RTCPGoodbye(ssrcs: [7]))])
    }

    @Test func serializeBounds() {
        let tooMany = RTCPReceiverReport(ssrc: 1, reports: Array(repeating: block, count: 32))
        #expect(throws: RTCPSerializeError.self) { try RTCPCompoundPacket.serialize([.receiverReport(tooMany)]) }
        let longItem = RTCPSourceDescription.Item(type: 1, value: Array(repeating: 65, count: 256))
        #expect(throws: RTCPSerializeError.self) {
            try RTCPCompoundPacket.serialize([.sourceDescription(.init(chunks: [.init(ssrc: 1, items: [longItem])]))])
        }
        var small = [UInt8](repeating: 0, count: 7)
        small.withUnsafeMutableBytes { o in
            #expect(throws: RTCPSerializeError.bufferTooSmall(needed: 8)) {
                try RTCPCompoundPacket.write([.receiverReport(RTCPReceiverReport(ssrc: 1))], into: o)
            }
        }
    }

    @Test func demuxRTPFromRTCP() throws {
        let rtcp = try RTCPCompoundPacket.serialize([.receiverReport(RTCPReceiverReport(ssrc: 1))])
        let rtp = try RTPPacket.serialize(header: RTPHeader(marker: true, payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1), payload: [1])
        rtcp.withUnsafeBytes { #expect(RTCPCompoundPacket.looksLikeRTCP($0)) }
        rtp.withUnsafeBytes { #expect(!RTCPCompoundPacket.looksLikeRTCP($0)) }
    }
}
