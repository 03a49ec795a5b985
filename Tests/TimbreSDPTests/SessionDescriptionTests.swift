import Testing
import TimbreSDP

@Suite struct SessionDescriptionTests {
    @Test func parsesAsteriskOffer() throws {
        let d = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        #expect(d.origin.sessionID == "1734567890" && d.origin.sessionVersion == 1_734_567_890 && d.origin.address == "192.0.2.10")
        #expect(d.sessionName == "Asterisk" && d.connection?.address == "192.0.2.10")
        #expect(d.media.count == 1)
        let m = d.media[0]
        #expect(m.media == "audio" && m.port == 10000 && m.proto == "RTP/AVP" && m.formats == ["0", "8", "9", "101"])
        #expect(m.rtpMap(for: 101)?.encodingName == "telephone-event" && m.rtpMap(for: 101)?.clockRate == 8000)
        #expect(m.formatParameters(for: 101) == "0-16")
        #expect(m.packetTime == 20 && m.maximumPacketTime == 150 && m.direction == .sendrecv)
        #expect(m.rtcpPort == nil)
    }

    @Test func parsesLFOnlyAndStaticTypesWithoutRtpmap() throws {
        let d = try SessionDescription(parsing: "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 8 0\n")
        #expect(d.media[0].rtpMap(for: 8)?.encodingName == "PCMA")
        #expect(d.media[0].rtpMap(for: 0)?.encodingName == "PCMU")
        #expect(d.media[0].rtpMap(for: 18) == nil)  // G729 is not known statically here
    }

    @Test func parsesWebRTCOfferWithAllItsAttributes() throws {
        let d = try SessionDescription(parsing: SampleSDP.webRTCOffer)
        #expect(d.media.count == 2 && d.media[1].media == "video")
        #expect(d.attributes.contains(.init("group", "BUNDLE 0 1")))
        #expect(d.attributes.contains(.init("msid-semantic", " WMS")))
        #expect(d.media[0].hasAttribute("rtcp-mux"))
        #expect(d.media[0].rtcpPort == 9)
        #expect(d.media[0].rtpMap(for: 63)?.channels == 2)
    }

