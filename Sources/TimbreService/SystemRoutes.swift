import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/healthz`, `/metrics`, `/openapi.json` and the `/v1/events` WebSocket.
struct SystemRoutes {
    let deps: TimbreApplication.Dependencies

    func register(on router: Router<TimbreApplication.Context>) {
        router.get("/healthz") { _, _ in
            JSONBody.response(["status": "ok", "endpoints": deps.media.endpointCount, "lastEventSeq": Int(deps.events.lastSequence)])
        }
        router.get("/metrics") { _, _ in
            deps.media.refreshGauges()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: deps.metrics.render())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
        }
        // Events: `?since=N` replays what the history still holds after N, then streams live.
        // A client that falls behind is sent {"type":"disconnected","reason":...} and closed.
        // A plain GET (no WebSocket upgrade) gets 426 naming what to do, not an empty 200.
        router.ws("/v1/events") { request, _ in
            if let since = request.uri.queryParameters.get("since"), UInt64(since) == nil {
                throw APIError(.badRequest, "invalid_query", "since: must be a non-negative integer sequence number")
            }
            guard request.headers[.upgrade]?.lowercased().contains("websocket") == true else {
                throw APIError(.upgradeRequired, "upgrade_required", "/v1/events is a WebSocket: send a GET with Upgrade: websocket")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let since = context.request.uri.queryParameters.get("since").flatMap(UInt64.init)
            let subscription = deps.events.subscribe(since: since)
            defer { deps.events.unsubscribe(subscription.id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Drain (and ignore) what the client sends so pings/close are processed.
                    for try await _ in inbound {}
                }
                group.addTask {
                    for await delivery in subscription.stream {
                        switch delivery {
                        case .event(let e):
                            try await outbound.write(.text(e.json))
                        case .disconnected(let reason):
                            let bye = ServiceEvent(seq: 0, type: "disconnected", fields: ["reason": .string(reason)])
                            try await outbound.write(.text(bye.json))
                            try await outbound.close(.policyViolation, reason: reason)
                            return
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// The OpenAPI 3 document shipped as a resource and served at `/openapi.json`.
enum OpenAPIDocument {
    static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let d = try? Data(contentsOf: url)
        else { return Data("{}".utf8) }
        return d
    }()
}
