/// Decoded (or synthesised) samples waiting to be pulled, with a record of where each stretch
/// came from so a pull can say which RTP time it is playing and count concealment as it is heard.
///
/// Linear storage of fixed capacity: consumption moves the few remaining samples to the front
/// (a `memmove` of at most a frame or two), which is cheaper than ring arithmetic in every loop.
struct SyncBuffer {
    enum Kind: Equatable {
        case decoded
        case concealed
        case comfortNoise
    }

    struct Segment {
        var kind: Kind = .decoded
        /// Extended RTP timestamp of the segment's first sample (decoded segments).
        var timestamp: Int64 = 0
        /// RTP ticks per output sample (stretched audio spreads its span over its samples).
        var ticksPerSample: Double = 1
        var count = 0
        var consumed = 0
        /// Arrival time of the packet, nanoseconds.
        var arrival: UInt64 = 0
    }

    private(set) var samples: [Int16]
    private(set) var count = 0
    private var segments: [Segment]
    private var segmentHead = 0
    private var segmentCount = 0

    init(capacity: Int, segmentCapacity: Int = 64) {
        samples = Array(repeating: 0, count: capacity)
        segments = Array(repeating: Segment(), count: segmentCapacity)
    }

    var capacity: Int { samples.count }
    var free: Int { samples.count - count }

    mutating func removeAll() {
        count = 0
        segmentHead = 0
        segmentCount = 0
    }

    /// Appends `source`, recording it as one segment. The caller ensures it fits.
    mutating func append(
        _ source: UnsafeBufferPointer<Int16>, kind: Kind, timestamp: Int64 = 0, ticks: Int = 0,
        arrival: UInt64 = 0
    ) {
        let n = min(source.count, free)
        guard n > 0 else { return }
        let start = count
        samples.withUnsafeMutableBufferPointer { dst in
            for k in 0..<n { dst[start + k] = source[k] }
        }
        count += n
        let last = (segmentHead + segmentCount - 1) % segments.count
        if segmentCount > 0, kind != .decoded, segments[last].kind == kind {
            segments[last].count += n  // merge synthetic stretches
            return
        }
        if segmentCount == segments.count {
            // Out of records (never in practice): fold the newest into the previous one.
            segments[last].count += n
            return
        }
        let slot = (segmentHead + segmentCount) % segments.count
        segments[slot] = Segment(
            kind: kind, timestamp: timestamp, ticksPerSample: n > 0 ? Double(ticks) / Double(n) : 0,
            count: n, consumed: 0, arrival: arrival)
        segmentCount += 1
    }

    /// Moves the first `out.count` samples into `out`, calling `visit` for each piece with its
    /// segment and the number of samples taken from it. Returns the RTP timestamp of the first
    /// sample when it is decoded audio.
    mutating func consume(
        into out: UnsafeMutableBufferPointer<Int16>, _ visit: (Segment, Int) -> Void
    ) -> Int64? {
        let n = out.count
        precondition(n <= count)
        samples.withUnsafeMutableBufferPointer { s in
            for k in 0..<n { out[k] = s[k] }
            let rest = count - n
            if rest > 0 {
                (s.baseAddress!).update(from: s.baseAddress! + n, count: rest)
            }
        }
        count -= n
        var firstTimestamp: Int64?
        var first = true
        var remaining = n
        while remaining > 0 && segmentCount > 0 {
            var seg = segments[segmentHead]
            let take = min(remaining, seg.count - seg.consumed)
            if first {
                if seg.kind == .decoded {
                    firstTimestamp = seg.timestamp + Int64((Double(seg.consumed) * seg.ticksPerSample).rounded())
                }
                first = false
            }
            visit(seg, take)
            seg.consumed += take
            remaining -= take
            if seg.consumed >= seg.count {
                segmentHead = (segmentHead + 1) % segments.count
                segmentCount -= 1
            } else {
                segments[segmentHead] = seg
            }
        }
        return firstTimestamp
    }
}
