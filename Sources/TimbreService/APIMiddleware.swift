import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging

/// Maps every error to the API's JSON error body: `APIError` as it is, Hummingbird's own
/// `HTTPError`s (unknown route, method not allowed) to the same shape, and anything else to 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = DocumentedRoutes.shared.allowedMethods(for: request.uri.path),
                !allowed.contains(request.method.rawValue)
            {
                var refusal = APIError(
                    .methodNotAllowed, "method_not_allowed",
                    "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))")
                refusal.headers[HTTPField.Name("Allow")!] = allowed.joined(separator: ", ")
                throw refusal
            }
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "body_too_large"
            case .unauthorized: code = "unauthorized"
            default: code = error.status.code < 500 ? "bad_request" : "internal"
            }
            throw APIError(error.status, code, error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal", "internal error")
        }
    }
}

/// Requires `Authorization: Bearer <token>` when tokens are configured (they must be whenever
/// the API listens beyond loopback). `/healthz` stays open for load balancers.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if tokens.isEmpty || request.uri.path == "/healthz" { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            tokens.contains(String(header.dropFirst(7)))
        else {
            throw APIError(.unauthorized, "unauthorized", "a valid bearer token is required")
        }
        return try await next(request, context)
    }
}

/// Refuses bodies over the limit from Content-Length before any handler reads them, so a
/// too-large upload gets 413 even on a route that would not read its body.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw JSONBody.tooLarge(limit)
        }
        return try await next(request, context)
    }
}

/// Replays the stored response for a repeated `Idempotency-Key` on POST, so a client that
/// retries after a timeout does not create a second endpoint or recording. Bounded LRU.
actor IdempotencyStore {
    struct Stored: Sendable {
        /// What the first request was (its body's digest): a key reused for a different
        /// request is an error, not a replay of an unrelated response.
        var requestDigest: Int
        var status: HTTPResponse.Status
        var body: Data
    }

    private var entries: [String: Stored] = [:]
    private var order: [String] = []
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    func get(_ key: String) -> Stored? { entries[key] }

    func put(_ key: String, _ value: Stored) {
        if entries[key] == nil {
            order.append(key)
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
        entries[key] = value
    }
}

struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: IdempotencyStore
    /// The request body limit: the body is read here (to fingerprint it) and handed on.
    let bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            return try await next(request, context)
        }
        guard key.count <= 200 else { throw APIError.badRequest("Idempotency-Key is longer than 200 characters") }
        var request = request
        let body = try await JSONBody.collect(&request, limit: bodyLimit)
        var hasher = Hasher()
        hasher.combine(body)
        let digest = hasher.finalize()
        let scoped = "\(request.uri.path) \(key)"
        if let stored = await store.get(scoped) {
            guard stored.requestDigest == digest else {
                throw APIError(
                    .unprocessableContent, "idempotency_key_reused",
                    "Idempotency-Key \(key) was used for a different request body")
            }
            return Response(
                status: stored.status, headers: [.contentType: "application/json", HTTPField.Name("Idempotent-Replay")!: "true"],
                body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
        }
        let response = try await next(request, context)
        if response.status.code < 300 {
            var response = response
            let box = CollectedBody()
            try await response.body.write(CollectingWriter(box: box))
            let data = Data(buffer: box.buffer)
            await store.put(scoped, .init(requestDigest: digest, status: response.status, body: data))
            response.body = .init(byteBuffer: box.buffer)
            return response
        }
        return response
    }
}

/// Collects a response body so the idempotency store can replay it.
final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let box: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws {
        var b = buffer
        guard box.buffer.readableBytes + b.readableBytes <= 1 << 20 else { return }
        box.buffer.writeBuffer(&b)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
