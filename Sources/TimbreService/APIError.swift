import Foundation
import Hummingbird

/// Every API error: an HTTP status and `{"error": {"code", "message"}}`.
///
/// Handlers throw these for bad input (4xx); anything else that escapes a handler is mapped to a
/// 500 with code `internal` by `ErrorMiddleware`, so the body shape never changes.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra JSON fields inside `error` (e.g. the greeting validator's `problems`).
    public var details: [String: any Sendable] = [:]
    /// Extra response headers (e.g. `Allow` on a 405).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [String: any Sendable] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: Any] = ["code": code, "message": message]
        for (k, v) in details { error[k] = v }
        let data = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func notFound(_ what: String, _ id: String) -> APIError {
        APIError(.notFound, "not_found", "\(what) \(id) does not exist")
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }

    public static func conflict(_ code: String, _ message: String) -> APIError { APIError(.conflict, code, message) }

    public static func limit(_ message: String) -> APIError { APIError(.tooManyRequests, "limit_reached", message) }
}
