import Testing
import TimbreRTP
import TimbreTestSupport

@Suite struct RTPPacketTests {
    /// A PCMU packet written out by hand from RFC 3550 §5.1: V=2, M=1, PT=0, seq 0x1234,
    /// ts 0xDEADBEEF, SSRC 0x01020304, four payload bytes.
    let simple: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0xFF, 0x7F, 0x00, 0x80]

    @Test func parsesFixedHeader() throws {
        let p = try RTPPacket(parsing: simple)
        #expect(p.header.marker)
        #expect(p.header.payloadType == 0)
        #expect(p.header.sequenceNumber == 0x1234)
        #expect(p.header.timestamp == 0xDEAD_BEEF)
        #expect(p.header.ssrc == 0x0102_0304)
        #expect(p.header.csrcCount == 0)
        #expect(p.headerExtension == nil)
        #expect(p.payloadOffset == 12 && p.payloadCount == 4 && p.paddingCount == 0)
        simple.withUnsafeBytes { raw in
            #expect(Array(p.payload(in: raw)) == [0xFF, 0x7F, 0x00, 0x80])
        }
    }

    @Test func roundTripsEveryPart() throws {
        var extStorage = [UInt8](repeating: 0, count: 64)
        let extData: [UInt8] = try extStorage.withUnsafeMutableBytes { buf in
            var b = RTPHeaderExtensionBuilder(form: .oneByte, buffer: buf)
            try b.append(id: 1, bytes: [0xAA])  // e.g. audio level
            try b.append(id: 3, bytes: [1, 2, 3])
            return Array(try b.finish())
        }
        #expect(extData == [0x10, 0xAA, 0x32, 1, 2, 3, 0, 0])
        let header = RTPHeader(marker: false, payloadType: 111, sequenceNumber: 65535, timestamp: 4_294_967_000, ssrc: 0xCAFE_BABE)
        let bytes = try RTPPacket.serialize(
            header: header, csrcs: [7, 8], extensionProfile: RTPHeaderExtension.oneByteProfile, extensionData: extData,
            payload: [1, 2, 3, 4, 5], paddingCount: 3)
        #expect(bytes.count == 12 + 8 + 4 + 8 + 5 + 3)
        #expect(bytes.last == 3)
        let p = try RTPPacket(parsing: bytes)
        #expect(p.header.payloadType == 111 && p.header.sequenceNumber == 65535 && p.header.timestamp == 4_294_967_000)
        #expect(p.header.hasPadding && p.header.hasExtension && p.header.csrcCount == 2)
        #expect(p.paddingCount == 3 && p.payloadCount == 5)
        try bytes.withUnsafeBytes { raw in
            #expect(p.csrc(at: 0, in: raw) == 7 && p.csrc(at: 1, in: raw) == 8)
            #expect(Array(p.payload(in: raw)) == [1, 2, 3, 4, 5])
            let ext = try #require(p.headerExtension)
            #expect(ext.form == .oneByte)
            var seen: [(UInt8, [UInt8])] = []
            try ext.forEachElement(in: raw) { id, data in seen.append((id, Array(data))) }
            #expect(seen.count == 2)
            #expect(seen[0].0 == 1 && seen[0].1 == [0xAA])
            #expect(seen[1].0 == 3 && seen[1].1 == [1, 2, 3])
        }
    }

    @Test func twoByteExtensionElements() throws {
        var storage = [UInt8](repeating: 0, count: 300)
        let data: [UInt8] = try storage.withUnsafeMutableBytes { buf in
            var b = RTPHeaderExtensionBuilder(form: .twoByte(appBits: 5), buffer: buf)
            #expect(b.profile == 0x1005)
            try b.append(id: 200, bytes: [])
            try b.append(id: 17, bytes: Array(repeating: 9, count: 20))
            return Array(try b.finish())
        }
        #expect(data.count == 24)
        let bytes = try RTPPacket.serialize(
            header: RTPHeader(payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3),
            extensionProfile: 0x1005, extensionData: data, payload: [0])
        let p = try RTPPacket(parsing: bytes)
        let ext = try #require(p.headerExtension)
        #expect(ext.form == .twoByte(appBits: 5))
        var ids: [UInt8] = []
        var lengths: [Int] = []
        try bytes.withUnsafeBytes { raw in
            try ext.forEachElement(in: raw) { id, d in
                ids.append(id)
                lengths.append(d.count)
            }
        }
        #expect(ids == [200, 17] && lengths == [0, 20])
    }

    @Test func builderRejectsOutOfRangeElements() {
        var storage = [UInt8](repeating: 0, count: 4)
        storage.withUnsafeMutableBytes { buf in
            var one = RTPHeaderExtensionBuilder(form: .oneByte, buffer: buf)
            #expect(throws: RTPSerializeError.self) { try one.append(id: 15, bytes: [1]) }
            #expect(throws: RTPSerializeError.self) { try one.append(id: 0, bytes: [1]) }
            #expect(throws: RTPSerializeError.self) { try one.append(id: 1, bytes: []) }
            #expect(throws: RTPSerializeError.self) { try one.append(id: 1, bytes: Array(repeating: 0, count: 17)) }
            #expect(throws: RTPSerializeError.bufferTooSmall(needed: 5)) { try one.append(id: 1, bytes: [1, 2, 3, 4]) }
        }
    }

    // MARK: every malformed reason

    @Test(arguments: 0..<12) func tooShort(length: Int) {
        #expect(throws: RTPParseError.tooShort(length)) { try RTPPacket(parsing: Array(simple.prefix(length))) }
    }

    @Test(arguments: [UInt8(0), 1, 3]) func badVersion(version: UInt8) {
        var b = simple
        b[0] = version << 6
        #expect(throws: RTPParseError.unsupportedVersion(version)) { try RTPPacket(parsing: b) }
    }

    @Test func csrcCountPastEnd() throws {
        var b = Array(simple.prefix(12))
        b[0] = 0x80 | 2
        b += [0, 0, 0, 1]  // only one of two CSRCs
        #expect(throws: RTPParseError.csrcListPastEnd(csrcCount: 2)) { try RTPPacket(parsing: b) }
        b += [0, 0, 0, 2]  // now exactly fits, empty payload
        let p = try RTPPacket(parsing: b)
        #expect(p.payloadCount == 0 && p.payloadOffset == 20)
        var full = simple
        full[0] = 0x8F  // 15 CSRCs = 60 bytes, only 4 present
        #expect(throws: RTPParseError.csrcListPastEnd(csrcCount: 15)) { try RTPPacket(parsing: full) }
    }

    @Test func extensionHeaderPastEnd() {
        var b = Array(simple.prefix(12))
        b[0] = 0x90
        #expect(throws: RTPParseError.extensionHeaderPastEnd) { try RTPPacket(parsing: b) }
        #expect(throws: RTPParseError.extensionHeaderPastEnd) { try RTPPacket(parsing: b + [0xBE, 0xDE, 0]) }
    }

    @Test func extensionLengthPastEnd() throws {
        var b = Array(simple.prefix(12))
        b[0] = 0x90
        b += [0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0, 0]  // claims 2 words, has 1
        #expect(throws: RTPParseError.extensionLengthPastEnd(words: 2)) { try RTPPacket(parsing: b) }
        b += [0, 0, 0, 0]
        _ = try RTPPacket(parsing: b)
        b[14] = 0xFF
        b[15] = 0xFF
        #expect(throws: RTPParseError.extensionLengthPastEnd(words: 65535)) { try RTPPacket(parsing: b) }
    }

    @Test func paddingLongerThanPacket() throws {
        var b = simple
        b[0] = 0xA0
        b[b.count - 1] = 5  // 5 bytes of padding but only 4 follow the header
        #expect(throws: RTPParseError.paddingPastEnd(5)) { try RTPPacket(parsing: b) }
        b[b.count - 1] = 4  // all of the body is padding: legal, empty payload
        let p = try RTPPacket(parsing: b)
        #expect(p.payloadCount == 0 && p.paddingCount == 4)
        b[b.count - 1] = 255
        #expect(throws: RTPParseError.paddingPastEnd(255)) { try RTPPacket(parsing: b) }
    }

    @Test func zeroPaddingCount() {
        var b = simple
        b[0] = 0xA0
        b[b.count - 1] = 0
        #expect(throws: RTPParseError.zeroPaddingLength) { try RTPPacket(parsing: b) }
    }

    @Test func paddingMayNotEatTheExtension() {
        // Header (12) + extension header and one word (8) + padding byte claiming 9.
        let b: [UInt8] = [0xB0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x10, 1, 0, 0, 0, 0, 0, 9]
        #expect(throws: RTPParseError.paddingPastEnd(9)) { try RTPPacket(parsing: b) }
    }

    @Test func extensionElementPastEnd() throws {
        // One-byte element id 2 claiming 4 bytes inside a one-word block.
        let one: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x23, 1, 2, 3]
        let p1 = try RTPPacket(parsing: one)
        #expect(throws: RTPParseError.extensionElementPastEnd) {
            try one.withUnsafeBytes { raw in try p1.headerExtension!.forEachElement(in: raw) { _, _ in } }
        }
        // Two-byte element whose length byte is the last byte of the block.
        let two: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0x00, 0, 1, 0, 0, 7, 200]
        let p2 = try RTPPacket(parsing: two)
        #expect(throws: RTPParseError.extensionElementPastEnd) {
            try two.withUnsafeBytes { raw in try p2.headerExtension!.forEachElement(in: raw) { _, _ in } }
        }
        // Two-byte element id alone at the end (no room for its length byte).
        let lone: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0x00, 0, 1, 0, 0, 0, 7]
        let p3 = try RTPPacket(parsing: lone)
        #expect(throws: RTPParseError.extensionElementPastEnd) {
            try lone.withUnsafeBytes { raw in try p3.headerExtension!.forEachElement(in: raw) { _, _ in } }
        }
    }

    @Test func oneByteReservedIdStopsProcessing() throws {
        let b: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x10, 0x55, 0xF0, 0x99]
        let p = try RTPPacket(parsing: b)
        var ids: [UInt8] = []
        try b.withUnsafeBytes { raw in try p.headerExtension!.forEachElement(in: raw) { id, _ in ids.append(id) } }
        #expect(ids == [1])
    }

    @Test func serializeRejectsBadArguments() {
        var out = [UInt8](repeating: 0, count: 10)
        out.withUnsafeMutableBytes { o in
            let h = RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0)
            #expect(throws: RTPSerializeError.bufferTooSmall(needed: 12)) {
                try RTPPacket.write(header: h, payload: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
            }
            let bad = RTPHeader(payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0)
            #expect(throws: RTPSerializeError.self) {
                try RTPPacket.write(header: bad, payload: UnsafeRawBufferPointer(start: nil, count: 0), into: o)
            }
        }
        #expect(throws: RTPSerializeError.self) {
            try RTPPacket.serialize(header: RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0), csrcs: Array(repeating: 1, count: 16), payload: [])
        }
        #expect(throws: RTPSerializeError.self) {
            try RTPPacket.serialize(header: RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0), extensionData: [1, 2, 3], payload: [])
        }
    }

    /// Random bytes never trap, and whatever parses re-serialises to the same bytes.
    @Test func randomInputNeverTrapsAndRoundTrips() throws {
        var rng = SeededRandom(seed: 42)
        var parsed = 0
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 48)
            var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if n > 0 { b[0] = (b[0] & 0x3F) | 0x80 }  // mostly version 2 so deeper checks run
            guard let p = try? RTPPacket(parsing: b) else { continue }
            parsed += 1
            try b.withUnsafeBytes { raw in
                let csrcs = (0..<Int(p.header.csrcCount)).map { p.csrc(at: $0, in: raw) }
                let ext = p.headerExtension.map { Array($0.data(in: raw)) }
                var again = try RTPPacket.serialize(
                    header: p.header, csrcs: csrcs, extensionProfile: p.headerExtension?.profile ?? 0,
                    extensionData: ext, payload: Array(p.payload(in: raw)), paddingCount: p.paddingCount)
                // Padding content is not preserved (we write zeros): compare the rest.
                if p.paddingCount > 1 {
                    for k in (b.count - p.paddingCount)..<(b.count - 1) { again[k] = b[k] }
                }
                #expect(again == b)
            }
        }
        #expect(parsed > 1000)
    }
}
