/// Estimates the buffering delay that covers the network's delay variation, as NetEq does: a
/// histogram of *relative* packet delays with exponential forgetting, read at a high quantile.
///
/// Each packet's transit is `arrival − send time` (send time from its RTP timestamp); its relative
/// delay is that transit minus the smallest transit among the last `windowPackets` packets, so a
/// constant network delay and slow clock drift (±200 ppm is 0.2 ms per second) fall out. The
/// histogram has `bucketMilliseconds`-wide buckets; every update multiplies all buckets by the
/// forget factor and adds the rest to the new packet's bucket, so old behaviour fades in about
/// `1 / (1 − forgetFactor)` packets. Only packets that arrive are observed: a lost packet adds
/// nothing, so loss never reads as lateness.
///
/// Peaks are left out: a packet whose relative delay exceeds `peakMilliseconds` (a cellular
/// handover or a long Wi-Fi stall, hundreds of milliseconds, seconds apart) does not enter the
/// histogram. Covering such a stall would hold the whole call at its delay for the forgetting
/// time, while concealing through it costs the same concealment either way; the moderate delays
/// of jitter and reordering stay in and are covered.
///
/// Cost: `update` is O(1) amortised and allocates nothing (storage is fixed at `init`). The
/// forgetting is applied lazily — instead of scaling every bucket down, each new observation is
/// weighted up by the inverse of the accumulated factor, and everything is renormalised once the
/// weight grows large — the window minimum is a monotonic queue, and the quantile bucket is
/// tracked incrementally (mass only moves one way per update).
struct TargetDelayEstimator {
    let bucketMilliseconds: Double
    let quantile: Double
    let forgetFactor: Double
    let peakMilliseconds: Double
    /// Histogram weights in units of `weight` (actual mass = stored / weight).
    private var histogram: [Double]
    private var total = 0.0
    /// Mass of the buckets below `quantileIndex`.
    private var below = 0.0
    private var quantileIndex = 0
    /// The weight a new observation is added with; grows by 1 / factor per update.
    private var weight = 1.0
    private var updates = 0
    /// Sliding-window minimum of the transit: a ring of (packet number, transit) pairs whose
    /// transits increase from front to back.
    private var queueNumbers: [Int]
    private var queueTransits: [Double]
    private var queueHead = 0
    private var queueCount = 0
    private var observed = 0
    /// Relative delay (ms) at `quantile`, the jitter the target must absorb.
    private(set) var jitterMilliseconds: Double = 0
    /// Smallest transit (ms) among the last `windowPackets` packets: the network's base delay
    /// (plus the constant offset between the clocks).
    private(set) var minimumTransitMilliseconds: Double = 0

    /// Renormalise once the observation weight passes this (far below overflow).
    private static let weightLimit = 1e100

    init(
        bucketMilliseconds: Double = 1, maximumMilliseconds: Double = 2000, quantile: Double = 0.98,
        forgetFactor: Double = 0.998, windowPackets: Int = 100, peakMilliseconds: Double = 120
    ) {
        self.peakMilliseconds = peakMilliseconds
        self.bucketMilliseconds = bucketMilliseconds
        self.quantile = quantile
        self.forgetFactor = forgetFactor
        // Relative delays above the peak never enter, so buckets past it would stay empty.
        let span = min(maximumMilliseconds, peakMilliseconds)
        histogram = Array(repeating: 0, count: Int(span / bucketMilliseconds) + 1)
        queueNumbers = Array(repeating: 0, count: max(1, windowPackets))
        queueTransits = Array(repeating: 0, count: max(1, windowPackets))
    }

    mutating func reset() {
        for i in histogram.indices { histogram[i] = 0 }
        total = 0
        below = 0
        quantileIndex = 0
        weight = 1
        updates = 0
        queueHead = 0
        queueCount = 0
        observed = 0
        jitterMilliseconds = 0
        minimumTransitMilliseconds = 0
    }

    /// Forgets the transit window, keeping the histogram: after a resynchronisation the transit
    /// has a new offset (new timeline), while the network's jitter is what it was.
    mutating func restartTimeline() {
        queueHead = 0
        queueCount = 0
    }

    /// Records one packet's transit time in milliseconds (arrival minus media time; any offset).
    mutating func update(transitMilliseconds transit: Double) {
        let minimum = pushTransit(transit)
        minimumTransitMilliseconds = minimum
        let relative = transit - minimum
        if relative > peakMilliseconds { return }
        let bucket = min(histogram.count - 1, max(0, Int(relative / bucketMilliseconds)))
        // Start-up: forget faster so the first seconds are not dominated by the empty prior.
        updates += 1
        let factor = min(forgetFactor, 1 - 1 / Double(updates + 1))
        // Scaling all old mass by `factor` and adding `1 − factor` is, up to a common scale,
        // adding `(1 − factor) / factor` relative to the old mass.
        weight /= factor
        let added = (1 - factor) * weight
        histogram[bucket] += added
        total += added
        if bucket < quantileIndex { below += added }
        moveQuantile()
        if weight > Self.weightLimit { renormalise() }
        jitterMilliseconds = Double(quantileIndex + 1) * bucketMilliseconds
    }

    /// Moves `quantileIndex` to the smallest bucket whose cumulative mass reaches the quantile.
    private mutating func moveQuantile() {
        let wanted = quantile * total
        let last = histogram.count - 1
        while quantileIndex > 0 && below >= wanted {
            quantileIndex -= 1
            below -= histogram[quantileIndex]
        }
        while quantileIndex < last && below + histogram[quantileIndex] < wanted {
            below += histogram[quantileIndex]
            quantileIndex += 1
        }
        if below < 0 { below = 0 }
    }

    private mutating func renormalise() {
        let scale = 1 / weight
        var sum = 0.0
        var under = 0.0
        for i in histogram.indices {
            histogram[i] *= scale
            sum += histogram[i]
            if i < quantileIndex { under += histogram[i] }
        }
        total = sum
        below = under
        weight = 1
    }

    /// Adds a transit to the window and returns the window's minimum.
    private mutating func pushTransit(_ transit: Double) -> Double {
        let size = queueNumbers.count
        let number = observed
        observed += 1
        // Drop the front once it has left the window.
        if queueCount > 0 && queueNumbers[queueHead] <= number - size {
            queueHead = (queueHead + 1) % size
            queueCount -= 1
        }
        // Drop from the back every transit not smaller than the new one: it can never be the
        // minimum again.
        while queueCount > 0 {
            let back = (queueHead + queueCount - 1) % size
            if queueTransits[back] < transit { break }
            queueCount -= 1
        }
        let slot = (queueHead + queueCount) % size
        queueNumbers[slot] = number
        queueTransits[slot] = transit
        queueCount += 1
        return queueTransits[queueHead]
    }
}
