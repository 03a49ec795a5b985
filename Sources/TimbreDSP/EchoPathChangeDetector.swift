/// Notices that the echo path changed under a converged canceller, from the adaptive filter's
/// own echo return loss enhancement: once the filter has cancelled well for a while, a sustained
/// collapse of its ERLE means the echo it models is no longer the echo in the microphone (the
/// device latency moved, or the room changed), and waiting for the filter and the delay
/// estimator's smoothing to notice by themselves costs seconds.
///
/// ERLE is measured over windows of `windowSamples` far-end-active samples as
/// 10·log10(Σ near² / Σ filtered²). Converged: two windows in a row at 12 dB or better.
/// Change: after convergence, two windows in a row below 4 dB. Near-end speech (double
/// talk) also lowers the ERLE and can raise a false alarm; the canceller's response to one (a
/// fresh delay search that finds the same delay) leaves the filter untouched, so this errs on the
/// side of reacting.
///
/// Real-time: a few scalars, no allocation.
struct EchoPathChangeDetector: Sendable {
    /// Far-end-active samples per window.
    let windowSamples: Int
    /// Energy ratios (near over filtered) for the converged level, 12 dB, and the collapsed
    /// level, 4 dB.
    let convergedRatio = 15.85
    let collapsedRatio = 2.512

    private var nearEnergy = 0.0
    private var outputEnergy = 0.0
    private var activeSamples = 0
    /// Windows in a row above the converged level (before convergence) or below the collapsed one (after).
    private var run = 0
    /// Samples (all, active or not) since the first window of the current collapsed run began.
    private var windowAge = 0
    private var runAge = 0

    /// Whether the filter has converged since the last `restart()`.
    private(set) var converged = false

    init(windowSamples: Int) {
        self.windowSamples = max(1, windowSamples)
    }

    /// Forgets the windows and the convergence, e.g. after the filter restarted.
    mutating func restart() {
        nearEnergy = 0
        outputEnergy = 0
        activeSamples = 0
        run = 0
        windowAge = 0
        runAge = 0
        converged = false
    }

    /// Feeds one frame's mean squares. Returns, when a change is detected, how many samples ago
    /// the collapse began (the start of the first collapsed window); nil otherwise.
    mutating func observe(farActive: Bool, nearPower: Double, filteredPower: Double, samples: Int) -> Int? {
        windowAge += samples
        if run > 0 { runAge += samples }
        guard farActive else { return nil }
        nearEnergy += nearPower * Double(samples)
        outputEnergy += filteredPower * Double(samples)
        activeSamples += samples
        guard activeSamples >= windowSamples else { return nil }
        let ratio = nearEnergy / max(outputEnergy, 1)
        let age = windowAge
        nearEnergy = 0
        outputEnergy = 0
        activeSamples = 0
        windowAge = 0
        if !converged {
            run = ratio >= convergedRatio ? run + 1 : 0
            if run >= 2 {
                converged = true
                run = 0
                runAge = 0
            }
            return nil
        }
        guard ratio < collapsedRatio else {
            run = 0
            runAge = 0
            return nil
        }
        if run == 0 { runAge = age }
        run += 1
        guard run >= 2 else { return nil }
        let since = runAge
        restart()
        return since
    }
}
