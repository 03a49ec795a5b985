import TimbreCodecs
import TimbreEngine
import TimbreSDP

/// Bridges TimbreSDP's offer/answer (one `OfferAnswerSession` per endpoint, which keeps the o=
/// version and the pending offer across re-offers) to the engine's `NegotiatedMedia` and the
/// API's errors.
struct SDPNegotiator {
    let registry: CodecRegistry

    struct Result {
        var sdp: String
        var media: NegotiatedMedia
        var remoteDirection: String
    }

    /// A new session for an endpoint on `port`, offering `codecs` (ids or SDP names) in order.
    static func session(
        registry: CodecRegistry, config: ServiceConfig, port: Int, legID: UInt64, codecs: [String]? = nil, telephoneEvent: Bool = true
    ) throws -> OfferAnswerSession {
        let names = codecs ?? config.codecs.offer
        var descriptors: [CodecDescriptor] = []
        for name in names {
            guard let e = registry.entry(id: name), config.codecs.offer.contains(where: { $0.lowercased() == e.descriptor.id }) || codecs != nil else {
                throw APIError(.badRequest, "invalid_body", "codecs: unknown codec \(name) (PCMU, PCMA, G722, opus)")
            }
            if !descriptors.contains(e.descriptor) { descriptors.append(e.descriptor) }
        }
        guard !descriptors.isEmpty else { throw APIError(.badRequest, "invalid_body", "codecs: at least one codec") }
        let local = OfferAnswer.Local(
            address: config.rtp.host, port: port, rtcpPort: port + 1, codecs: descriptors, telephoneEvent: telephoneEvent,
            packetTime: config.codecs.ptimeMs)
        return OfferAnswerSession(local: local, sessionID: legID)
    }

    static func parse(_ text: String) throws -> SessionDescription {
        do { return try SessionDescription(parsing: text) } catch {
            throw APIError(.unprocessableContent, "invalid_sdp", error.description)
        }
    }

    /// Answers a remote offer or re-offer.
    func answer(_ text: String, session: inout OfferAnswerSession) throws -> Result {
        let offer = try Self.parse(text)
        do {
            let answer = try session.receiveOffer(offer)
            guard let n = session.negotiated else { throw APIError(.unprocessableContent, "sdp_negotiation_failed", "no audio negotiated") }
            return Result(sdp: answer.serialized(), media: try media(n), remoteDirection: remoteDirection(n))
        } catch let e as SDPNegotiationError {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", e.description)
        }
    }

    /// Our offer.
    func offer(session: inout OfferAnswerSession) throws -> String {
        do { return try session.makeOffer().serialized() } catch {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", error.description)
        }
    }

    /// The remote's answer to our pending offer.
    func processAnswer(_ text: String, session: inout OfferAnswerSession) throws -> Result {
        let answer = try Self.parse(text)
        do {
            let n = try session.receiveAnswer(answer)
            return Result(sdp: session.lastLocalDescription?.serialized() ?? "", media: try media(n), remoteDirection: remoteDirection(n))
        } catch let e as SDPNegotiationError {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", e.description)
        }
    }

    /// The remote's direction, seen from its side (what it wrote): the mirror of ours.
    func remoteDirection(_ n: NegotiatedAudio) -> String {
        MediaDirection(sends: n.direction.receives, receives: n.direction.sends).rawValue
    }

    func media(_ n: NegotiatedAudio) throws -> NegotiatedMedia {
        guard let entry = registry.entry(id: n.sendCodec.descriptor.id) else {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", "codec \(n.sendCodec.descriptor.encodingName) unavailable")
        }
        let remote = n.remotePort == 0 ? nil : SocketAddress(host: n.remoteAddress, port: n.remotePort)
        let rtcp = SocketAddress(host: n.remoteAddress, port: n.remoteRTCPPort)
        // Static CN (RFC 3551 PT 13) is accepted from any peer: the jitter buffer plays comfort noise.
        return NegotiatedMedia(
            codec: entry, payloadType: n.sendCodec.payloadType, telephoneEventPayloadType: n.telephoneEventPayloadType,
            comfortNoisePayloadType: 13, direction: n.direction, remote: remote, remoteRTCP: rtcp)
    }
}
