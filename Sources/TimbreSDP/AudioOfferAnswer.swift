import TimbreCodecs

/// What offer/answer settled for the audio stream.
public struct AudioNegotiation: Sendable {
    /// The codec to send with (the first common one).
    public var codec: CodecRegistry.Entry
    public var payloadType: UInt8
    public var telephoneEventPayloadType: UInt8?
    public var comfortNoisePayloadType: UInt8?
    /// Where the remote wants media: address, RTP port and RTCP port.
    public var remoteAddress: String?
    public var remotePort: Int
    public var remoteRTCPPort: Int
    /// The remote's declared direction and ours (RFC 3264 §6.1).
    public var remoteDirection: SessionDescription.Direction
    public var localDirection: SessionDescription.Direction
    public var ptime: Int?
}

/// RFC 3264 offer/answer for one audio stream: PCMU, PCMA, G722, opus (RFC 7587 fmtp) and
/// telephone-event (RFC 4733), ptime, and direction for hold.
public struct AudioOfferAnswer: Sendable {
    public var registry: CodecRegistry
    /// Address we put in c= and o=.
    public var localAddress: String
    /// Our packetisation time in milliseconds.
    public var ptime: Int
    /// Codec ids we accept, in our preference order (used for offers).
    public var preferences: [String]

    public init(registry: CodecRegistry, localAddress: String, ptime: Int = 20, preferences: [String]) {
        self.registry = registry
        self.localAddress = localAddress
        self.ptime = ptime
        self.preferences = preferences.map { $0.lowercased() }
    }

    /// Dynamic payload type we offer telephone-event with, per clock rate.
    static func telephoneEventType(clockRate: Int) -> UInt8 { clockRate == 48000 ? 102 : 101 }

    /// Our offer for `codecs` (ids or encoding names, our order).
    public func makeOffer(
        codecs: [String], telephoneEvent: Bool, port: Int, sessionID: UInt64, version: Int,
        direction: SessionDescription.Direction = .sendrecv
    ) throws(SDPError) -> SessionDescription {
        let wanted = codecs.isEmpty ? preferences : codecs.map { $0.lowercased() }
        var formats: [SessionDescription.Format] = []
        var clockRates: [Int] = []
        for id in wanted {
            guard let e = registry.entry(id: id), preferences.contains(e.descriptor.id),
                !formats.contains(where: { $0.payloadType == e.descriptor.payloadType })
            else { continue }
            let d = e.descriptor
            formats.append(.init(payloadType: d.payloadType, encodingName: d.encodingName, clockRate: d.rtpClockRate,
                channels: d.rtpChannels > 1 ? d.rtpChannels : nil, parameters: d.defaultFormatParameters))
            if !clockRates.contains(d.rtpClockRate) { clockRates.append(d.rtpClockRate) }
        }
        guard !formats.isEmpty else { throw .noCommonCodec(offered: codecs) }
        if telephoneEvent {
            for rate in clockRates {
                formats.append(.init(payloadType: Self.telephoneEventType(clockRate: rate), encodingName: "telephone-event",
                    clockRate: rate, parameters: "0-16"))
            }
        }
        var m = SessionDescription.Media(type: "audio", port: port, proto: "RTP/AVP", formats: formats, direction: direction, ptime: ptime)
        m.rtcpPort = port + 1
        return SessionDescription(
            origin: .init(sessionID: String(sessionID), sessionVersion: String(version), address: localAddress),
            sessionName: "timbre", connection: localAddress, media: [m])
    }

