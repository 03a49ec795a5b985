import Foundation
import Hummingbird
import NIOCore

/// A JSON request body: `fields` lists every key it accepts, so that unknown keys are refused.
protocol RequestBody: Decodable {
    static var fields: Set<String> { get }
}

/// Reading and writing JSON bodies with the API's error contract.
enum JSONBody {
    /// Reads the body up to `limit` bytes (413 past it, checked against Content-Length before
    /// reading anything) and decodes `T`, turning decoding failures into a 400 naming the field.
    static func decode<T: RequestBody>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        let data = try await collect(request, limit: limit)
        if data.isEmpty { throw APIError.badRequest("a JSON body is required") }
        try checkClosedObject(data, fields: T.fields)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_body", describe(error))
        } catch {
            throw APIError(.badRequest, "invalid_body", "body is not valid JSON")
        }
    }

    /// Request bodies are closed objects: a field the API does not know (a typo such as `mute`
    /// for `muted`) or an explicit `null` is refused with 400 rather than silently ignored, so a
    /// client never believes it changed something it did not.
    static func checkClosedObject(_ data: Data, fields: Set<String>) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError(.badRequest, "invalid_body", "body is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError(.badRequest, "invalid_body", "body: must be a JSON object")
        }
        for key in dictionary.keys.sorted() {
            guard fields.contains(key) else {
                throw APIError(.badRequest, "invalid_body", "\(key): unknown field")
            }
            if dictionary[key] is NSNull {
                throw APIError(.badRequest, "invalid_body", "\(key): null is not allowed; omit the field")
            }
        }
    }

    /// Collects the raw body with the size limit.
    static func collect(_ request: Request, limit: Int) async throws -> Data {
        var request = request
        return try await collect(&request, limit: limit)
    }

    /// Collects the raw body with the size limit, leaving it collected in `request` so that a
    /// handler further on can read it again. A body over the limit is a 413 whether it came
    /// with a Content-Length or chunked.
    static func collect(_ request: inout Request, limit: Int) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer: buffer)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length to check up front: NIO stops reading at the limit.
            throw tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "body_too_large", "request body exceeds \(limit) bytes")
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ p: [any CodingKey]) -> String {
            let s = p.map(\.stringValue).joined(separator: ".")
            return s.isEmpty ? "body" : s
        }
        switch error {
        case .typeMismatch(let t, let c): return "\(path(c.codingPath)): expected \(t)"
        case .valueNotFound(let t, let c): return "\(path(c.codingPath)): expected \(t), found null"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): required"
        case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "invalid body"
        }
    }

    /// A JSON response with `status`.
    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response<T: Encodable>(encoding value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
