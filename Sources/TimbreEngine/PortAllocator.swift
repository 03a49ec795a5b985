import Synchronization

/// Hands out RTP/RTCP port pairs (RTP even, RTCP the odd port above) from the configured range,
/// round-robin so that a just-released port is not reused at once (late packets of the old call
/// would land in the new one).
public final class PortAllocator: Sendable {
    private struct State {
        var inUse: Set<Int> = []
        var next: Int
    }

    public let range: ClosedRange<Int>
    private let state: Mutex<State>

    public init(range: ClosedRange<Int>) {
        let lower = range.lowerBound % 2 == 0 ? range.lowerBound : range.lowerBound + 1
        self.range = lower...range.upperBound
        state = Mutex(State(next: lower))
    }

    /// Capacity in pairs.
    public var pairCount: Int { (range.upperBound - range.lowerBound + 1) / 2 }

    /// Reserves the next free even port, or nil when all are taken. `tryBind` is called with
    /// each candidate; a port another process holds is skipped.
    public func allocate<T>(_ tryBind: (Int) -> T?) -> T? {
        for _ in 0..<pairCount {
            let candidate: Int? = state.withLock { s in
                let p = s.next
                s.next += 2
                if s.next + 1 > range.upperBound { s.next = range.lowerBound }
                if s.inUse.contains(p) { return nil }
                s.inUse.insert(p)
                return p
            }
            guard let port = candidate else { continue }
            if let bound = tryBind(port) { return bound }
            release(port)
        }
        return nil
    }

    public func release(_ port: Int) { _ = state.withLock { $0.inUse.remove(port) } }

    public var inUseCount: Int { state.withLock { $0.inUse.count } }
}
