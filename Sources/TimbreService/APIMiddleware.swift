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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            return try await next(request, context)
        }
        guard key.count <= 200 else { throw APIError.badRequest("Idempotency-Key is longer than 200 characters") }
        let scoped = "\(request.uri.path) \(key)"
        if let stored = await store.get(scoped) {
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
            await store.put(scoped, .init(status: response.status, body: data))
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
