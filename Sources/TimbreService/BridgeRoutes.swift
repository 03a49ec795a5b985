import Foundation
import Hummingbird
import TimbreConference
import TimbreCore
import TimbreEngine

/// A bridge as the API sees it.
struct BridgeState: Sendable {
    enum Kind: String, Codable, Sendable { case call, conference }
    let id: String
    let kind: Kind
    var bridge: EngineBridge
    let maxParticipants: Int
    let createdAt: Date
    /// The mixer configuration, and whether the API fixed its rate. A call bridge without an
    /// explicit rate takes the first party's codec rate, so a PCMU↔PCMU call never resamples.
    var configuration: BridgeConfiguration
    var explicitRate: Bool
    /// endpoint id → participant and role
    var participants: [String: (participant: ParticipantID, role: ParticipantRole)] = [:]
}

/// `/v1/bridges`: calls (two endpoints, transcoding when their codecs differ) and conferences on
/// the mix-minus bridge, with host rules.
struct BridgeRoutes {
    let deps: TimbreApplication.Dependencies
    var media: MediaService { deps.media }

    struct CreateBridge: RequestBody {
        static let fields: Set<String> = ["type", "maxParticipants", "sampleRate", "topK"]
        var type: String
        var maxParticipants: Int?
        var sampleRate: Int?
        var topK: Int?
    }

    struct AddParticipant: RequestBody {
        static let fields: Set<String> = ["endpoint", "role"]
        var endpoint: String
        var role: String?
    }

    struct UpdateParticipant: RequestBody {
        static let fields: Set<String> = ["muted", "deaf", "listenOnly", "gainDb", "hold", "holdMusic", "whisperTo", "whisperOff", "by"]
        var muted: Bool?
        var deaf: Bool?
        var listenOnly: Bool?
        var gainDb: Double?
        var hold: Bool?
        var holdMusic: Bool?
        var whisperTo: String?
        var whisperOff: Bool?
        /// The endpoint acting (a host for host-only operations); default: the target itself.
        var by: String?
    }

