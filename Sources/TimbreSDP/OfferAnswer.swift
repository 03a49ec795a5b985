import TimbreCodecs
import TimbreCore

/// RFC 3264 offer/answer for one audio stream over plain RTP (RTP/AVP, RTP/AVPF).
///
/// Stateless functions over `SessionDescription` values; `OfferAnswerSession` keeps the state
/// (origin version, last offer) for one endpoint across re-offers.
public enum OfferAnswer {
    /// Our side of the stream.
    public struct Local: Hashable, Sendable {
        /// Address written in `c=` and `o=` (IPv4 or IPv6 literal).
        public var address: String
        /// RTP port (even by convention).
        public var port: Int
        /// RTCP port, written as `a=rtcp` when set.
        public var rtcpPort: Int?
        /// Codecs in preference order.
        public var codecs: [CodecDescriptor]
        /// Offer, and keep in answers, RFC 4733 telephone-event.
        public var telephoneEvent: Bool
        /// The `a=ptime` we ask for (what we want to receive), in ms.
        public var packetTime: Int?
        /// What we want to do (sendonly to hold the peer, inactive, …).
        public var direction: MediaDirection

        public init(
            address: String, port: Int, rtcpPort: Int? = nil, codecs: [CodecDescriptor], telephoneEvent: Bool = true,
            packetTime: Int? = 20, direction: MediaDirection = .sendrecv
        ) {
            self.address = address
            self.port = port
            self.rtcpPort = rtcpPort
            self.codecs = codecs
            self.telephoneEvent = telephoneEvent
            self.packetTime = packetTime
            self.direction = direction
        }

        var addressType: String { address.contains(":") ? "IP6" : "IP4" }
    }

    /// Transport profiles we terminate: plain RTP. Secure profiles are rejected with port 0.
    public static let supportedProtocols: Set<String> = ["RTP/AVP", "RTP/AVPF"]

    /// Dynamic payload types we prefer for telephone-event, by clock rate.
    static let telephoneEventPreferred: [Int: UInt8] = [8000: 101, 16000: 102, 48000: 110]

    // MARK: offer

    /// Builds an offer listing `local.codecs` in order, plus telephone-event at each codec clock
    /// rate (8000 for G.711/G.722, 48000 for Opus) when enabled.
    public static func makeOffer(local: Local, origin: SessionDescription.Origin) throws(SDPNegotiationError) -> SessionDescription {
        guard !local.codecs.isEmpty else { throw .nothingToOffer }
        var used = Set(local.codecs.map(\.payloadType))
        var formats: [String] = []
        var attrs: [SessionDescription.Attribute] = []
        for c in local.codecs {
            formats.append(String(c.payloadType))
            attrs.append(.init("rtpmap", "\(c.payloadType) \(c.rtpmap)"))
            if let f = c.defaultFormatParameters { attrs.append(.init("fmtp", "\(c.payloadType) \(f)")) }
        }
        if local.telephoneEvent {
            var rates: [Int] = []
            for c in local.codecs where !rates.contains(c.rtpClockRate) { rates.append(c.rtpClockRate) }
            for rate in rates {
                let pt = freePayloadType(preferred: telephoneEventPreferred[rate] ?? 101, used: used)
                guard let pt else { break }
                used.insert(pt)
                formats.append(String(pt))
                attrs.append(.init("rtpmap", "\(pt) telephone-event/\(rate)"))
                attrs.append(.init("fmtp", "\(pt) 0-16"))
            }
        }
        appendCommon(&attrs, local: local, direction: local.direction)
        let m = MediaDescription(port: local.port, proto: "RTP/AVP", formats: formats, attributes: attrs)
        return SessionDescription(
            origin: origin, sessionName: "Timbre",
            connection: .init(addressType: local.addressType, address: local.address), media: [m])
    }

    static func freePayloadType(preferred: UInt8, used: Set<UInt8>) -> UInt8? {
        if !used.contains(preferred) { return preferred }
        return (96...127).first { !used.contains(UInt8($0)) }.map { UInt8($0) }
    }

    static func appendCommon(_ attrs: inout [SessionDescription.Attribute], local: Local, direction: MediaDirection) {
        if let p = local.packetTime { attrs.append(.init("ptime", String(p))) }
        if let r = local.rtcpPort { attrs.append(.init("rtcp", String(r))) }
        attrs.append(.init(direction.rawValue))
    }

