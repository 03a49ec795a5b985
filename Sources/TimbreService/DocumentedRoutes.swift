import Foundation

/// The API's paths and methods as the OpenAPI document lists them.
///
/// The router answers an unknown method on a known path with "not found"; a client deserves
/// 405 and an `Allow` header naming what the path takes, and the document is where that list
/// already lives, so it is read from there rather than kept twice.
struct DocumentedRoutes: Sendable {
    private struct Route: Sendable {
        var segments: [Substring]
        var methods: [String]
    }

    private let routes: [Route]

    init(openAPI data: Data) {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let paths = object?["paths"] as? [String: Any] ?? [:]
        let verbs = ["get", "put", "post", "patch", "delete"]
        routes = paths.keys.sorted().map { path in
            let operations = paths[path] as? [String: Any] ?? [:]
            let methods = verbs.filter { operations[$0] != nil }.map { $0.uppercased() }
            return Route(segments: path.split(separator: "/"), methods: methods)
        }
    }

    /// The methods the document allows on `path`, or nil when no documented path matches it.
    func allowedMethods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        for route in routes where route.segments.count == segments.count {
            let matches = zip(route.segments, segments).allSatisfy { template, segment in
                template.hasPrefix("{") || template == segment
            }
            if matches { return route.methods }
        }
        return nil
    }

    static let shared = DocumentedRoutes(openAPI: OpenAPIDocument.data)
}
