/// Replays a `NetworkTrace` through a `PlayoutBuffer` offline, as `timbre netsim` does: packet
/// `seq` of the trace carries frame `seq` of the input; it is delivered at its arrival time; a
/// playout clock pulls one output frame per period, running `clockDriftPPM` fast (positive) or
/// slow against the trace's time base. Output starts at the first played sample.
///
/// Time is simulated (no sleeping): a `MediaClock`-style tick count gives each pull's time.
public struct NetworkSimulator {
    public struct Result: Sendable {
        /// Played samples, from the first played one.
        public var output: [Int16]
        public var statistics: JitterBufferStatistics
        /// Playout minus send time for every played frame of decoded audio, milliseconds.
        public var playoutDelaysMilliseconds: [Double]

        public var meanPlayoutDelayMilliseconds: Double {
            playoutDelaysMilliseconds.isEmpty ? 0 : playoutDelaysMilliseconds.reduce(0, +) / Double(playoutDelaysMilliseconds.count)
        }

        public var p95PlayoutDelayMilliseconds: Double {
            guard !playoutDelaysMilliseconds.isEmpty else { return 0 }
            let sorted = playoutDelaysMilliseconds.sorted()
            let index = min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)
            return sorted[max(0, index)]
        }

        /// concealedSamples / totalSamplesReceived.
        public var concealedRatio: Double {
            statistics.totalSamplesReceived == 0
                ? 0 : Double(statistics.concealedSamples) / Double(statistics.totalSamplesReceived)
        }
    }

    public var trace: NetworkTrace
    /// Output samples per pull.
    public var outputSamples: Int
    /// Pull period in milliseconds.
    public var periodMilliseconds: Int
    /// RTP ticks per 20 ms frame (the trace's packet unit).
    public var frameTicks: Int
    /// RTP timestamp of frame 0.
    public var firstTimestamp: Int64
    /// Receiver clock rate error in parts per million (positive: pulls come faster).
    public var clockDriftPPM: Double

    public init(
        trace: NetworkTrace, outputSamples: Int, periodMilliseconds: Int = 20, frameTicks: Int,
        firstTimestamp: Int64, clockDriftPPM: Double = 0
    ) {
        self.trace = trace
        self.outputSamples = outputSamples
        self.periodMilliseconds = periodMilliseconds
        self.frameTicks = frameTicks
        self.firstTimestamp = firstTimestamp
        self.clockDriftPPM = clockDriftPPM
    }

    /// Runs the trace. `packet(seq)` returns the packet carrying frame `seq` (nil when the input
    /// has no such frame; the row is then skipped).
    public func run<B: PlayoutBuffer>(
        buffer: inout B, packet: (Int) throws -> JitterPacket?
    ) rethrows -> Result {
        var arrivals: [(time: Double, row: Int)] = []
        arrivals.reserveCapacity(trace.entries.count)
        var sendTimes: [Int: Double] = [:]
        for (row, e) in trace.entries.enumerated() {
            if sendTimes[e.sequence] == nil { sendTimes[e.sequence] = e.sendMilliseconds }
            if let a = e.arrivalMilliseconds { arrivals.append((a, row)) }
        }
        arrivals.sort { $0.time != $1.time ? $0.time < $1.time : $0.row < $1.row }
        var result = Result(output: [], statistics: buffer.statistics, playoutDelaysMilliseconds: [])
        guard let first = arrivals.first else { return result }
        let lastArrival = arrivals.last!.time
        // Receiver clock: its ticks are `period` long on its own clock, which runs fast by ppm.
        let scale = 1 + clockDriftPPM * 1e-6
        let period = Double(periodMilliseconds) / scale
        var frame = [Int16](repeating: 0, count: outputSamples)
        var next = 0
        var tick = 0
        var started = false
        let limit = Int((lastArrival - first.time) / period) + 50 * 60 * 10 + 100
        while tick < limit {
            let now = first.time + Double(tick) * period
            while next < arrivals.count && arrivals[next].time <= now {
                let e = trace.entries[arrivals[next].row]
                if let p = try packet(e.sequence) {
                    buffer.deliver(p, arrivalTime: UInt64((arrivals[next].time * scale * 1e6).rounded()))
                }
                next += 1
            }
            if started && next >= arrivals.count && buffer.bufferedPackets == 0
                && buffer.pendingSamples < outputSamples
            {
                break  // everything that arrived has been played
            }
            let receiverNow = UInt64((now * scale * 1e6).rounded())
            let pulled = frame.withUnsafeMutableBufferPointer { buffer.pull(into: $0, now: receiverNow) }
            tick += 1
            if pulled.activity == .notStarted {
                if started { break }
                continue
            }
            started = true
            result.output.append(contentsOf: frame)
            if let ts = pulled.timestamp {
                let position = Double(ts - firstTimestamp) / Double(frameTicks)
                let seq = Int(position.rounded(.down))
                let frac = position - Double(seq)
                let send = (sendTimes[seq] ?? Double(seq) * 20) + frac * 20
                result.playoutDelaysMilliseconds.append(now - send)
            }
        }
        result.statistics = buffer.statistics
        return result
    }
}
