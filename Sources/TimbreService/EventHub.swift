import Foundation
import Synchronization

/// Numbers events, keeps a bounded history for resuming clients, and fans events out to
/// subscribers through bounded per-client queues.
///
/// A subscriber that falls `eventsPerClient` behind is cut off with a reason instead of being
/// waited for: a slow WebSocket client must never slow the service, let alone the media. The
/// media threads never call this directly; their events arrive through the engine's bounded
/// event queue and a control-side pump.
public final class EventHub: Sendable {
    public struct Subscription: Sendable {
        public let id: UInt64
        public let stream: AsyncStream<Delivery>
    }

    /// What a subscriber receives: an event, or the reason it was disconnected.
    public enum Delivery: Sendable {
        case event(ServiceEvent)
        case disconnected(reason: String)
    }

    private struct State {
        var nextSeq: UInt64 = 1
        var history: [ServiceEvent] = []
        var historyStart = 0  // ring index of the oldest event
        var subscribers: [UInt64: Subscriber] = [:]
        var nextSubscriberID: UInt64 = 1
    }

    private struct Subscriber {
        var continuation: AsyncStream<Delivery>.Continuation
        var pending: Int
    }

    private let state = Mutex(State())
    public let historyLimit: Int
    public let perClientLimit: Int

    public init(historyLimit: Int, perClientLimit: Int) {
        self.historyLimit = historyLimit
        self.perClientLimit = perClientLimit
    }

    /// Numbers and publishes an event; returns it with its `seq`.
    ///
    /// Slow subscribers are cut off after the lock is released: finishing a stream runs its
    /// `onTermination`, which unsubscribes and so takes the lock again.
    @discardableResult
    public func publish(_ type: String, _ fields: [String: EventValue] = [:]) -> ServiceEvent {
        let (event, dropped) = state.withLock { s -> (ServiceEvent, [Subscriber]) in
            let event = ServiceEvent(seq: s.nextSeq, type: type, fields: fields)
            s.nextSeq += 1
            if s.history.count < historyLimit {
                s.history.append(event)
            } else {
                s.history[s.historyStart] = event
                s.historyStart = (s.historyStart + 1) % historyLimit
            }
            var dropped: [Subscriber] = []
            for (id, sub) in s.subscribers {
                switch sub.continuation.yield(.event(event)) {
                case .enqueued(let remaining) where remaining <= 1:
                    // `perClientLimit` events are waiting: the client is too slow. The one slot
                    // left is for the reason.
                    dropped.append(sub)
                    s.subscribers[id] = nil
                case .enqueued:
                    break
                case .dropped, .terminated:
                    dropped.append(sub)
                    s.subscribers[id] = nil
                @unknown default:
                    break
                }
            }
            return (event, dropped)
        }
        for sub in dropped {
            sub.continuation.yield(.disconnected(reason: "too slow: \(perClientLimit) events behind"))
            sub.continuation.finish()
        }
        return event
    }

    /// Subscribes, first replaying history after `since` (when given).
    public func subscribe(since: UInt64? = nil) -> Subscription {
        // Room for the limit plus the final "disconnected" message.
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingOldest(perClientLimit + 1))
        let id = state.withLock { s -> UInt64 in
            let id = s.nextSubscriberID
            s.nextSubscriberID += 1
            if let since {
                for e in orderedHistory(s) where e.seq > since { continuation.yield(.event(e)) }
            }
            s.subscribers[id] = Subscriber(continuation: continuation, pending: 0)
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return Subscription(id: id, stream: stream)
    }

    public func unsubscribe(_ id: UInt64) {
        let sub = state.withLock { $0.subscribers.removeValue(forKey: id) }
        sub?.continuation.finish()
    }

    /// Events after `since` still in the history, oldest first.
    public func history(since: UInt64 = 0) -> [ServiceEvent] {
        state.withLock { s in orderedHistory(s).filter { $0.seq > since } }
    }

    public var lastSequence: UInt64 { state.withLock { $0.nextSeq - 1 } }
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    private func orderedHistory(_ s: State) -> [ServiceEvent] {
        Array(s.history[s.historyStart...] + s.history[..<s.historyStart])
    }
}
