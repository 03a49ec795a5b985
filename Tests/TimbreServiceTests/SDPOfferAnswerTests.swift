import Testing
import TimbreCodecs
import TimbreOpus
import TimbreSDP

@Suite struct SDPOfferAnswerTests {
    let oa = AudioOfferAnswer(registry: .standard, localAddress: "10.0.0.1", ptime: 20, preferences: ["pcmu", "pcma", "g722", "opus"])

    /// An offer as FreeSWITCH/Asterisk-style PBXs send it.
    let pbxOffer = """
        v=0
        o=FreeSWITCH 1700000000 1700000001 IN IP4 192.0.2.10
        s=FreeSWITCH
        c=IN IP4 192.0.2.10
        t=0 0
        m=audio 24680 RTP/AVP 9 0 8 101 13
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=rtpmap:13 CN/8000
        a=ptime:20
        a=sendrecv
        m=video 0 RTP/AVP 96
        """

    @Test func answersWithTheOfferersFirstCommonCodecAndKeepsTelephoneEvent() throws {
        let offer = try SessionDescription(parsing: pbxOffer)
        let (answer, n) = try oa.answer(offer, port: 30000, sessionID: 7, version: 1)
        #expect(n.codec.descriptor.id == "g722" && n.payloadType == 9)
        #expect(n.telephoneEventPayloadType == 101 && n.comfortNoisePayloadType == 13)
        #expect(n.remoteAddress == "192.0.2.10" && n.remotePort == 24680 && n.remoteRTCPPort == 24681)
        let text = answer.text
        #expect(text.contains("m=audio 30000 RTP/AVP 9 101 13\r\n"))
        #expect(text.contains("a=rtpmap:101 telephone-event/8000"))
        #expect(text.contains("m=video 0 RTP/AVP"), "unsupported streams are rejected with port 0")
        // Our own answer parses back.
        #expect(try SessionDescription(parsing: text).audio?.port == 30000)
    }

    @Test(arguments: [("sendonly", "recvonly"), ("recvonly", "sendonly"), ("inactive", "inactive"), ("sendrecv", "sendrecv")])
    func holdReOffersGetTheMatchingDirection(offered: String, expected: String) throws {
        let text = pbxOffer.replacingOccurrences(of: "a=sendrecv", with: "a=\(offered)")
        let (answer, n) = try oa.answer(try SessionDescription(parsing: text), port: 30000, sessionID: 7, version: 2)
        #expect(n.localDirection.rawValue == expected)
        #expect(answer.text.contains("a=\(expected)"))
    }

    @Test func staticPayloadTypesWithoutRtpmapAreUnderstood() throws {
        let offer = try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 RTP/AVP 8 0\r\n")
        let (_, n) = try oa.answer(offer, port: 30002, sessionID: 1, version: 1)
        #expect(n.codec.descriptor.id == "pcma" && n.telephoneEventPayloadType == nil)
    }

    @Test func opusOfferFollowsRFC7587() throws {
        let offer = try oa.makeOffer(codecs: ["opus", "pcmu"], telephoneEvent: true, port: 30004, sessionID: 1, version: 1)
        let t = offer.text
        #expect(t.contains("a=rtpmap:111 opus/48000/2"))
        #expect(t.contains("a=rtpmap:102 telephone-event/48000") && t.contains("a=rtpmap:101 telephone-event/8000"))
        let answer = try SessionDescription(parsing: "v=0\r\no=- 2 2 IN IP4 5.6.7.8\r\ns=-\r\nc=IN IP4 5.6.7.8\r\nt=0 0\r\nm=audio 7000 RTP/AVP 111 102\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=rtpmap:102 telephone-event/48000\r\n")
        let n = try oa.processAnswer(answer, to: offer)
        #expect(n.codec.descriptor.id == "opus" && n.telephoneEventPayloadType == 102 && n.remotePort == 7000)
    }

    @Test func noCommonCodecAndMalformedSDPAreTypedErrors() {
        #expect(throws: SDPError.self) {
            try oa.answer(try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"), port: 1, sessionID: 1, version: 1)
        }
        for bad in ["", "x", "v=1\r\n", "v=0\r\nm=audio notaport RTP/AVP 0\r\n", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "v=0\r\ns=-\r\n",
                    String(repeating: "a=x\r\n", count: 2000)] {
            #expect(throws: SDPError.self) { try SessionDescription(parsing: bad) }
        }
    }
}
