import Foundation
import Hummingbird
import NIOCore
import TimbreEngine

/// `/v1/recordings`: start on an endpoint or a bridge, pause/resume/stop, list with filters,
/// download with HTTP range requests, delete.
struct RecordingRoutes {
    let deps: TimbreApplication.Dependencies
    var media: MediaService { deps.media }

    struct Start: RequestBody {
        static let fields: Set<String> = ["bridge", "endpoint", "format", "channels"]
        var bridge: String?
        var endpoint: String?
        var format: String?
        var channels: String?
    }

    func register(on router: Router<TimbreApplication.Context>) {
        let limit = deps.config.api.maxBodyBytes
        router.post("/v1/recordings") { request, _ -> Response in
            let body = try await JSONBody.decode(Start.self, from: request, limit: limit)
            guard (body.bridge == nil) != (body.endpoint == nil) else {
                throw APIError(.badRequest, "invalid_body", "give exactly one of bridge or endpoint")
            }
            let split: Bool
            switch body.channels ?? "mixed" {
            case "mixed": split = false
            case "split": split = true
            default: throw APIError(.badRequest, "invalid_body", "channels: must be mixed or split")
            }
            let source: RecordingManager.Source
            if let e = body.endpoint {
                guard let ep = media.endpoints.withLock({ $0[e] }) else { throw APIError.notFound("endpoint", e) }
                guard ep.leg.media != nil else { throw APIError.conflict("not_negotiated", "endpoint \(e) has no negotiated media yet") }
                source = .endpoint(id: e, leg: ep.leg.id, rate: ep.leg.sampleRate.hertz)
            } else {
                let b = body.bridge!
                guard let br = media.bridges.withLock({ $0[b] }) else { throw APIError.notFound("bridge", b) }
                let parties = br.participants.keys.sorted()
                if split && parties.isEmpty { throw APIError.conflict("empty_bridge", "bridge \(b) has no participants to split") }
                source = .bridge(
                    id: b, bridge: br.bridge.id, rate: br.bridge.mixer.configuration.sampleRate.hertz, parties: parties,
                    participants: parties.map { br.participants[$0]!.participant })
            }
            let row = try media.recordings.start(
                source: source, format: body.format ?? "wav", split: split, engine: media.engine,
                frameMilliseconds: media.engine.configuration.ptime.milliseconds)
            return JSONBody.response(Self.describe(row), status: .created)
        }
        router.get("/v1/recordings") { request, _ -> Response in
            let q = request.uri.queryParameters
            func date(_ name: String) throws -> Date? {
                guard let s = q.get(name) else { return nil }
                guard let d = ISO8601DateFormatter().date(from: s) ?? ISO8601DateFormatter.timbre.date(from: s) else {
                    throw APIError(.badRequest, "invalid_query", "\(name): an ISO 8601 date-time")
                }
                return d
            }
            var limitCount = 100
            if let l = q.get("limit") {
                guard let n = Int(l), (1...1000).contains(n) else { throw APIError(.badRequest, "invalid_query", "limit: 1...1000") }
                limitCount = n
            }
            let state = q.get("state").map { String($0) }
            if let s = state, !["recording", "paused", "stopped", "failed", "repaired", "missing"].contains(s) {
                throw APIError(.badRequest, "invalid_query", "state: recording, paused, stopped, failed, repaired or missing")
            }
            let party = q.get("party").map { String($0) }
            if let party, party.count > 64 { throw APIError(.badRequest, "invalid_query", "party: at most 64 characters") }
            let rows = try media.recordings.catalog.list(
                from: try date("from"), to: try date("to"), party: party, state: state, limit: limitCount)
            return JSONBody.response(rows.map(Self.describe))
        }
        router.get("/v1/recordings/:id") { _, context -> Response in
            JSONBody.response(Self.describe(try row(context)))
        }
        for action in ["pause", "resume", "stop"] {
            router.post("/v1/recordings/:id/\(action)") { _, context -> Response in
                let r = try row(context)
                let settled: (RecordingRow) -> Bool
                switch action {
                case "pause":
                    try media.recordings.pause(r.id)
                    settled = { $0.state != "recording" }
                case "resume":
                    try media.recordings.resume(r.id)
                    settled = { $0.state != "paused" }
                default:
                    try media.recordings.stop(r.id)
                    settled = { $0.state != "recording" && $0.state != "paused" }
                }
                var described = Self.describe(await media.recordings.settle(r.id, until: settled) ?? r)
                described["requested"] = action
                return JSONBody.response(described)
            }
        }
        router.delete("/v1/recordings/:id") { _, context -> Response in
            let r = try row(context)
            if media.recordings.activeCount > 0 { try? media.recordings.stop(r.id) }
            try? FileManager.default.removeItem(atPath: r.path)
            try? FileManager.default.removeItem(atPath: r.path + ".json")
            _ = try media.recordings.catalog.delete(r.id)
            deps.events.publish("recording.deleted", ["recording": .string(r.id)])
            return Response(status: .noContent)
        }
        router.get("/v1/recordings/:id/audio") { request, context -> Response in
            let r = try row(context)
            guard let handle = FileHandle(forReadingAtPath: r.path) else { throw APIError(.notFound, "missing", "recording \(r.id) has no file on disk") }
            defer { try? handle.close() }
            let size = Int((try? handle.seekToEnd()) ?? 0)
            let type = r.format == "flac" ? "audio/flac" : r.format == "opus" ? "audio/ogg" : "audio/wav"
            var status = HTTPResponse.Status.ok
            var start = 0
            var end = size - 1
            if let range = request.headers[.range] {
                guard let (s, e) = Self.parseRange(range, size: size) else {
                    return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
                }
                (start, end, status) = (s, e, .partialContent)
            }
            let length = max(0, end - start + 1)
            guard length <= 512 * 1024 * 1024 else { throw APIError(.unprocessableContent, "too_large", "file too large to serve") }
            try handle.seek(toOffset: UInt64(start))
            let data = length > 0 ? (try handle.read(upToCount: length) ?? Data()) : Data()
            var headers: HTTPFields = [.contentType: type, .acceptRanges: "bytes"]
            if status == .partialContent { headers[.contentRange] = "bytes \(start)-\(end)/\(size)" }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func row(_ context: TimbreApplication.Context) throws -> RecordingRow {
        let id = try context.parameters.require("id")
        guard let r = try media.recordings.catalog.get(id) else { throw APIError.notFound("recording", id) }
        return r
    }

    /// One `bytes=` range (first-last, first-, or -suffix); nil when unsatisfiable.
    static func parseRange(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let a = spec[..<dash], b = spec[spec.index(after: dash)...]
        if a.isEmpty {
            guard let n = Int(b), n > 0 else { return nil }
            return (max(0, size - n), size - 1)
        }
        guard let s = Int(a), s < size else { return nil }
        let e = b.isEmpty ? size - 1 : min(Int(b) ?? -1, size - 1)
        return e >= s ? (s, e) : nil
    }

    static func describe(_ r: RecordingRow) -> [String: Any] {
        var d: [String: Any] = [
            "id": r.id, "source": r.source, "sourceKind": r.sourceKind, "format": r.format, "channels": r.channels,
            "sampleRate": r.sampleRate, "state": r.state, "startedAt": ISO8601DateFormatter().string(from: r.startedAt),
            "durationSeconds": r.durationSeconds,
            "parties": (try? JSONSerialization.jsonObject(with: Data(r.parties.utf8))) as? [String] ?? [],
        ]
        if let e = r.endedAt { d["endedAt"] = ISO8601DateFormatter().string(from: e) }
        if let e = r.error { d["error"] = e }
        return d
    }
}