    /// Our answer to `offer`: the first offered codec we support (the offerer's order), plus
    /// telephone-event and comfort noise when offered at that clock rate; other streams are
    /// rejected with port 0.
    public func answer(
        _ offer: SessionDescription, port: Int, sessionID: UInt64, version: Int,
        wanting ours: SessionDescription.Direction = .sendrecv
    ) throws(SDPError) -> (SessionDescription, AudioNegotiation) {
        guard let ai = offer.audioIndex, offer.media[ai].port != 0 else { throw .noAudioStream }
        let offered = offer.media[ai]
        var chosen: (CodecRegistry.Entry, SessionDescription.Format)?
        for f in offered.formats {
            guard let name = f.encodingName, let rate = f.clockRate,
                let e = registry.entry(encodingName: name, clockRate: rate), preferences.contains(e.descriptor.id)
            else { continue }
            chosen = (e, f)
            break
        }
        guard let (entry, format) = chosen else {
            throw .noCommonCodec(offered: offered.formats.compactMap { f in f.encodingName.map { "\($0)/\(f.clockRate ?? 0)" } })
        }
        let rate = entry.descriptor.rtpClockRate
        let te = offered.formats.first { $0.encodingName?.lowercased() == "telephone-event" && $0.clockRate == rate }
        let cn = offered.formats.first { $0.encodingName?.uppercased() == "CN" && $0.clockRate == rate }
        var formats = [SessionDescription.Format(
            payloadType: format.payloadType, encodingName: format.encodingName, clockRate: format.clockRate,
            channels: format.channels, parameters: Self.answerParameters(entry, offered: format.parameters))]
        if let te { formats.append(.init(payloadType: te.payloadType, encodingName: te.encodingName, clockRate: rate, parameters: te.parameters ?? "0-16")) }
        if let cn { formats.append(.init(payloadType: cn.payloadType, encodingName: "CN", clockRate: rate)) }
        let remoteDirection = offer.direction(of: offered)
        let localDirection = remoteDirection.answer(wanting: ours)
        var media: [SessionDescription.Media] = []
        for (i, m) in offer.media.enumerated() {
            if i == ai {
                var a = SessionDescription.Media(type: "audio", port: port, proto: m.proto, formats: formats, direction: localDirection, ptime: ptime)
                a.rtcpPort = port + 1
                media.append(a)
            } else {
                // Reject streams we do not handle (video, a second audio) with port 0.
                media.append(SessionDescription.Media(type: m.type, port: 0, proto: m.proto, formats: m.formats.prefix(1).map { .init(payloadType: $0.payloadType) }))
            }
        }
        let answer = SessionDescription(
            origin: .init(sessionID: String(sessionID), sessionVersion: String(version), address: localAddress),
            sessionName: "timbre", connection: localAddress, media: media)
        let negotiation = AudioNegotiation(
            codec: entry, payloadType: format.payloadType, telephoneEventPayloadType: te?.payloadType,
            comfortNoisePayloadType: cn?.payloadType, remoteAddress: offer.connectionAddress(for: offered),
            remotePort: offered.port, remoteRTCPPort: offered.rtcpPort ?? offered.port + 1,
            remoteDirection: remoteDirection, localDirection: localDirection, ptime: offered.ptime)
        return (answer, negotiation)
    }

    /// Reads the remote's answer to our `offer`.
    public func processAnswer(_ answer: SessionDescription, to offer: SessionDescription) throws(SDPError) -> AudioNegotiation {
        guard let ours = offer.audio else { throw .answerWithoutOffer }
        guard let theirs = answer.audio else { throw .noAudioStream }
        if theirs.port == 0 { throw .answerStreamMismatch("audio stream rejected (port 0)") }
        guard let f = theirs.formats.first(where: { af in
            af.encodingName?.lowercased() != "telephone-event" && af.encodingName?.uppercased() != "CN"
        }) else { throw .noCommonCodec(offered: []) }
        guard let name = f.encodingName, let rate = f.clockRate, let entry = registry.entry(encodingName: name, clockRate: rate),
            ours.formats.contains(where: { $0.encodingName?.lowercased() == name.lowercased() && $0.clockRate == rate })
        else { throw .answerStreamMismatch("codec \(f.encodingName ?? String(f.payloadType)) was not offered") }
        let te = theirs.formats.first { $0.encodingName?.lowercased() == "telephone-event" && $0.clockRate == rate }
        let cn = theirs.formats.first { $0.encodingName?.uppercased() == "CN" && $0.clockRate == rate }
        let remoteDirection = answer.direction(of: theirs)
        let ourDirection = offer.direction(of: ours)
        return AudioNegotiation(
            codec: entry, payloadType: f.payloadType, telephoneEventPayloadType: te?.payloadType,
            comfortNoisePayloadType: cn?.payloadType, remoteAddress: answer.connectionAddress(for: theirs),
            remotePort: theirs.port, remoteRTCPPort: theirs.rtcpPort ?? theirs.port + 1, remoteDirection: remoteDirection,
            localDirection: ourDirection, ptime: theirs.ptime)
    }

    /// fmtp for our answer: Opus per RFC 7587 (we accept FEC; mono unless the offer asks);
    /// other codecs echo nothing.
    static func answerParameters(_ entry: CodecRegistry.Entry, offered: String?) -> String? {
        guard entry.descriptor.id == "opus" else { return nil }
        return "minptime=10;useinbandfec=1"
    }
}