    // MARK: answer

    /// Answers `offer` (initial or re-offer): accepts the first plain-RTP audio stream with a
    /// common codec, rejects every other stream with port 0 (RFC 3264 §6), keeps the offerer's
    /// payload type numbers, lists common codecs in our preference order, keeps telephone-event
    /// when offered at the chosen codec's rate, and answers the direction per §6.1.
    public static func makeAnswer(
        to offer: SessionDescription, local: Local, origin: SessionDescription.Origin
    ) throws(SDPNegotiationError) -> (answer: SessionDescription, negotiated: NegotiatedAudio) {
        var answered: [MediaDescription] = []
        var negotiated: NegotiatedAudio?
        var offeredNames: [String] = []
        var sawAudio = false
        for (index, m) in offer.media.enumerated() {
            let reject = MediaDescription(media: m.media, port: 0, proto: m.proto, formats: m.formats.isEmpty ? ["0"] : m.formats)
            guard negotiated == nil, m.media == "audio", m.port != 0, supportedProtocols.contains(m.proto),
                let conn = offer.effectiveConnection(forMedia: index)
            else {
                answered.append(reject)
                continue
            }
            sawAudio = true
            let match = matchCodecs(in: m, supported: local.codecs)
            offeredNames += match.offeredNames
            guard let first = match.common.first else {
                answered.append(reject)
                continue
            }
            var formats: [String] = []
            var attrs: [SessionDescription.Attribute] = []
            for c in match.common {
                formats.append(String(c.payloadType))
                attrs.append(.init("rtpmap", "\(c.payloadType) \(c.descriptor.rtpmap)"))
                if let f = c.descriptor.defaultFormatParameters { attrs.append(.init("fmtp", "\(c.payloadType) \(f)")) }
            }
            var events: [UInt8: Int] = [:]
            if local.telephoneEvent {
                let rates = Set(match.common.map(\.descriptor.rtpClockRate))
                for (pt, rate) in match.telephoneEvents where rates.contains(rate) {
                    formats.append(String(pt))
                    attrs.append(.init("rtpmap", "\(pt) telephone-event/\(rate)"))
                    attrs.append(.init("fmtp", "\(pt) 0-16"))
                    events[pt] = rate
                }
            }
            // Direction: a null connection address (RFC 2543 hold) means the offerer will not receive.
            var offeredDirection = m.direction
            if conn.isNullAddress { offeredDirection = MediaDirection(sends: offeredDirection.sends, receives: false) }
            let ours = offeredDirection.answer(localWish: local.direction)
            appendCommon(&attrs, local: local, direction: ours)
            answered.append(MediaDescription(port: local.port, proto: m.proto, formats: formats, attributes: attrs))
            negotiated = NegotiatedAudio(
                remoteAddress: conn.address.split(separator: "/").first.map(String.init) ?? conn.address,
                remotePort: m.port, remoteRTCPPort: m.rtcpPort ?? m.port + 1, sendCodec: first,
                receiveCodecs: match.common,
                telephoneEventPayloadType: events.first { $0.value == first.descriptor.rtpClockRate }?.key,
                sendPacketTime: supportedPacketTime(m.packetTime, maximum: m.maximumPacketTime), direction: ours)
        }
        guard let negotiated else {
            if sawAudio { throw .noCommonCodec(offered: offeredNames) }
            throw .noAudioStream
        }
        let answer = SessionDescription(
            origin: origin, sessionName: "Timbre",
            connection: .init(addressType: local.addressType, address: local.address), media: answered)
        return (answer, negotiated)
    }

    /// The packet time we send with for a peer's `a=ptime`/`a=maxptime`: its ptime when we
    /// support it, else the largest supported value not above it (and not above maxptime), 20 ms
    /// by default.
    static func supportedPacketTime(_ ptime: Int?, maximum: Int?) -> Int {
        let supported = FrameDuration.allCases.map(\.milliseconds)
        let limit = min(ptime ?? 20, maximum ?? Int.max)
        return supported.last { $0 <= limit } ?? supported[0]
    }

    struct CodecMatch {
        var common: [NegotiatedCodec]
        var telephoneEvents: [(UInt8, Int)]
        var offeredNames: [String]
    }

