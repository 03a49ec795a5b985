import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Synchronization
import Testing
@testable import TimbreService

/// A WebSocket client that stops reading must be cut off once `limits.eventsPerClient` events
/// wait for it, while publishing (which the media pump does) never waits and other clients and
/// the HTTP API go on.
@Suite struct SlowEventClientTests {
    @Test func aClientThatStopsReadingIsDisconnectedAndNothingWaits() async throws {
        var config = ServiceAPITests.config(ports: 33650...33699)
        config.limits.eventsPerClient = 64
        let deps = try TimbreApplication.makeDependencies(config: config, logger: ServiceFeatureTests.quietLogger())
        let app = TimbreApplication.buildApplication(deps)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let closed = Mutex(false)
            // Reads nothing: its socket and then the server's per-client queue fill up.
            let slow = Task {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/events", logger: ServiceFeatureTests.quietLogger()) { _, _, _ in
                    while !closed.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
                }
            }
            // Reads everything, counting events, until it sees "after.slow".
            let seen = Mutex((events: 0, disconnected: false))
            let reader = Task {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/events", logger: ServiceFeatureTests.quietLogger()) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message else { continue }
                        seen.withLock {
                            $0.events += 1
                            if text.contains("\"disconnected\"") { $0.disconnected = true }
                        }
                        if text.contains("after.slow") { try await outbound.close(.normalClosure, reason: nil); return }
                    }
                }
            }
            try await ServiceFeatureTests.waitForSubscribers(deps.events, 2)
            let padding = String(repeating: "x", count: 2048)
            var published = 0
            // Bursts of 8, each after the reader has caught up (so it is never near the limit of
            // 64, however loaded the machine); at most ~80 MB, far past any socket buffer, so
            // the client that does not read must fall behind.
            while deps.events.subscriberCount == 2 && published < 40_000 {
                for _ in 0..<8 { deps.events.publish("load.test", ["padding": .string(padding)]) }
                published += 8
                for _ in 0..<5000 where seen.withLock({ $0.events }) < published {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            #expect(deps.events.subscriberCount == 1, "the slow client was cut off after \(published) events, the reader was not")
            // The API still answers, and the reader got every event.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            deps.events.publish("after.slow")
            _ = try await reader.value
            #expect(seen.withLock { $0.events } == published + 1)
            #expect(seen.withLock { $0.disconnected } == false)
            closed.withLock { $0 = true }
            _ = try? await slow.value
        }
    }
}