    func register(on router: Router<TimbreApplication.Context>) {
        let limit = deps.config.api.maxBodyBytes
        router.post("/v1/bridges") { request, _ -> Response in
            let body = try await JSONBody.decode(CreateBridge.self, from: request, limit: limit)
            guard let kind = BridgeState.Kind(rawValue: body.type) else {
                throw APIError(.badRequest, "invalid_body", "type: must be call or conference")
            }
            let maxAllowed = kind == .call ? 2 : deps.config.limits.participantsPerBridge
            let maxP = body.maxParticipants ?? (kind == .call ? 2 : min(9, maxAllowed))
            guard maxP >= 2, kind == .conference || maxP == 2 else {
                throw APIError(.badRequest, "invalid_body", "maxParticipants: a call has 2; a conference 2...\(maxAllowed)")
            }
            // A conference larger than this service allows is a configured limit, not bad input.
            guard maxP <= maxAllowed else {
                throw APIError.limit("maxParticipants: this service allows at most \(maxAllowed) per conference")
            }
            var cfg = BridgeConfiguration()
            cfg.maximumParticipants = maxP
            // A call passes each party's audio through as it is (transcoded only): one talker
            // cannot overflow, so the limiter is for conferences.
            cfg.limitsLoneTalker = kind == .conference
            cfg.frameDuration = media.engine.configuration.ptime
            if let rate = body.sampleRate {
                guard rate == 16000 || rate == 48000 || rate == 8000 else {
                    throw APIError(.badRequest, "invalid_body", "sampleRate: must be 8000, 16000 or 48000")
                }
                cfg.sampleRate = SampleRate(hertz: rate)
            }
            if let k = body.topK {
                // K at or above the room size mixes everyone: the same as K = maxParticipants.
                guard k >= 1 else { throw APIError(.badRequest, "invalid_body", "topK: must be at least 1") }
                cfg.topK = .always(k: min(k, maxP))
            }
            guard media.bridges.withLock({ $0.count }) < deps.config.limits.bridges else {
                throw APIError.limit("at most \(deps.config.limits.bridges) bridges")
            }
            let b: EngineBridge
            do { b = try media.engine.createBridge(configuration: cfg) } catch let error as MediaEngine.Failure { throw Self.apiError(error) }
            let id = media.bridgeID(b.id)
            media.bridges.withLock {
                $0[id] = BridgeState(
                    id: id, kind: kind, bridge: b, maxParticipants: maxP, createdAt: Date(), configuration: cfg,
                    explicitRate: body.sampleRate != nil)
            }
            deps.events.publish("bridge.created", ["bridge": .string(id), "kind": .string(kind.rawValue)])
            return JSONBody.response(["id": id, "type": kind.rawValue, "maxParticipants": maxP], status: .created)
        }
        router.get("/v1/bridges") { _, _ -> Response in
            let list = media.bridges.withLock { $0.values.sorted { $0.createdAt < $1.createdAt }.map(describe) }
            return JSONBody.response(list)
        }
        router.get("/v1/bridges/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let b = media.bridges.withLock({ $0[id] }) else { throw APIError.notFound("bridge", id) }
            return JSONBody.response(describe(b))
        }
        router.delete("/v1/bridges/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let b = media.bridges.withLock({ $0.removeValue(forKey: id) }) else { throw APIError.notFound("bridge", id) }
            try? media.engine.removeBridge(b.bridge.id)
            media.recordings.stopRecordings(ofBridge: id)
            deps.events.publish("bridge.ended", ["bridge": .string(id)])
            return Response(status: .noContent)
        }
        router.post("/v1/bridges/:id/participants") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await JSONBody.decode(AddParticipant.self, from: request, limit: limit)
            let role: ParticipantRole
            switch body.role ?? "member" {
            case "host": role = .host
            case "member": role = .member
            default: throw APIError(.badRequest, "invalid_body", "role: must be host or member")
            }
            guard var b = media.bridges.withLock({ $0[id] }) else { throw APIError.notFound("bridge", id) }
            guard let ep = media.endpoints.withLock({ $0[body.endpoint] }) else { throw APIError.notFound("endpoint", body.endpoint) }
            if b.participants.count >= b.maxParticipants {
                throw APIError.conflict("bridge_full", "bridge \(id) already has \(b.maxParticipants) participants")
            }
            // (Not while a recording of it runs: its tap and file are at the current rate.)
            if b.kind == .call, b.participants.isEmpty, !b.explicitRate, !media.recordings.isRecording(id),
                b.configuration.sampleRate != ep.leg.sampleRate, ep.leg.sampleRate.hertz <= 48_000
            {
                // Re-create the (still empty) mixer at the first party's rate.
                var cfg = b.configuration
                cfg.sampleRate = ep.leg.sampleRate
                do {
                    let replacement = try media.engine.createBridge(configuration: cfg)
                    try? media.engine.removeBridge(b.bridge.id)
                    b.bridge = replacement
                    b.configuration = cfg
                    let updated = b
                    media.bridges.withLock { $0[id] = updated }
                } catch let error as MediaEngine.Failure {
                    throw Self.apiError(error)
                }
            }
            let participant: ParticipantID
            do {
                participant = try media.engine.join(leg: ep.leg.id, bridge: b.bridge.id, role: role)
            } catch let error as MediaEngine.Failure {
                throw Self.apiError(error)
            }
            media.bridges.withLock { $0[id]?.participants[body.endpoint] = (participant, role) }
            deps.events.publish("participant.joined", ["bridge": .string(id), "endpoint": .string(body.endpoint), "role": .string(role.rawValue)])
            return JSONBody.response(["bridge": id, "endpoint": body.endpoint, "role": role.rawValue], status: .created)
        }
        router.patch("/v1/bridges/:id/participants/:endpoint") { request, context -> Response in
            let id = try context.parameters.require("id")
            let epID = try context.parameters.require("endpoint")
            let body = try await JSONBody.decode(UpdateParticipant.self, from: request, limit: limit)
            guard let b = media.bridges.withLock({ $0[id] }) else { throw APIError.notFound("bridge", id) }
            guard let target = b.participants[epID] else { throw APIError.notFound("participant", epID) }
            var actor = target.participant
            if let by = body.by {
                guard let a = b.participants[by] else { throw APIError(.badRequest, "invalid_body", "by: \(by) is not in bridge \(id)") }
                actor = a.participant
            }
            let c = b.bridge.controller
            do {
                if let m = body.muted {
                    try c.setMuted(m, target.participant, by: actor)
                    deps.events.publish(m ? "participant.muted" : "participant.unmuted",
                        ["bridge": .string(id), "endpoint": .string(epID), "by": .string(body.by ?? epID)])
                }
                if let d = body.deaf { try c.setDeaf(d, target.participant, by: actor) }
                if let l = body.listenOnly { try c.setListenOnly(l, target.participant, by: actor) }
                if let g = body.gainDb {
                    guard (-40...20).contains(g) else { throw APIError(.badRequest, "invalid_body", "gainDb: must be -40...20") }
                    try c.setGain(Gain(decibels: g), target.participant, by: actor)
                }
                if let h = body.hold { try c.setHold(h, music: body.holdMusic ?? false, target.participant, by: actor) }
                if let w = body.whisperTo {
                    guard let listener = b.participants[w] else { throw APIError(.badRequest, "invalid_body", "whisperTo: \(w) is not in bridge \(id)") }
                    try c.setWhisper(target.participant, to: listener.participant, by: actor)
                } else if body.whisperOff == true {
                    try c.setWhisper(target.participant, to: nil, by: actor)
                }
            } catch let e as ConferenceError {
                throw Self.apiError(.conference(e))
            }
            let s = c.settings(of: target.participant)
            return JSONBody.response([
                "bridge": id, "endpoint": epID, "role": target.role.rawValue,
                "muted": (s?.selfMuted ?? false) || (s?.hostMuted ?? false), "deaf": s?.deaf ?? false,
                "onHold": s?.onHold ?? false,
            ])
        }
        router.delete("/v1/bridges/:id/participants/:endpoint") { request, context -> Response in
            let id = try context.parameters.require("id")
            let epID = try context.parameters.require("endpoint")
            guard let b = media.bridges.withLock({ $0[id] }) else { throw APIError.notFound("bridge", id) }
            guard let target = b.participants[epID], let ep = media.endpoints.withLock({ $0[epID] }) else {
                throw APIError.notFound("participant", epID)
            }
            if let by = request.uri.queryParameters.get("by"), by != epID {
                guard let a = b.participants[by] else { throw APIError(.badRequest, "invalid_query", "by: \(by) is not in bridge \(id)") }
                do { try b.bridge.controller.remove(target.participant, by: a.participant) } catch let error as ConferenceError {
                    throw Self.apiError(.conference(error))
                }
            }
            try? media.engine.leave(leg: ep.leg.id, bridge: b.bridge.id)
            media.bridges.withLock { _ = $0[id]?.participants.removeValue(forKey: epID) }
            deps.events.publish("participant.left", ["bridge": .string(id), "endpoint": .string(epID)])
            if target.role == .host {
                // The seeds' behaviour: when the host leaves, the recording stops.
                media.recordings.stopRecordings(ofBridge: id)
            }
            return Response(status: .noContent)
        }
    }

    func describe(_ b: BridgeState) -> [String: Any] {
        [
            "id": b.id, "type": b.kind.rawValue, "maxParticipants": b.maxParticipants,
            "createdAt": ISO8601DateFormatter().string(from: b.createdAt),
            "participants": b.participants.sorted { $0.key < $1.key }.map { ["endpoint": $0.key, "role": $0.value.role.rawValue] },
        ]
    }

    static func apiError(_ error: MediaEngine.Failure) -> APIError {
        switch error {
        case .conference(let e):
            switch e {
            case .notHost: return APIError(.forbidden, "not_host", e.description)
            case .conferenceFull: return APIError.conflict("bridge_full", e.description)
            case .conferenceEnded: return APIError.conflict("bridge_ended", e.description)
            case .noNewInvitesWithoutHost: return APIError.conflict("no_host", e.description)
            case .hostAlreadyPresent: return APIError.conflict("host_present", e.description)
            case .mutedByHost: return APIError(.forbidden, "muted_by_host", e.description)
            case .unknownParticipant: return APIError.notFound("participant", "")
            default: return APIError(.unprocessableContent, "conference_error", e.description)
            }
        case .alreadyInBridge: return APIError.conflict("already_bridged", error.description)
        case .unknownLeg, .unknownBridge: return APIError(.notFound, "not_found", error.description)
        case .noFreePort: return APIError(.serviceUnavailable, "no_ports", error.description)
        case .queueFull: return APIError(.serviceUnavailable, "media_busy", error.description)
        }
    }
}
