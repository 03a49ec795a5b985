import TimbreCodecs
import TimbreEngine
import TimbreSDP

/// Bridges TimbreSDP's offer/answer to the engine's `NegotiatedMedia` and the API's errors.
struct SDPNegotiator {
    let registry: CodecRegistry
    let config: ServiceConfig
    let localPort: Int

    struct Result {
        var sdp: String
        var media: NegotiatedMedia
        var remoteDirection: String
    }

    var offerAnswer: AudioOfferAnswer {
        AudioOfferAnswer(registry: registry, localAddress: config.rtp.host, ptime: config.codecs.ptimeMs, preferences: config.codecs.offer)
    }

    func parse(_ text: String) throws -> SessionDescription {
        do { return try SessionDescription(parsing: text) } catch {
            throw APIError(.unprocessableContent, "invalid_sdp", error.description)
        }
    }

    func answer(offer text: String, sessionID: UInt64, version: Int) throws -> Result {
        let offer = try parse(text)
        do {
            let (answer, n) = try offerAnswer.answer(offer, port: localPort, sessionID: sessionID, version: version)
            return Result(sdp: answer.text, media: media(n), remoteDirection: n.remoteDirection.rawValue)
        } catch {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", error.description)
        }
    }

    func offer(codecs: [String], telephoneEvent: Bool, sessionID: UInt64, version: Int) throws -> String {
        let known = ["pcmu", "pcma", "g722", "opus"]
        for c in codecs where !known.contains(c.lowercased()) {
            throw APIError(.badRequest, "invalid_body", "codecs: unknown codec \(c) (PCMU, PCMA, G722, opus)")
        }
        do {
            return try offerAnswer.makeOffer(codecs: codecs, telephoneEvent: telephoneEvent, port: localPort, sessionID: sessionID, version: version).text
        } catch {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", error.description)
        }
    }

    func processAnswer(answer text: String, offer offerText: String) throws -> Result {
        let answer = try parse(text)
        let offer = try parse(offerText)
        do {
            let n = try offerAnswer.processAnswer(answer, to: offer)
            return Result(sdp: offerText, media: media(n), remoteDirection: n.remoteDirection.rawValue)
        } catch {
            throw APIError(.unprocessableContent, "sdp_negotiation_failed", error.description)
        }
    }

    func media(_ n: AudioNegotiation) -> NegotiatedMedia {
        let remote = n.remoteAddress.flatMap { SocketAddress(host: $0, port: n.remotePort) }
        let rtcp = n.remoteAddress.flatMap { SocketAddress(host: $0, port: n.remoteRTCPPort) }
        // A remote that holds us (sendonly/inactive) means we stop sending or receiving accordingly.
        let direction = MediaDirection(rawValue: n.localDirection.rawValue) ?? .sendrecv
        return NegotiatedMedia(
            codec: n.codec, payloadType: n.payloadType, telephoneEventPayloadType: n.telephoneEventPayloadType,
            comfortNoisePayloadType: n.comfortNoisePayloadType, direction: direction,
            remote: n.remotePort == 0 ? nil : remote, remoteRTCP: rtcp)
    }
}
