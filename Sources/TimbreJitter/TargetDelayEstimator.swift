/// Estimates the buffering delay that covers the network's delay variation, as NetEq does: a
/// histogram of *relative* packet delays with exponential forgetting, read at a high quantile.
///
/// Each packet's transit is `arrival − send time` (send time from its RTP timestamp); its relative
/// delay is that transit minus the smallest transit among the last `windowPackets` packets, so a
/// constant network delay and slow clock drift (±200 ppm is 0.2 ms per second) fall out. The
/// histogram has `bucketMilliseconds`-wide buckets; every update multiplies all buckets by the
/// forget factor and adds the rest to the new packet's bucket, so old behaviour fades in about
/// `1 / (1 − forgetFactor)` packets.
///
/// Peaks are left out: a packet whose relative delay exceeds `peakMilliseconds` (a cellular
/// handover or a long Wi-Fi stall, hundreds of milliseconds, seconds apart) does not enter the
/// histogram. Covering such a stall would hold the whole call at its delay for the forgetting
/// time, while concealing through it costs the same concealment either way; the moderate delays
/// of jitter and reordering stay in and are covered. Storage is fixed at `init`; `update`
/// allocates nothing.
struct TargetDelayEstimator {
    let bucketMilliseconds: Double
    let quantile: Double
    let forgetFactor: Double
    let peakMilliseconds: Double
    private var histogram: [Double]
    private var transits: [Double]
    private var transitCount = 0
    private var transitNext = 0
    private var updates = 0
    /// Relative delay (ms) at `quantile`, the jitter the target must absorb.
    private(set) var jitterMilliseconds: Double = 0

    init(
        bucketMilliseconds: Double = 5, maximumMilliseconds: Double = 2000, quantile: Double = 0.97,
        forgetFactor: Double = 0.998, windowPackets: Int = 100, peakMilliseconds: Double = 120
    ) {
        self.peakMilliseconds = peakMilliseconds
        self.bucketMilliseconds = bucketMilliseconds
        self.quantile = quantile
        self.forgetFactor = forgetFactor
        histogram = Array(repeating: 0, count: Int(maximumMilliseconds / bucketMilliseconds) + 1)
        transits = Array(repeating: 0, count: windowPackets)
    }

    mutating func reset() {
        for i in histogram.indices { histogram[i] = 0 }
        transitCount = 0
        transitNext = 0
        updates = 0
        jitterMilliseconds = 0
    }

    /// Records one packet's transit time in milliseconds (arrival minus media time; any offset).
    mutating func update(transitMilliseconds transit: Double) {
        transits[transitNext] = transit
        transitNext = (transitNext + 1) % transits.count
        transitCount = min(transitCount + 1, transits.count)
        var minimum = transit
        for i in 0..<transitCount where transits[i] < minimum { minimum = transits[i] }
        let relative = transit - minimum
        if relative > peakMilliseconds { return }
        let bucket = min(histogram.count - 1, max(0, Int(relative / bucketMilliseconds)))
        // Start-up: forget faster so the first seconds are not dominated by the empty prior.
        updates += 1
        let factor = min(forgetFactor, 1 - 1 / Double(updates + 1))
        var total = 0.0
        for i in 0..<histogram.count {
            histogram[i] *= factor
            total += histogram[i]
        }
        histogram[bucket] += 1 - factor
        total += 1 - factor
        // Smallest bucket whose cumulative mass reaches the quantile.
        let wanted = quantile * total
        var cumulative = 0.0
        var index = histogram.count - 1
        for i in 0..<histogram.count {
            cumulative += histogram[i]
            if cumulative >= wanted {
                index = i
                break
            }
        }
        jitterMilliseconds = Double(index + 1) * bucketMilliseconds
    }
}
