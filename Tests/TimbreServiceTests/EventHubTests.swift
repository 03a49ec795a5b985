import Testing
@testable import TimbreService

/// The event hub's bounds: a subscriber that stops reading is cut off with a reason after
/// `perClientLimit` events, and publishing never waits for it.
@Suite struct EventHubTests {
    @Test func slowSubscriberIsDisconnectedWithAReason() async throws {
        let hub = EventHub(historyLimit: 64, perClientLimit: 8)
        let slow = hub.subscribe()
        let other = hub.subscribe()
        for i in 0..<20 { hub.publish("tick", ["i": .int(i)]) }
        #expect(hub.subscriberCount == 0, "both fell 8 behind and were dropped")
        var events: [UInt64] = []
        var reason: String?
        for await delivery in slow.stream {
            switch delivery {
            case .event(let e): events.append(e.seq)
            case .disconnected(let r): reason = r
            }
        }
        #expect(events == Array(1...8))
        #expect(reason?.contains("too slow") == true)
        _ = other
        // The hub goes on numbering and keeping history for resuming clients.
        #expect(hub.publish("after").seq == 21)
        #expect(hub.history(since: 18).map(\.seq) == [19, 20, 21])
    }

    @Test func readingSubscriberKeepsUpAndResumesFromHistory() async throws {
        let hub = EventHub(historyLimit: 4, perClientLimit: 16)
        for _ in 0..<6 { hub.publish("old") }
        let resumed = hub.subscribe(since: 3)
        hub.publish("live")
        hub.unsubscribe(resumed.id)
        var seqs: [UInt64] = []
        for await case .event(let e) in resumed.stream { seqs.append(e.seq) }
        // History holds the last 4 (3...6); after 3 that is 4, 5, 6; then the live 7.
        #expect(seqs == [4, 5, 6, 7])
    }
}
