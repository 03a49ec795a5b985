import Testing
import TimbreCodecs
import TimbreSDP

@Suite struct OfferAnswerTests {
    let origin = SessionDescription.Origin(username: "timbre", sessionID: "42", sessionVersion: 1, address: "127.0.0.1")

    func local(
        _ codecs: [CodecDescriptor] = [.pcmu, .pcma, .g722, SampleSDP.opus], direction: MediaDirection = .sendrecv,
        telephoneEvent: Bool = true
    ) -> OfferAnswer.Local {
        OfferAnswer.Local(
            address: "127.0.0.1", port: 30000, rtcpPort: 30001, codecs: codecs, telephoneEvent: telephoneEvent,
            packetTime: 20, direction: direction)
    }

    // MARK: offers

    @Test func offerListsCodecsAndTelephoneEventPerClockRate() throws {
        let offer = try OfferAnswer.makeOffer(local: local(), origin: origin)
        let text = offer.serialized()
        let m = offer.media[0]
        #expect(m.formats == ["0", "8", "9", "111", "101", "110"])
        #expect(m.rtpMap(for: 111)?.encodingName == "opus" && m.rtpMap(for: 111)?.channels == 2)
        #expect(m.formatParameters(for: 111) == "useinbandfec=1")
        #expect(m.rtpMap(for: 101)?.clockRate == 8000 && m.rtpMap(for: 110)?.clockRate == 48000)
        #expect(m.formatParameters(for: 101) == "0-16")
        #expect(m.packetTime == 20 && m.rtcpPort == 30001 && m.direction == .sendrecv)
        #expect(text.contains("c=IN IP4 127.0.0.1\r\n") && text.contains("m=audio 30000 RTP/AVP 0 8 9 111 101 110\r\n"))
        #expect(try SessionDescription(parsing: text) == offer)
    }

    @Test func offerOnlyNarrowbandHasOneTelephoneEvent() throws {
        let offer = try OfferAnswer.makeOffer(local: local([.pcma]), origin: origin)
        #expect(offer.media[0].formats == ["8", "101"])
        let none = try OfferAnswer.makeOffer(local: local([.pcma], telephoneEvent: false), origin: origin)
        #expect(none.media[0].formats == ["8"])
        #expect(throws: SDPNegotiationError.nothingToOffer) { try OfferAnswer.makeOffer(local: local([]), origin: origin) }
    }

    @Test func telephoneEventAvoidsTakenPayloadType() throws {
        let clash = CodecDescriptor(
            id: "x", encodingName: "L16", sampleRate: .narrowband, rtpClockRate: 8000, payloadType: 101, isStaticPayloadType: false)
        let offer = try OfferAnswer.makeOffer(local: local([clash]), origin: origin)
        #expect(offer.media[0].formats == ["101", "96"])
        #expect(offer.media[0].rtpMap(for: 96)?.encodingName == "telephone-event")
    }

    // MARK: answers

