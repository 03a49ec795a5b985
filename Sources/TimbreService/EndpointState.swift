import Foundation
import TimbreEngine
import TimbreSDP

/// An endpoint as the API sees it: the engine's leg plus its offer/answer state.
struct EndpointState: Sendable {
    enum Phase: String, Sendable {
        /// We sent an offer (created from a codec list) and wait for the answer.
        case offered
        /// Offer/answer is complete; media flows.
        case active
    }

    let id: String
    let leg: CallLeg
    var phase: Phase
    /// Offer/answer state: our o= line, last description, pending offer.
    var session: OfferAnswerSession
    /// Our last SDP (offer or answer) and the remote's.
    var localSDP: String
    var remoteSDP: String?
    var codec: String?
    var telephoneEvent: Bool
    var muted = false
    var onHold = false
    var remoteDirection: String = "sendrecv"
    let createdAt: Date

    func describe() -> [String: Any] {
        var d: [String: Any] = [
            "id": id, "localPort": Int(leg.rtp.localAddress.port), "state": phase.rawValue, "muted": muted, "onHold": onHold,
            "createdAt": ISO8601DateFormatter().string(from: createdAt), "telephoneEvent": telephoneEvent,
        ]
        if let codec { d["codec"] = codec }
        if let remote = leg.media?.remote { d["remote"] = remote.description }
        return d
    }
}
