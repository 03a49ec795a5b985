import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import TimbreService
import TimbreTestSupport

/// The control API and the media path together: a live `timbred` application on loopback
/// (HTTP on port 0, RTP on a private range), driven like a PBX back end would drive it.
@Suite struct ServiceAPITests {
    static func config(ports: ClosedRange<Int>, tokens: [String] = []) -> ServiceConfig {
        var c = ServiceConfig()
        c.api.port = 0
        c.api.tokens = tokens
        c.rtp.portMin = ports.lowerBound
        c.rtp.portMax = ports.upperBound
        c.dataDirectory = ScratchDirectory.make("timbred-test")
        return c
    }

    static func app(_ config: ServiceConfig) throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return TimbreApplication.buildApplication(try TimbreApplication.makeDependencies(config: config, logger: logger))
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func body(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    /// Two phones' endpoints bridged in a call through the API: (endpoint A, endpoint B, bridge id).
    static func bridgedCall(_ client: some TestClientProtocol, _ a: TestPhone, _ b: TestPhone) async throws -> ([String: Any], [String: Any], String) {
        let epA = json(try await client.execute(uri: "/v1/endpoints", method: .post, body: body(["sdp": a.offer()])).body)
        let epB = json(try await client.execute(uri: "/v1/endpoints", method: .post, body: body(["sdp": b.offer()])).body)
        let bid = json(try await client.execute(uri: "/v1/bridges", method: .post, body: body(["type": "call"])).body)["id"] as! String
        for ep in [epA, epB] {
            let r = try await client.execute(uri: "/v1/bridges/\(bid)/participants", method: .post, body: body(["endpoint": ep["id"]!]))
            #expect(r.status == .created)
        }
        return (epA, epB, bid)
    }

    @Test func bridgedCallCarriesAudioBothWays() async throws {
        let app = try Self.app(Self.config(ports: 32000...32099))
        try await app.test(.live) { client in
            let a = try TestPhone(), b = try TestPhone()
            let ea = try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body(["sdp": a.offer()]))
            #expect(ea.status == .created)
            let epA = Self.json(ea.body)
            let answer = epA["sdp"] as? String ?? ""
            #expect(answer.contains("a=rtpmap:0 PCMU/8000"))
            #expect(answer.contains("telephone-event/8000"), "an answer keeps telephone-event when the offer had it")
            let eb = Self.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body(["sdp": b.offer()])).body)
            let bridge = Self.json(try await client.execute(uri: "/v1/bridges", method: .post, body: Self.body(["type": "call"])).body)
            let bid = bridge["id"] as! String
            for ep in [epA, eb] {
                let r = try await client.execute(uri: "/v1/bridges/\(bid)/participants", method: .post, body: Self.body(["endpoint": ep["id"]!]))
                #expect(r.status == .created)
            }
            let portA = sdpPort(answer), portB = sdpPort(eb["sdp"] as! String)
            try await everyFrame(100) { _ in
                a.sendTone(to: portA)
                b.sendTone(to: portB, amplitude: 0)
                a.drain()
                b.drain()
            }
            // A bridged endpoint sends a packet every ptime; B hears A's tone, A hears B's silence.
            #expect(b.received.count >= 90)
            #expect(a.received.count >= 90)
            #expect(b.audiblePackets >= 60)
            #expect(a.audiblePackets <= 2)
            let stats = Self.json(try await client.execute(uri: "/v1/endpoints/\(epA["id"]!)/stats", method: .get).body)
            #expect((stats["packetsReceived"] as? Int ?? 0) >= 90)
            #expect(stats["jitterBuffer"] != nil && stats["eModel"] != nil)
            let del = try await client.execute(uri: "/v1/endpoints/\(epA["id"]!)", method: .delete)
            #expect(del.status == .noContent)
        }
    }

    @Test func malformedRTPIsCountedAndTheCallGoesOn() async throws {
        let app = try Self.app(Self.config(ports: 32100...32199))
        try await app.test(.live) { client in
            let a = try TestPhone(), b = try TestPhone()
            let (epA, _, _) = try await Self.bridgedCall(client, a, b)
            let portA = sdpPort(epA["sdp"] as! String)
            var rng = SystemRandomNumberGenerator()
            try await everyFrame(60) { k in
                a.sendTone(to: portA)
                // Garbage between good packets: short, bad version, CSRC past the end, random.
                a.send([0x80], to: portA)
                a.send([0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], to: portA)
                a.send([0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], to: portA)
                a.send((0..<(k % 40 + 1)).map { _ in UInt8.random(in: 0...255, using: &rng) }, to: portA)
                b.drain()
            }
            let stats = Self.json(try await client.execute(uri: "/v1/endpoints/\(epA["id"]!)/stats", method: .get).body)
            #expect((stats["packetsMalformed"] as? Int ?? 0) >= 180)
            #expect(b.audiblePackets >= 30, "the call is unaffected")
        }
    }

    /// Well-formed RTP and RTCP headers carrying hostile content — every telephone-event code
    /// (flash, 17…255), short and over-long event payloads, empty and oversized audio payloads,
    /// payload types never negotiated, sequence and timestamp jumps, RTCP of every packet type
    /// with lying lengths — get past the parser into the leg. The service must survive all of it
    /// and the call must carry audio again once the stream is clean.
    @Test func wellFormedPacketsWithHostileContentAreSurvived() async throws {
        let app = try Self.app(Self.config(ports: 33800...33899))
        try await app.test(.live) { client in
            let a = try TestPhone(), b = try TestPhone()
            let (epA, _, _) = try await Self.bridgedCall(client, a, b)
            let portA = sdpPort(epA["sdp"] as! String)
            var rng = SystemRandomNumberGenerator()
            func rtp(_ pt: UInt8, seq: UInt16, ts: UInt32, ssrc: UInt32 = 0x3039, marker: Bool = false, _ payload: [UInt8]) -> [UInt8] {
                var p: [UInt8] = [0x80, (marker ? 0x80 : 0) | pt, UInt8(seq >> 8), UInt8(seq & 0xFF)]
                p += [UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF)]
                p += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
                return p + payload
            }
            try await everyFrame(64) { k in
                a.sendTone(to: portA)
                // Every telephone-event code across the burst, four per frame, with random E bits,
                // durations, volumes and payload lengths (0…12 bytes).
                for j in 0..<4 {
                    let code = UInt8(truncatingIfNeeded: k * 4 + j)
                    let length = Int.random(in: 0...12, using: &rng)
                    var payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    if length >= 1 { payload[0] = code }
                    a.send(rtp(101, seq: a.sequence &- UInt16(j), ts: a.timestamp &+ UInt32.random(in: 0...800, using: &rng), marker: j == 0, payload), to: portA)
                }
                // Audio with empty, odd and oversized payloads; payload types never negotiated;
                // a far sequence/timestamp jump; another source.
                a.send(rtp(0, seq: a.sequence, ts: a.timestamp, []), to: portA)
                a.send(rtp(0, seq: a.sequence &+ 1, ts: a.timestamp &+ 160, [0x7F]), to: portA)
                a.send(rtp(0, seq: a.sequence &+ 2, ts: a.timestamp &+ 320, [UInt8](repeating: 0xAA, count: 1400)), to: portA)
                a.send(rtp(UInt8.random(in: 0...127, using: &rng), seq: a.sequence, ts: a.timestamp, [1, 2, 3, 4]), to: portA)
                a.send(rtp(0, seq: a.sequence &+ 30_000, ts: a.timestamp &+ 2_000_000_000, [UInt8](repeating: 0xFF, count: 160)), to: portA)
                a.send(rtp(0, seq: UInt16(k), ts: UInt32(k * 160), ssrc: UInt32(k + 1), [UInt8](repeating: 0x55, count: 160)), to: portA)
                // RTCP of every type (200…206) with lengths that lie in both directions.
                let rtcpType = UInt8(200 + k % 7)
                let words = UInt16.random(in: 0...40, using: &rng)
                let body = (0..<Int.random(in: 4...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                a.send([0x81, rtcpType, UInt8(words >> 8), UInt8(words & 0xFF)] + body, to: portA + 1)
                b.drain()
            }
            // Clean again: the call carries the tone.
            b.received.removeAll()
            try await everyFrame(75) { _ in
                a.sendTone(to: portA)
                b.drain()
            }
            #expect(b.audiblePackets >= 40, "the call carries audio again after the hostile burst")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let stats = try await client.execute(uri: "/v1/endpoints/\(epA["id"]!)/stats", method: .get)
            #expect(stats.status == .ok)
        }
    }

    @Test func badRequestsGetJSONErrors() async throws {
        var config = Self.config(ports: 32200...32299)
        config.api.maxBodyBytes = 4096
        let app = try Self.app(config)
        try await app.test(.router) { client in
            func expectError(_ r: TestResponse, _ status: HTTPResponse.Status, _ code: String) {
                #expect(r.status == status)
                let e = Self.json(r.body)["error"] as? [String: Any]
                #expect(e?["code"] as? String == code, "\(Self.json(r.body))")
            }
            expectError(try await client.execute(uri: "/v1/endpoints", method: .post, body: ByteBuffer(string: "{nope")), .badRequest, "invalid_body")
            expectError(try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body([:])), .badRequest, "invalid_body")
            expectError(try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body(["sdp": "v=0\r\nbogus"])), .unprocessableContent, "invalid_sdp")
            expectError(try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body(["codecs": ["AMR"]])), .badRequest, "invalid_body")
            expectError(try await client.execute(uri: "/v1/endpoints/ep-999", method: .get), .notFound, "not_found")
            expectError(try await client.execute(uri: "/v1/bridges", method: .post, body: Self.body(["type": "party"])), .badRequest, "invalid_body")
            expectError(try await client.execute(uri: "/v1/recordings/nope", method: .get), .notFound, "not_found")
            expectError(try await client.execute(uri: "/v1/nothing", method: .get), .notFound, "not_found")
            let big = ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 10_000))
            expectError(try await client.execute(uri: "/v1/mailboxes/100/greetings/x", method: .put, body: big), .contentTooLarge, "body_too_large")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let openapi = Self.json(try await client.execute(uri: "/openapi.json", method: .get).body)
            #expect(openapi["openapi"] as? String == "3.0.3")
        }
    }

    @Test func bearerTokensAreEnforced() async throws {
        let app = try Self.app(Self.config(ports: 32300...32399, tokens: ["0123456789abcdef0123"]))
        try await app.test(.router) { client in
            let denied = try await client.execute(uri: "/v1/endpoints", method: .get)
            #expect(denied.status == .unauthorized)
            let ok = try await client.execute(uri: "/v1/endpoints", method: .get, headers: [.authorization: "Bearer 0123456789abcdef0123"])
            #expect(ok.status == .ok)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func conferenceHostRules() async throws {
        let app = try Self.app(Self.config(ports: 32400...32499))
        try await app.test(.router) { client in
            var ids: [String] = []
            for _ in 0..<3 {
                let phone = try TestPhone()
                let ep = Self.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: Self.body(["sdp": phone.offer()])).body)
                ids.append(ep["id"] as! String)
            }
            let bid = Self.json(try await client.execute(uri: "/v1/bridges", method: .post, body: Self.body(["type": "conference", "maxParticipants": 3])).body)["id"] as! String
            #expect(try await client.execute(uri: "/v1/bridges/\(bid)/participants", method: .post, body: Self.body(["endpoint": ids[0], "role": "host"])).status == .created)
            #expect(try await client.execute(uri: "/v1/bridges/\(bid)/participants", method: .post, body: Self.body(["endpoint": ids[1]])).status == .created)
            #expect(try await client.execute(uri: "/v1/bridges/\(bid)/participants", method: .post, body: Self.body(["endpoint": ids[2]])).status == .created)
            // A member may not mute another member; the host may.
            let refused = try await client.execute(uri: "/v1/bridges/\(bid)/participants/\(ids[2])", method: .patch, body: Self.body(["muted": true, "by": ids[1]]))
            #expect(refused.status == .forbidden)
            let muted = try await client.execute(uri: "/v1/bridges/\(bid)/participants/\(ids[2])", method: .patch, body: Self.body(["muted": true, "by": ids[0]]))
            #expect(muted.status == .ok)
            #expect(Self.json(muted.body)["muted"] as? Bool == true)
            // Removing by a member is refused; by the host it works.
            #expect(try await client.execute(uri: "/v1/bridges/\(bid)/participants/\(ids[2])?by=\(ids[1])", method: .delete).status == .forbidden)
            #expect(try await client.execute(uri: "/v1/bridges/\(bid)/participants/\(ids[2])?by=\(ids[0])", method: .delete).status == .noContent)
        }
    }
}
