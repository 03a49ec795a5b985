/// `timbre load --api URL`: calls and conferences through timbred's HTTP/JSON API —
/// `POST /v1/endpoints {"sdp": OFFER}` per leg, `POST /v1/bridges`, `POST
/// /v1/bridges/{id}/participants` per leg; statistics from `GET /v1/endpoints/{id}/stats`;
/// `DELETE` of bridges and endpoints at the end.
final class LoadTimbredBackend: LoadBackend {
    let name = "timbred"
    private let http: LoadHTTPClient
    private var endpoints: [String] = []
    private var bridges: [String] = []

    init(url: String, token: String?) throws {
        do { http = try LoadHTTPClient(url: url, token: token) } catch { throw CLIError(error.description) }
        let health = try request("GET", "/healthz")
        guard health.status == 200 else { throw CLIError("\(url)/healthz answered \(health.status)") }
    }

    private func request(_ method: String, _ path: String, _ json: [String: Any]? = nil) throws -> LoadHTTPClient.Response {
        do { return try http.request(method, path, json: json) } catch { throw CLIError(error.description) }
    }

    func setUp(group: Int, conference: Bool, legs: [(port: Int, codec: LoadCodec)]) throws -> [LoadSDP.Media] {
        var media: [LoadSDP.Media] = []
        var ids: [String] = []
        for (i, leg) in legs.enumerated() {
            let offer = LoadSDP.offer(port: leg.port, codec: leg.codec, session: group * 1000 + i + 1)
            let r = try request("POST", "/v1/endpoints", ["sdp": offer])
            guard r.status == 201, let o = r.json as? [String: Any], let id = o["id"] as? String, let sdp = o["sdp"] as? String else {
                throw CLIError("POST /v1/endpoints: \(r.status) \(r.problem)")
            }
            endpoints.append(id)
            ids.append(id)
            do { media.append(try LoadSDP.parse(sdp)) } catch { throw CLIError("timbred's answer: \(error.description)") }
        }
        var body: [String: Any] = ["type": conference ? "conference" : "call"]
        if conference { body["maxParticipants"] = legs.count }
        let b = try request("POST", "/v1/bridges", body)
        guard b.status == 201, let o = b.json as? [String: Any], let bridge = o["id"] as? String else {
            throw CLIError("POST /v1/bridges: \(b.status) \(b.problem)")
        }
        bridges.append(bridge)
        for id in ids {
            let p = try request("POST", "/v1/bridges/\(bridge)/participants", ["endpoint": id])
            guard p.status == 201 || p.status == 200 else { throw CLIError("POST /v1/bridges/\(bridge)/participants: \(p.status) \(p.problem)") }
        }
        return media
    }

    func counters() -> LoadServiceCounters? {
        var c = LoadServiceCounters()
        for id in endpoints {
            guard let r = try? request("GET", "/v1/endpoints/\(id)/stats"), r.status == 200, let o = r.json as? [String: Any] else {
                c.unreadable += 1
                continue
            }
            c.received += (o["packetsReceived"] as? Int) ?? 0
            if let jb = o["jitterBuffer"] as? [String: Any] {
                c.discarded += (jb["packetsDiscarded"] as? Int) ?? 0
                c.playedSamples += (jb["totalSamplesReceived"] as? Int) ?? 0
                c.concealedSamples += (jb["concealedSamples"] as? Int) ?? 0
                if let t = jb["currentTargetDelayMs"] as? Double { c.jitterTargetsMs.append(t) }
            }
        }
        return c
    }

    func tearDown() {
        for b in bridges { _ = try? request("DELETE", "/v1/bridges/\(b)") }
        for e in endpoints { _ = try? request("DELETE", "/v1/endpoints/\(e)") }
        bridges = []
        endpoints = []
    }
}
