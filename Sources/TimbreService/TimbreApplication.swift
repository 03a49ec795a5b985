import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// Builds `timbred`: the HTTP/WebSocket control API on Hummingbird plus the media service,
/// run together under swift-service-lifecycle so that SIGTERM/SIGINT stop accepting work,
/// finish recordings, send RTCP BYE and exit 0.
public enum TimbreApplication {
    public typealias Context = BasicWebSocketRequestContext

    /// Everything the handlers share.
    public struct Dependencies: Sendable {
        public let config: ServiceConfig
        public let events: EventHub
        public let metrics: ServiceMetrics
        public let media: MediaService
        public let logger: Logger
    }

    public static func makeDependencies(config: ServiceConfig, logger: Logger) throws -> Dependencies {
        let events = EventHub(historyLimit: config.limits.eventHistory, perClientLimit: config.limits.eventsPerClient)
        let metrics = ServiceMetrics()
        let media = try MediaService(config: config, events: events, metrics: metrics, logger: logger)
        return Dependencies(config: config, events: events, metrics: metrics, media: media, logger: logger)
    }

    /// The router with every route; tests drive it with `.router`.
    public static func buildRouter(_ deps: Dependencies) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: BodyLimitMiddleware(limit: deps.config.api.maxBodyBytes))
        router.add(middleware: BearerAuthMiddleware(tokens: Set(deps.config.api.tokens)))
        router.add(middleware: IdempotencyMiddleware(store: IdempotencyStore(), bodyLimit: deps.config.api.maxBodyBytes))
        SystemRoutes(deps: deps).register(on: router)
        EndpointRoutes(deps: deps).register(on: router)
        BridgeRoutes(deps: deps).register(on: router)
        RecordingRoutes(deps: deps).register(on: router)
        GreetingRoutes(deps: deps).register(on: router)
        return router
    }

    /// The application (HTTP/1.1 with WebSocket upgrade) plus the media service.
    public static func buildApplication(_ deps: Dependencies) -> some ApplicationProtocol {
        let router = buildRouter(deps)
        var app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(deps.config.api.host, port: deps.config.api.port), serverName: "timbred"),
            logger: deps.logger
        )
        app.addServices(deps.media)
        return app
    }
}
