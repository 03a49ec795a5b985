import Foundation
import Hummingbird
import TimbreCore
import TimbreDSP
import TimbreEngine
import TimbreSDP

/// `/v1/endpoints`: RTP legs created from an SDP offer (our answer comes back) or a codec list
/// (our offer comes back), updated with the remote's answer or a re-offer (hold/resume), and
/// per-endpoint mute, hold, DTMF, playback and statistics.
struct EndpointRoutes {
    let deps: TimbreApplication.Dependencies
    var media: MediaService { deps.media }

    struct Create: RequestBody {
        static let fields: Set<String> = ["sdp", "codecs", "telephoneEvent"]
        var sdp: String?
        var codecs: [String]?
        var telephoneEvent: Bool?
    }

    struct Remote: RequestBody {
        static let fields: Set<String> = ["sdp"]
        var sdp: String
    }

    struct Update: RequestBody {
        static let fields: Set<String> = ["muted", "hold", "holdMusic"]
        var muted: Bool?
        var hold: Bool?
        var holdMusic: String?
    }

    struct DTMF: RequestBody {
        static let fields: Set<String> = ["digits", "mode"]
        var digits: String
        var mode: String?
    }

    struct Play: RequestBody {
        static let fields: Set<String> = ["file", "tone", "country", "loop", "stop"]
        var file: String?
        var tone: String?
        var country: String?
        var loop: Bool?
        var stop: Bool?
    }

