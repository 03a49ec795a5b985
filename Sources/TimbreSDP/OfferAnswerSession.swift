/// Offer/answer state of one endpoint across its life: the `o=` line (whose version must grow
/// whenever our description changes, RFC 3264 §8), the offer awaiting an answer, and the last
/// negotiated result. Re-offers (hold, resume, codec change) from either side go through the
/// same calls.
public struct OfferAnswerSession: Sendable {
    public var local: OfferAnswer.Local
    public private(set) var origin: SessionDescription.Origin
    /// Our last description sent (offer or answer).
    public private(set) var lastLocalDescription: SessionDescription?
    /// An offer we sent that has not been answered.
    public private(set) var pendingOffer: SessionDescription?
    public private(set) var negotiated: NegotiatedAudio?

    public init(local: OfferAnswer.Local, sessionID: UInt64, username: String = "timbre") {
        self.local = local
        origin = SessionDescription.Origin(
            username: username, sessionID: String(sessionID), sessionVersion: 1, addressType: local.addressType,
            address: local.address)
    }

    /// Creates an offer (initial or re-offer), e.g. with `local.direction = .sendonly` to hold.
    public mutating func makeOffer() throws(SDPNegotiationError) -> SessionDescription {
        var offer = try OfferAnswer.makeOffer(local: local, origin: origin)
        offer = bumpIfChanged(offer)
        pendingOffer = offer
        return offer
    }

    /// Answers a remote offer (initial or re-offer).
    public mutating func receiveOffer(_ offer: SessionDescription) throws(SDPNegotiationError) -> SessionDescription {
        let (answer, result) = try OfferAnswer.makeAnswer(to: offer, local: local, origin: origin)
        let final = bumpIfChanged(answer)
        negotiated = result
        pendingOffer = nil
        return final
    }

    /// Applies the remote answer to our pending offer.
    public mutating func receiveAnswer(_ answer: SessionDescription) throws(SDPNegotiationError) -> NegotiatedAudio {
        guard let offer = pendingOffer else { throw .noAudioStream }
        let result = try OfferAnswer.processAnswer(answer, to: offer, local: local)
        negotiated = result
        pendingOffer = nil
        return result
    }

    /// Keeps the version when the content is unchanged, increments it otherwise.
    private mutating func bumpIfChanged(_ d: SessionDescription) -> SessionDescription {
        var d = d
        if let last = lastLocalDescription {
            var probe = d
            probe.origin = last.origin
            if probe != last { origin.sessionVersion &+= 1 }
        }
        d.origin = origin
        lastLocalDescription = d
        return d
    }
}
