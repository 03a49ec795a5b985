import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TimbreService

/// The API's contract at its edges: closed request bodies, the right status for the wrong
/// method or a plain GET on the event stream, idempotency keys, and bodies over the limit
/// whether or not they announce their length.
@Suite struct ServiceContractTests {
    static func code(_ r: TestResponse) -> String? {
        (ServiceAPITests.json(r.body)["error"] as? [String: Any])?["code"] as? String
    }

    @Test func unknownFieldsAndNullsAreRefused() async throws {
        let app = try ServiceAPITests.app(ServiceAPITests.config(ports: 33400...33449))
        try await app.test(.router) { client in
            let typo = try await client.execute(uri: "/v1/bridges", method: .post, body: ServiceAPITests.body(["type": "conference", "maxParticipant": 5]))
            #expect(typo.status == .badRequest)
            #expect(Self.code(typo) == "invalid_body")
            #expect(String(buffer: typo.body).contains("maxParticipant: unknown field"))
            let null = try await client.execute(uri: "/v1/bridges", method: .post, body: ByteBuffer(string: #"{"type": "call", "topK": null}"#))
            #expect(null.status == .badRequest)
            #expect(String(buffer: null.body).contains("topK: null"))
            let array = try await client.execute(uri: "/v1/bridges", method: .post, body: ByteBuffer(string: "[1]"))
            #expect(array.status == .badRequest)
            // Nothing was created by the refused requests.
            let list = try await client.execute(uri: "/v1/bridges", method: .get)
            #expect(String(buffer: list.body) == "[]")
            let ok = try await client.execute(uri: "/v1/bridges", method: .post, body: ServiceAPITests.body(["type": "conference", "maxParticipants": 5]))
            #expect(ok.status == .created)
        }
    }

    @Test func wrongMethodGets405WithAllow() async throws {
        let app = try ServiceAPITests.app(ServiceAPITests.config(ports: 33450...33499))
        try await app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/recordings/rec-1/pause", method: .get)
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers[.init("Allow")!] == "POST")
            #expect(Self.code(r) == "method_not_allowed")
            let put = try await client.execute(uri: "/v1/endpoints", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.init("Allow")!] == "GET, POST")
            // An unknown path is still 404.
            #expect(try await client.execute(uri: "/v1/endpoints/a/b/c", method: .get).status == .notFound)
        }
    }

    @Test func plainGetOnTheEventStreamGets426() async throws {
        let app = try ServiceAPITests.app(ServiceAPITests.config(ports: 33500...33549))
        try await app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/events", method: .get)
            #expect(r.status == .upgradeRequired)
            #expect(Self.code(r) == "upgrade_required")
            let bad = try await client.execute(uri: "/v1/events?since=abc", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func idempotencyKeyReplaysAndRefusesReuse() async throws {
        let app = try ServiceAPITests.app(ServiceAPITests.config(ports: 33550...33599))
        try await app.test(.router) { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k-1"]
            let first = try await client.execute(uri: "/v1/bridges", method: .post, headers: key, body: ServiceAPITests.body(["type": "call"]))
            let again = try await client.execute(uri: "/v1/bridges", method: .post, headers: key, body: ServiceAPITests.body(["type": "call"]))
            #expect(first.status == .created && again.status == .created)
            #expect(ServiceAPITests.json(first.body)["id"] as? String == ServiceAPITests.json(again.body)["id"] as? String)
            #expect(again.headers[.init("Idempotent-Replay")!] == "true")
            let reused = try await client.execute(
                uri: "/v1/bridges", method: .post, headers: key, body: ServiceAPITests.body(["type": "conference"]))
            #expect(reused.status == .unprocessableContent)
            #expect(Self.code(reused) == "idempotency_key_reused")
            let bridges = try JSONSerialization.jsonObject(with: Data(buffer: try await client.execute(uri: "/v1/bridges", method: .get).body)) as? [Any]
            #expect(bridges?.count == 1, "the replay and the refused reuse created nothing")
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() async throws {
        // A streamed (chunked) body has no Content-Length to check first: the limit must still
        // hold while reading, and come back as the API's 413, not a 500.
        let chunks = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<8 { continuation.yield(ByteBuffer(bytes: [UInt8](repeating: 0x41, count: 1024))) }
            continuation.finish()
        }
        var request = Request(
            head: HTTPRequest(method: .put, scheme: "http", authority: "localhost", path: "/v1/mailboxes/1/greetings/x"),
            body: RequestBody(asyncSequence: chunks))
        do {
            _ = try await JSONBody.collect(&request, limit: 4096)
            Issue.record("an 8 KiB body passed a 4 KiB limit")
        } catch let error as APIError {
            #expect(error.status == .contentTooLarge)
            #expect(error.code == "body_too_large")
        }
    }
}