    func register(on router: Router<TimbreApplication.Context>) {
        let limit = deps.config.api.maxBodyBytes
        router.post("/v1/endpoints") { request, _ -> Response in
            let body = try await JSONBody.decode(Create.self, from: request, limit: limit)
            guard (body.sdp == nil) != (body.codecs == nil) else {
                throw APIError(.badRequest, "invalid_body", "give exactly one of sdp (an offer) or codecs (to get an offer)")
            }
            if let codecs = body.codecs, !(1...8).contains(codecs.count) {
                throw APIError(.badRequest, "invalid_body", "codecs: 1 to 8 names")
            }
            guard media.endpointCount < deps.config.limits.endpoints else {
                throw APIError.limit("at most \(deps.config.limits.endpoints) endpoints")
            }
            let leg: CallLeg
            do { leg = try media.engine.createLeg() } catch let error as MediaEngine.Failure {
                throw BridgeRoutes.apiError(error)
            }
            let id = media.endpointID(leg.id)
            let negotiator = SDPNegotiator(registry: media.registry)
            do {
                var session = try SDPNegotiator.session(
                    registry: media.registry, config: deps.config, port: Int(leg.rtp.localAddress.port), legID: leg.id,
                    codecs: body.codecs, telephoneEvent: body.telephoneEvent ?? true)
                if let offerText = body.sdp {
                    let result = try negotiator.answer(offerText, session: &session)
                    try? media.engine.applyMedia(result.media, to: leg.id)
                    let state = EndpointState(
                        id: id, leg: leg, phase: .active, session: session, localSDP: result.sdp, remoteSDP: offerText,
                        codec: result.media.codec.descriptor.encodingName, telephoneEvent: result.media.telephoneEventPayloadType != nil,
                        remoteDirection: result.remoteDirection, createdAt: Date())
                    media.endpoints.withLock { $0[id] = state }
                    deps.events.publish("endpoint.created", ["endpoint": .string(id), "codec": .string(state.codec ?? "")])
                    return JSONBody.response(["id": id, "sdp": result.sdp], status: .created)
                } else {
                    let sdp = try negotiator.offer(session: &session)
                    let state = EndpointState(
                        id: id, leg: leg, phase: .offered, session: session, localSDP: sdp, remoteSDP: nil, codec: nil,
                        telephoneEvent: body.telephoneEvent ?? true, createdAt: Date())
                    media.endpoints.withLock { $0[id] = state }
                    deps.events.publish("endpoint.created", ["endpoint": .string(id)])
                    return JSONBody.response(["id": id, "sdp": sdp], status: .created)
                }
            } catch {
                try? media.engine.removeLeg(leg.id)
                throw error
            }
        }
        router.get("/v1/endpoints") { _, _ -> Response in
            let list = media.endpoints.withLock { $0.values.sorted { $0.createdAt < $1.createdAt }.map { $0.describe() } }
            return JSONBody.response(list)
        }
        router.get("/v1/endpoints/:id") { _, context -> Response in
            let ep = try endpoint(context)
            return JSONBody.response(ep.describe())
        }
        router.put("/v1/endpoints/:id/remote") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await JSONBody.decode(Remote.self, from: request, limit: limit)
            let ep = try endpoint(context)
            let negotiator = SDPNegotiator(registry: media.registry)
            var session = ep.session
            if ep.phase == .offered {
                // The remote's answer to our offer.
                let result = try negotiator.processAnswer(body.sdp, session: &session)
                try? media.engine.applyMedia(result.media, to: ep.leg.id)
                media.endpoints.withLock {
                    $0[id]?.phase = .active
                    $0[id]?.session = session
                    $0[id]?.remoteSDP = body.sdp
                    $0[id]?.codec = result.media.codec.descriptor.encodingName
                    $0[id]?.telephoneEvent = result.media.telephoneEventPayloadType != nil
                    $0[id]?.remoteDirection = result.remoteDirection
                }
                deps.events.publish("endpoint.answered", ["endpoint": .string(id), "codec": .string(result.media.codec.descriptor.encodingName)])
                return JSONBody.response(["id": id])
            }
            // A re-offer (hold, resume, codec change): answer it.
            let result = try negotiator.answer(body.sdp, session: &session)
            try? media.engine.applyMedia(result.media, to: ep.leg.id)
            media.endpoints.withLock {
                $0[id]?.session = session
                $0[id]?.remoteSDP = body.sdp
                $0[id]?.localSDP = result.sdp
                $0[id]?.codec = result.media.codec.descriptor.encodingName
                $0[id]?.remoteDirection = result.remoteDirection
            }
            let held = result.remoteDirection == "sendonly" || result.remoteDirection == "inactive"
            deps.events.publish(held ? "endpoint.held" : "endpoint.updated", ["endpoint": .string(id), "direction": .string(result.remoteDirection)])
            return JSONBody.response(["id": id, "sdp": result.sdp])
        }
        router.patch("/v1/endpoints/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await JSONBody.decode(Update.self, from: request, limit: limit)
            if let music = body.holdMusic { try Self.checkMediaName(music, field: "holdMusic") }
            let ep = try endpoint(context)
            if let m = body.muted {
                try? media.engine.setMuted(m, leg: ep.leg.id)
                media.endpoints.withLock { $0[id]?.muted = m }
                deps.events.publish(m ? "endpoint.muted" : "endpoint.unmuted", ["endpoint": .string(id)])
            }
            if let h = body.hold {
                var music: AudioSource?
                if h, let file = body.holdMusic {
                    music = try loadMedia(file, rate: ep.leg.sampleRate, loops: true)
                }
                try? media.engine.setHold(h, music: music, leg: ep.leg.id)
                media.endpoints.withLock { $0[id]?.onHold = h }
                deps.events.publish(h ? "endpoint.hold" : "endpoint.resume", ["endpoint": .string(id)])
            }
            return JSONBody.response(media.endpoints.withLock { $0[id]?.describe() ?? [:] })
        }
        router.delete("/v1/endpoints/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let ep = media.endpoints.withLock({ $0.removeValue(forKey: id) }) else { throw APIError.notFound("endpoint", id) }
            media.recordings.stopRecordings(ofEndpoint: id)
            media.captures.stop(leg: ep.leg.id, reason: .endpointGone, engine: media.engine)
            media.bridges.withLock { bridges in
                for (bid, b) in bridges where b.participants[id] != nil { bridges[bid]?.participants[id] = nil }
            }
            try? media.engine.removeLeg(ep.leg.id)
            deps.events.publish("endpoint.ended", ["endpoint": .string(id)])
            return Response(status: .noContent)
        }
        router.get("/v1/endpoints/:id/stats") { _, context -> Response in
            let ep = try endpoint(context)
            return JSONBody.response(stats(ep))
        }
        router.post("/v1/endpoints/:id/dtmf") { request, context -> Response in
            let body = try await JSONBody.decode(DTMF.self, from: request, limit: limit)
            let ep = try endpoint(context)
            let keys = body.digits.compactMap(DTMFDigit.init)
            guard (1...32).contains(body.digits.count), keys.count == body.digits.count else {
                throw APIError(.badRequest, "invalid_body", "digits: 1 to 32 of 0-9 * # A-D")
            }
            let mode = body.mode ?? (ep.telephoneEvent ? "rfc4733" : "inband")
            switch mode {
            case "rfc4733":
                guard ep.telephoneEvent, ep.leg.media?.telephoneEventPayloadType != nil else {
                    throw APIError.conflict("no_telephone_event", "telephone-event was not negotiated; use mode inband")
                }
                try? media.engine.sendDigits(keys.map(\.rawValue), leg: ep.leg.id)
            case "inband":
                let rate = ep.leg.sampleRate
                let pcm = Self.inbandDigits(keys, rate: rate)
                try? media.engine.play(AudioSource(samples: pcm, loops: false), playback: media.newPlaybackID(), leg: ep.leg.id)
            default:
                throw APIError(.badRequest, "invalid_body", "mode: must be rfc4733 or inband")
            }
            return JSONBody.response(["endpoint": ep.id, "digits": body.digits, "mode": mode], status: .accepted)
        }
        registerRecordGreeting(on: router)
        router.post("/v1/endpoints/:id/play") { request, context -> Response in
            let body = try await JSONBody.decode(Play.self, from: request, limit: limit)
            let ep = try endpoint(context)
            let given = [body.file != nil, body.tone != nil, body.stop != nil].filter { $0 }.count
            guard given == 1 else { throw APIError(.badRequest, "invalid_body", "give exactly one of file, tone or stop") }
            if let stop = body.stop {
                guard stop else { throw APIError(.badRequest, "invalid_body", "stop: only true (stop what is playing)") }
                try? media.engine.play(nil, playback: 0, leg: ep.leg.id)
                return JSONBody.response(["endpoint": ep.id, "stopped": true], status: .accepted)
            }
            let source: AudioSource
            if let file = body.file {
                source = try loadMedia(file, rate: ep.leg.sampleRate, loops: body.loop ?? false)
            } else {
                source = try tone(body.tone ?? "", country: body.country ?? "US", rate: ep.leg.sampleRate)
            }
            let playback = media.newPlaybackID()
            try? media.engine.play(source, playback: playback, leg: ep.leg.id)
            return JSONBody.response(["endpoint": ep.id, "playback": "pb-\(playback)"], status: .accepted)
        }
    }

    /// Renders digits as Q.23 tone pairs (the generator's own timing) for in-band sending.
    static func inbandDigits(_ digits: [DTMFDigit], rate: SampleRate) -> [Int16] {
        var gen = DTMFGenerator(sampleRate: rate)
        for digit in digits { _ = gen.enqueue(digit) }
        let frame = rate.hertz / 50
        var out: [Int16] = []
        var buf = [Int16](repeating: 0, count: frame)
        var frames = 0
        while !gen.isIdle && frames < 50 * 60 {
            buf.withUnsafeMutableBufferPointer { gen.render(into: $0) }
            out.append(contentsOf: buf)
            frames += 1
        }
        return out
    }

    func endpoint(_ context: TimbreApplication.Context) throws -> EndpointState {
        let id = try context.parameters.require("id")
        guard let ep = media.endpoints.withLock({ $0[id] }) else { throw APIError.notFound("endpoint", id) }
        return ep
    }

    /// A media file name: under the media directory (no leading `/`, no `..`), printable,
    /// at most 255 characters — as the OpenAPI document's pattern says.
    static func checkMediaName(_ name: String, field: String = "file") throws {
        guard (1...255).contains(name.count), !name.contains(".."), !name.hasPrefix("/"),
            !name.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            throw APIError(.badRequest, "invalid_body", "\(field): a file name under the media directory")
        }
    }

    /// Files for playback and hold music come from `<dataDirectory>/media/` only, so the API
    /// cannot be used to read arbitrary files of the host.
    func loadMedia(_ name: String, rate: SampleRate, loops: Bool) throws -> AudioSource {
        try Self.checkMediaName(name)
        let path = deps.config.dataDirectory + "/media/" + name
        do {
            return try AudioSource.file(path, rate: rate, loops: loops)
        } catch {
            throw APIError(.unprocessableContent, "bad_media", "\(name): \(error)")
        }
    }

    func tone(_ name: String, country: String, rate: SampleRate) throws -> AudioSource {
        let tones: [String: CallProgressTone] = Dictionary(uniqueKeysWithValues: CallProgressTone.allCases.map { ($0.rawValue, $0) })
        guard let t = tones[name] else {
            throw APIError(.badRequest, "invalid_body", "tone: one of \(tones.keys.sorted().joined(separator: ", "))")
        }
        let regions: [String: ToneRegion] = ["US": .us, "UK": .uk, "FR": .france, "CN": .china]
        guard let region = regions[country.uppercased()] else { throw APIError(.badRequest, "invalid_body", "country: US, UK, FR or CN") }
        var gen = CallProgressToneGenerator(region: region, tone: t, sampleRate: rate)
        let cycle = max(gen.cadence.cycleMilliseconds, 1000)
        var pcm = [Int16](repeating: 0, count: rate.hertz * cycle / 1000)
        pcm.withUnsafeMutableBufferPointer { gen.render(into: $0) }
        return AudioSource(samples: pcm, loops: true)
    }

    func stats(_ ep: EndpointState) -> [String: Any] {
        let c = ep.leg.counters
        let jb = ep.leg.jitterSnapshot.withLock { $0 }
        let delay = ep.leg.jitterDelaySnapshot.withLock { $0 }
        let rtt = c.roundTripMicros.load(ordering: .relaxed)
        let received = c.packetsIn.load(ordering: .relaxed)
        let lost = max(0, jb.packetsLost)
        let lossPercent = received + lost > 0 ? 100 * Double(lost) / Double(received + lost) : 0
        let oneWay = (rtt > 0 ? Double(rtt) / 2000 : 0) + delay.target + Double(media.engine.configuration.ptime.milliseconds)
        let e = EModel(oneWayDelayMs: oneWay, lossPercent: lossPercent, codec: .forCodec(ep.codec ?? "pcmu"))
        return [
            "endpoint": ep.id,
            "packetsReceived": received, "packetsSent": c.packetsOut.load(ordering: .relaxed),
            "bytesReceived": c.bytesIn.load(ordering: .relaxed), "bytesSent": c.bytesOut.load(ordering: .relaxed),
            "packetsMalformed": c.malformed.load(ordering: .relaxed), "packetsForeignSource": c.foreignSource.load(ordering: .relaxed),
            "packetsUnknownPayloadType": c.unknownPayloadType.load(ordering: .relaxed),
            "sendFailures": c.sendFailures.load(ordering: .relaxed), "dtmfReceived": c.dtmfReceived.load(ordering: .relaxed),
            "rtcpReceived": c.rtcpIn.load(ordering: .relaxed), "rtcpSent": c.rtcpOut.load(ordering: .relaxed),
            "roundTripTimeMs": rtt >= 0 ? Double(rtt) / 1000 : NSNull(),
            "cumulativeLost": c.lost.load(ordering: .relaxed), "interarrivalJitterTicks": c.jitterTicks.load(ordering: .relaxed),
            "remoteCumulativeLost": c.remoteLost.load(ordering: .relaxed), "remoteJitterTicks": c.remoteJitterTicks.load(ordering: .relaxed),
            "jitterBuffer": [
                "packetsReceived": jb.packetsReceived, "packetsLost": jb.packetsLost, "packetsDiscarded": jb.packetsDiscarded,
                "packetsDuplicated": jb.packetsDuplicated, "concealedSamples": jb.concealedSamples,
                "concealmentEvents": jb.concealmentEvents, "totalSamplesReceived": jb.totalSamplesReceived,
                "insertedSamplesForDeceleration": jb.insertedSamplesForDeceleration,
                "removedSamplesForAcceleration": jb.removedSamplesForAcceleration,
                "jitterBufferDelay": jb.jitterBufferDelay, "jitterBufferEmittedCount": jb.jitterBufferEmittedCount,
                "jitterBufferTargetDelay": jb.jitterBufferTargetDelay, "currentTargetDelayMs": delay.target,
                "currentLevelMs": delay.level,
            ] as [String: Any],
            "eModel": ["rFactor": e.rFactor, "mos": e.mos, "oneWayDelayMs": oneWay, "lossPercent": lossPercent],
        ]
    }
}