    @Test(arguments: [SampleSDP.asteriskOffer, SampleSDP.freeswitchOffer, SampleSDP.webRTCOffer, SampleSDP.avpfGatewayOffer])
    func serialiseRoundTrips(text: String) throws {
        let d = try SessionDescription(parsing: text)
        let out = d.serialized()
        #expect(out.hasSuffix("\r\n") && !out.contains("\r\n\r\n"))
        #expect(try SessionDescription(parsing: out) == d)
        // For inputs already in canonical order and CRLF, the text is identical.
        if text.contains("\r\n") { #expect(out == text) }
    }

    @Test func valueStartingWithACombiningMarkIsKept() throws {
        let d = try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=\u{301}x\r\nt=0 0\r\n")
        #expect(d.sessionName == "\u{301}x")
    }

    @Test func directionSetterReplaces() throws {
        var d = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        d.media[0].direction = .inactive
        #expect(d.media[0].direction == .inactive)
        #expect(d.media[0].attributes.filter { MediaDirection(rawValue: $0.name) != nil }.count == 1)
    }

    // MARK: malformed set

    static let base = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

    static let malformed: [(String, SDPParseError)] = [
        ("", .empty),
        ("\r\n\r\n", .empty),
        ("o=- 1 1 IN IP4 10.0.0.1\r\n", .missingLine("v")),
        ("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", .unsupportedVersion("1")),
        ("v=0\r\ns=-\r\nt=0 0\r\n", .missingLine("o")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n", .missingLine("s")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n", .missingLine("t")),
        ("v=0\r\nhello\r\n", .malformedLine(2)),
        ("v=0\r\nO=- 1 1 IN IP4 1.2.3.4\r\n", .malformedLine(2)),
        ("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", .invalidField(line: 2, type: "o", reason: "expected 6 fields")),
        ("v=0\r\no=- x1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", .invalidField(line: 2, type: "o", reason: "session id is not a decimal number")),
        ("v=0\r\no=- 1 -1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", .invalidField(line: 2, type: "o", reason: "session version is not a 64-bit decimal")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=\r\nt=0 0\r\n", .invalidField(line: 3, type: "s", reason: "empty session name")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 999.1.1.1\r\nt=0 0\r\n", .invalidField(line: 4, type: "c", reason: "invalid IPv4 address")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP5 1.1.1.1\r\nt=0 0\r\n", .invalidField(line: 4, type: "c", reason: "address type is not IP4 or IP6")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=now 0\r\n", .invalidField(line: 4, type: "t", reason: "expected two decimal times")),
        (base.replacing("4000", with: "70000"), .invalidField(line: 6, type: "m", reason: "invalid port")),
        (base.replacing("RTP/AVP 0", with: "RTP/AVP"), .invalidField(line: 6, type: "m", reason: "expected media, port, proto and formats")),
        (base.replacing("RTP/AVP 0", with: "RTP/AVP 0 abc"), .invalidField(line: 6, type: "m", reason: "RTP format \"abc\" is not a payload type 0...127")),
        (base.replacing("RTP/AVP 0", with: "RTP/AVP 128"), .invalidField(line: 6, type: "m", reason: "RTP format \"128\" is not a payload type 0...127")),
        (base.replacing("c=IN IP4 10.0.0.1\r\n", with: ""), .missingConnection(mediaIndex: 0)),
        (base + "a=bad name:1\r\n", .invalidField(line: 7, type: "a", reason: "invalid attribute name")),
        (base + "a=\r\n", .invalidField(line: 7, type: "a", reason: "invalid attribute name")),
        (base + "s=again\r\n", .invalidField(line: 7, type: "s", reason: "not allowed in a media section")),
        (base + "c=IN IP4 10.0.0.2\r\nc=IN IP4 10.0.0.3\r\n", .invalidField(line: 8, type: "c", reason: "more than one c= line in a media section")),
        (base + "x=unknown\r\n", .invalidField(line: 7, type: "x", reason: "not allowed in a media section")),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\no=- 1 1 IN IP4 1.2.3.4\r\n", .invalidField(line: 3, type: "o", reason: "repeated o= line")),
        (base + "a=x\u{0}y\r\n", .invalidCharacters(line: 7)),
        // A digit with a combining accent is one Character that sorts between "0" and "9".
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1\u{301}.2.3.4\r\nt=0 0\r\n", .invalidField(line: 4, type: "c", reason: "invalid IPv4 address")),
        ("v=0\r\no=- 1\u{301} 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", .invalidField(line: 2, type: "o", reason: "session id is not a decimal number")),
        (base + "a=x\ry\r\n", .invalidCharacters(line: 7)),
    ]

    @Test(arguments: 0..<malformed.count) func malformedIsRejectedWithReason(index: Int) {
        let (text, expected) = Self.malformed[index]
        #expect(throws: expected) { try SessionDescription(parsing: text) }
    }

    @Test func boundsAreEnforced() {
        let huge = Self.base + String(repeating: "a=x\r\n", count: 20_000)
        #expect(throws: SDPParseError.tooLarge(huge.utf8.count)) { try SessionDescription(parsing: huge) }
        let manyLines = Self.base + String(repeating: "a=x\r\n", count: 1100)
        #expect(throws: SDPParseError.tooMany("lines", limit: 1024)) { try SessionDescription(parsing: manyLines) }
        let manyMedia = Self.base + String(repeating: "m=audio 0 RTP/AVP 0\r\n", count: 16)
        #expect(throws: SDPParseError.tooMany("media sections", limit: 16)) { try SessionDescription(parsing: manyMedia) }
        let manyFormats = Self.base.replacing("RTP/AVP 0", with: "RTP/AVP " + (0..<65).map(String.init).joined(separator: " "))
        #expect(throws: SDPParseError.tooMany("formats", limit: 64)) { try SessionDescription(parsing: manyFormats) }
        let longLine = Self.base + "a=x:" + String(repeating: "y", count: 5000) + "\r\n"
        #expect(throws: SDPParseError.tooMany("characters on a line", limit: 4096)) { try SessionDescription(parsing: longLine) }
    }

    @Test func randomTextNeverTraps() {
        var state: UInt64 = 7
        // ASCII grammar pieces plus multi-byte UTF-8, a combining mark and invalid bytes.
        let alphabet = Array("v=o-sctma0123456789 IN IP4./:\r\nRTP/AVP audio rtpmap\u{301}é٣".utf8) + [0xFF, 0xC0, 0x80]
        var parsed = 0
        for _ in 0..<3000 {
            var bytes: [UInt8] = Array(Self.base.utf8)
            let edits = Int(state % 8) + 1
            for _ in 0..<edits {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pos = Int((state >> 33) % UInt64(bytes.count))
                bytes[pos] = alphabet[Int((state >> 17) % UInt64(alphabet.count))]
            }
            if let d = try? SessionDescription(parsing: String(decoding: bytes, as: UTF8.self)) {
                parsed += 1
                #expect((try? SessionDescription(parsing: d.serialized())) == d)
            }
        }
        #expect(parsed > 0)
    }
}