    /// Maps each offered payload type to a supported codec, returning the matches in our
    /// preference order.
    static func matchCodecs(in m: MediaDescription, supported: [CodecDescriptor]) -> CodecMatch {
        var byCodec: [(rank: Int, codec: NegotiatedCodec)] = []
        var events: [(UInt8, Int)] = []
        var names: [String] = []
        for f in m.formats {
            guard let pt = UInt8(f), let map = m.rtpMap(for: pt) else { continue }
            names.append("\(map.encodingName)/\(map.clockRate)")
            if map.encodingName.lowercased() == "telephone-event" {
                if !events.contains(where: { $0.1 == map.clockRate }) { events.append((pt, map.clockRate)) }
                continue
            }
            guard
                let rank = supported.firstIndex(where: {
                    $0.encodingName.lowercased() == map.encodingName.lowercased() && $0.rtpClockRate == map.clockRate
                        && ($0.rtpChannels == map.channels || $0.encodingName.lowercased() != "opus")
                }),
                !byCodec.contains(where: { $0.rank == rank })
            else { continue }
            byCodec.append((rank, NegotiatedCodec(descriptor: supported[rank], payloadType: pt, remoteFormatParameters: m.formatParameters(for: pt))))
        }
        byCodec.sort { $0.rank < $1.rank }
        return CodecMatch(common: byCodec.map(\.codec), telephoneEvents: events, offeredNames: names)
    }

    // MARK: processing an answer

    /// Accepts the peer's answer to `offer` (which we made): checks it answers each m= line,
    /// uses only payload types we offered, and derives what to send.
    public static func processAnswer(
        _ answer: SessionDescription, to offer: SessionDescription, local: Local
    ) throws(SDPNegotiationError) -> NegotiatedAudio {
        guard answer.media.count == offer.media.count else {
            throw .mediaCountMismatch(offered: offer.media.count, answered: answer.media.count)
        }
        guard let index = offer.media.firstIndex(where: { $0.media == "audio" && $0.port != 0 }) else { throw .noAudioStream }
        let ours = offer.media[index]
        let theirs = answer.media[index]
        guard theirs.port != 0 else { throw .audioRejected }
        guard let conn = answer.effectiveConnection(forMedia: index) else { throw .missingConnection }
        for f in theirs.formats where !ours.formats.contains(f) { throw .formatNotOffered(f) }
        // Their rtpmaps decide names (they must match ours); fall back to ours.
        var merged = theirs
        for a in ours.attributes where a.name == "rtpmap" {
            if let v = a.value, let pt = MediaDescription.parseRTPMap(v)?.payloadType, theirs.formats.contains(String(pt)),
                !theirs.attributeValues("rtpmap").contains(where: { MediaDescription.parseRTPMap($0)?.payloadType == pt })
            {
                merged.attributes.append(a)
            }
        }
        let match = matchCodecs(in: merged, supported: local.codecs)
        // The offerer sends with the answerer's first listed format (RFC 3264 §7), if it is ours.
        let firstListed = theirs.formats.compactMap(UInt8.init).first { pt in match.common.contains { $0.payloadType == pt } }
        guard let sendPT = firstListed, let send = match.common.first(where: { $0.payloadType == sendPT }) else {
            throw .noCommonCodec(offered: match.offeredNames)
        }
        var theirDirection = theirs.direction
        if conn.isNullAddress { theirDirection = MediaDirection(sends: theirDirection.sends, receives: false) }
        let direction = MediaDirection(
            sends: local.direction.sends && theirDirection.receives, receives: local.direction.receives && theirDirection.sends)
        let event = match.telephoneEvents.first { $0.1 == send.descriptor.rtpClockRate }?.0
        return NegotiatedAudio(
            remoteAddress: conn.address.split(separator: "/").first.map(String.init) ?? conn.address,
            remotePort: theirs.port, remoteRTCPPort: theirs.rtcpPort ?? theirs.port + 1, sendCodec: send,
            receiveCodecs: match.common, telephoneEventPayloadType: local.telephoneEvent ? event : nil,
            sendPacketTime: supportedPacketTime(theirs.packetTime, maximum: theirs.maximumPacketTime), direction: direction)
    }
}