    @Test func answersAsteriskInOurPreferenceKeepingTelephoneEvent() throws {
        let offer = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local([.g722, .pcmu]), origin: origin)
        let m = answer.media[0]
        #expect(m.port == 30000 && m.proto == "RTP/AVP")
        #expect(m.formats == ["9", "0", "101"])
        #expect(m.formatParameters(for: 101) == "0-16" && m.direction == .sendrecv && m.rtcpPort == 30001)
        #expect(answer.connection?.address == "127.0.0.1")
        #expect(n.sendCodec.descriptor == .g722 && n.sendCodec.payloadType == 9)
        #expect(n.receiveCodecs.map(\.payloadType) == [9, 0])
        #expect(n.telephoneEventPayloadType == 101)
        #expect(n.remoteAddress == "192.0.2.10" && n.remotePort == 10000 && n.remoteRTCPPort == 10001)
        #expect(n.sendPacketTime == 20 && n.direction == .sendrecv)
        #expect(try SessionDescription(parsing: answer.serialized()) == answer)
    }

    @Test func answersFreeSWITCHOpusWithTheOfferersPayloadTypeAndParameters() throws {
        let offer = try SessionDescription(parsing: SampleSDP.freeswitchOffer)
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local([SampleSDP.opus, .pcmu]), origin: origin)
        // Opus keeps FreeSWITCH's number 102; telephone-event kept at both matching rates.
        #expect(answer.media[0].formats == ["102", "0", "103", "101"])
        #expect(n.sendCodec.payloadType == 102 && n.sendCodec.descriptor.encodingName == "opus")
        #expect(n.sendCodec.remoteParameters["useinbandfec"] == "1")
        #expect(n.sendCodec.remoteParameters["maxaveragebitrate"] == "30000")
        #expect(n.telephoneEventPayloadType == 103)  // the 48 kHz one, for Opus
        #expect(answer.media[0].formatParameters(for: 102) == "useinbandfec=1")
        #expect(!answer.media[0].formats.contains("13"))  // CN not supported, not answered
    }

    @Test func answerDropsTelephoneEventWhenWeDoNotSupportIt() throws {
        let offer = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local([.pcmu], telephoneEvent: false), origin: origin)
        #expect(answer.media[0].formats == ["0"] && n.telephoneEventPayloadType == nil)
    }

    @Test func webRTCOfferIsRefusedBecauseItNeedsDTLSSRTP() throws {
        let offer = try SessionDescription(parsing: SampleSDP.webRTCOffer)
        #expect(throws: SDPNegotiationError.noAudioStream) { try OfferAnswer.makeAnswer(to: offer, local: local(), origin: origin) }
    }

    @Test func gatewayOfferRejectsVideoWithPortZeroAndAnswersRecvonlyWithSendonly() throws {
        let offer = try SessionDescription(parsing: SampleSDP.avpfGatewayOffer)
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local(), origin: origin)
        #expect(answer.media.count == 2)
        #expect(answer.media[1].port == 0 && answer.media[1].media == "video" && answer.media[1].formats == ["96"])
        #expect(answer.media[0].proto == "RTP/AVPF")
        // Encoding names match case-insensitively (OPUS); our preference puts PCMU first.
        #expect(answer.media[0].formats == ["0", "111", "126"])
        #expect(answer.media[0].direction == .sendonly)
        #expect(n.direction == .sendonly && n.remoteRTCPPort == 50011 && n.remoteAddress == "2001:db8::5")
        #expect(n.sendPacketTime == 40)
        #expect(n.telephoneEventPayloadType == nil)  // only a 48 kHz event offered, we send PCMU at 8 kHz
        let rendered = answer.serialized()
        #expect(rendered.contains("m=video 0 RTP/AVPF 96\r\n"))
    }

    @Test func secondAudioStreamAndDisabledStreamsAreRejected() throws {
        let text = """
            v=0
            o=- 5 5 IN IP4 192.0.2.1
            s=-
            c=IN IP4 192.0.2.1
            t=0 0
            m=audio 0 RTP/AVP 0
            m=audio 4000 RTP/AVP 0
            m=audio 4002 RTP/AVP 8
            m=audio 4004 RTP/SAVP 0

            """
        let offer = try SessionDescription(parsing: text)
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local(), origin: origin)
        #expect(answer.media.map(\.port) == [0, 30000, 0, 0])
        #expect(n.remotePort == 4000)
    }

    @Test func noCommonCodecIsATypedError() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 AMR/8000\r\n"
        let offer = try SessionDescription(parsing: text)
        #expect(throws: SDPNegotiationError.noCommonCodec(offered: ["G729/8000", "AMR/8000"])) {
            try OfferAnswer.makeAnswer(to: offer, local: local(), origin: origin)
        }
        // Opus must be /48000/2; a mono rtpmap does not match.
        let mono = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000\r\n"
        #expect(throws: SDPNegotiationError.self) {
            try OfferAnswer.makeAnswer(to: try SessionDescription(parsing: mono), local: local([SampleSDP.opus]), origin: origin)
        }
    }

    @Test(arguments: [
        (MediaDirection.sendrecv, MediaDirection.sendrecv, MediaDirection.sendrecv),
        (.sendonly, .sendrecv, .recvonly),
        (.recvonly, .sendrecv, .sendonly),
        (.inactive, .sendrecv, .inactive),
        (.sendrecv, .sendonly, .sendonly),  // we hold the peer
        (.sendonly, .sendonly, .inactive),  // both hold
        (.recvonly, .recvonly, .inactive),
        (.sendrecv, .inactive, .inactive),
    ])
    func answerDirectionPerRFC3264(offered: MediaDirection, wish: MediaDirection, expected: MediaDirection) throws {
        var offer = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        offer.media[0].direction = offered
        let (answer, n) = try OfferAnswer.makeAnswer(to: offer, local: local(direction: wish), origin: origin)
        #expect(answer.media[0].direction == expected && n.direction == expected)
    }

    @Test func nullConnectionAddressIsOldStyleHold() throws {
        let text = SampleSDP.asteriskOffer.replacing("c=IN IP4 192.0.2.10", with: "c=IN IP4 0.0.0.0")
        let (answer, n) = try OfferAnswer.makeAnswer(to: try SessionDescription(parsing: text), local: local(), origin: origin)
        #expect(answer.media[0].direction == .recvonly && n.isHeldByRemote)
    }

    @Test func packetTimeIsMappedToWhatWeSupport() throws {
        for (ptime, maxptime, expected) in [(30, nil, 20), (60, nil, 60), (60, 40, 40), (5, nil, 10), (nil, nil, 20)] as [(Int?, Int?, Int)] {
            var offer = try SessionDescription(parsing: SampleSDP.asteriskOffer)
            offer.media[0].attributes.removeAll { $0.name == "ptime" || $0.name == "maxptime" }
            if let ptime { offer.media[0].attributes.append(.init("ptime", String(ptime))) }
            if let maxptime { offer.media[0].attributes.append(.init("maxptime", String(maxptime))) }
            let (_, n) = try OfferAnswer.makeAnswer(to: offer, local: local(), origin: origin)
            #expect(n.sendPacketTime == expected, "ptime \(String(describing: ptime)) maxptime \(String(describing: maxptime))")
        }
    }

    // MARK: processing answers

    @Test func processesAnAsteriskStyleAnswer() throws {
        let offer = try OfferAnswer.makeOffer(local: local(), origin: origin)
        let answerText = """
            v=0
            o=- 99 99 IN IP4 192.0.2.20
            s=Asterisk
            c=IN IP4 192.0.2.20
            t=0 0
            m=audio 12000 RTP/AVP 8 101
            a=rtpmap:8 PCMA/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendrecv

            """
        let n = try OfferAnswer.processAnswer(try SessionDescription(parsing: answerText), to: offer, local: local())
        #expect(n.sendCodec.descriptor == .pcma && n.sendCodec.payloadType == 8)
        #expect(n.telephoneEventPayloadType == 101 && n.remotePort == 12000 && n.remoteAddress == "192.0.2.20")
        #expect(n.direction == .sendrecv)
    }

    @Test func answerErrors() throws {
        let offer = try OfferAnswer.makeOffer(local: local(), origin: origin)
        let head = "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"
        #expect(throws: SDPNegotiationError.audioRejected) {
            try OfferAnswer.processAnswer(try SessionDescription(parsing: head + "m=audio 0 RTP/AVP 0\r\n"), to: offer, local: local())
        }
        #expect(throws: SDPNegotiationError.formatNotOffered("18")) {
            try OfferAnswer.processAnswer(try SessionDescription(parsing: head + "m=audio 5000 RTP/AVP 18\r\n"), to: offer, local: local())
        }
        #expect(throws: SDPNegotiationError.mediaCountMismatch(offered: 1, answered: 2)) {
            try OfferAnswer.processAnswer(
                try SessionDescription(parsing: head + "m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n"), to: offer, local: local())
        }
        // Only telephone-event answered: nothing to send audio with.
        #expect(throws: SDPNegotiationError.self) {
            try OfferAnswer.processAnswer(try SessionDescription(parsing: head + "m=audio 5000 RTP/AVP 101\r\n"), to: offer, local: local())
        }
    }

    // MARK: session with re-offers

    @Test func holdAndResumeThroughRemoteReOffers() throws {
        var session = OfferAnswerSession(local: local(), sessionID: 777)
        let offer = try SessionDescription(parsing: SampleSDP.asteriskOffer)
        let first = try session.receiveOffer(offer)
        #expect(first.origin.sessionVersion == 1 && first.origin.sessionID == "777")
        // Same offer again (session refresh): same answer, same version.
        let refresh = try session.receiveOffer(offer)
        #expect(refresh == first)
        // Remote puts us on hold.
        var hold = offer
        hold.media[0].direction = .sendonly
        hold.origin.sessionVersion += 1
        let held = try session.receiveOffer(hold)
        #expect(held.media[0].direction == .recvonly && held.origin.sessionVersion == 2)
        #expect(session.negotiated?.isHeldByRemote == true)
        // Resume.
        hold.media[0].direction = .sendrecv
        let resumed = try session.receiveOffer(hold)
        #expect(resumed.media[0].direction == .sendrecv && resumed.origin.sessionVersion == 3)
    }

    @Test func weHoldThePeerWithOurOwnReOffer() throws {
        var session = OfferAnswerSession(local: local([.pcmu]), sessionID: 5)
        let offer = try session.makeOffer()
        let answer = "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
        let n = try session.receiveAnswer(try SessionDescription(parsing: answer))
        #expect(n.direction == .sendrecv && n.telephoneEventPayloadType == 101)
        session.local.direction = .sendonly
        let hold = try session.makeOffer()
        #expect(hold.media[0].direction == .sendonly && hold.origin.sessionVersion == offer.origin.sessionVersion + 1)
        let heldAnswer = answer + "a=recvonly\r\n"
        let h = try session.receiveAnswer(try SessionDescription(parsing: heldAnswer))
        #expect(h.direction == .sendonly)
        // No pending offer any more: a stray answer is refused.
        #expect(throws: SDPNegotiationError.self) { try session.receiveAnswer(try SessionDescription(parsing: heldAnswer)) }
    }
}
