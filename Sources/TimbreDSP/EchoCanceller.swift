internal import CSpeexDSP
public import TimbreCore

/// Acoustic echo cancellation for one call: delay alignment (`EchoDelayEstimator`), speexdsp's
/// MDF adaptive filter, then speexdsp's preprocessor for residual-echo suppression and, if asked,
/// noise suppression, AGC and VAD.
///
/// Feed it, every 10 or 20 ms, the frame sent to the loudspeaker (`far`) and the frame captured
/// by the microphone over the same interval (`near`); it writes the cleaned near-end frame.
/// The far end passes through a delay line set from the estimator (minus a small margin), so the
/// MDF filter's `tailMilliseconds` covers the room's response rather than the device latency.
/// When the delay moves by more than `realignThresholdMilliseconds` the line is moved and the
/// MDF filter restarts; small drifts (clock skew of tens of ppm) are tracked by the adaptive
/// filter itself.
///
/// Catch-up: a restarted filter would need a second or two of new audio to converge again. The
/// canceller keeps the last `historyMilliseconds` of both ends (preallocated rings), and when the
/// alignment moves it replays that history (twice) through the restarted filter at the new
/// alignment (output discarded), so the filter is already adapted when the next frame arrives. After a
/// path change only the audio since the change is replayed. `realign(delaySamples:replayingFrames:)`
/// exposes the same operation.
///
/// Path changes: `EchoPathChangeDetector` watches the filter's ERLE; a sustained collapse after
/// convergence makes the delay estimator `reacquire()` (a fresh, fast search over the audio since
/// the collapse), and the canceller catches up with the new delay as above.
///
/// Divergence guard: the output of the MDF stage is never allowed to exceed its input by more
/// than 3 dB; such frames pass the near end through unchanged, and half a second of them in a row
/// restarts the filter.
///
/// The corresponding speexdsp calls are `speex_echo_state_init`, `speex_echo_cancellation`,
/// `speex_echo_state_reset`, `speex_preprocess_state_init`, `speex_preprocess_ctl` and
/// `speex_preprocess_run`.
///
/// Real-time: `process` is allocation-free and lock-free. Not thread-safe: call from the media
/// thread only.
public final class EchoCanceller {
    /// Settings. Times in milliseconds, levels in dB.
    public struct Configuration: Sendable, Hashable {
        /// Length of the adaptive filter (the room's echo tail after alignment).
        public var tailMilliseconds = 200
        /// Align the far end with `EchoDelayEstimator`. Off: plain MDF (as speexdsp alone).
        public var delayEstimation = true
        /// Longest bulk delay searched and compensated.
        public var maxDelayMilliseconds = 500
        /// How much of the estimated delay is left for the filter, so the direct path is not cut.
        public var alignmentMarginMilliseconds = 20
        /// Delay moves smaller than this are left to the adaptive filter.
        public var realignThresholdMilliseconds = 12
        /// Audio kept for catch-up replays (0 turns catch-up off; at most 2000).
        public var historyMilliseconds = 800
        /// Watch the filter's ERLE and search the delay again when it collapses.
        public var pathChangeDetection = true
        /// speexdsp residual-echo suppression (linked to the MDF state).
        public var residualEchoSuppression = true
        /// Residual echo attenuation when the near end is silent / active (negative dB).
        public var echoSuppressDB = -40
        public var echoSuppressActiveDB = -15
        /// Noise suppression and its maximum attenuation (negative dB).
        public var noiseSuppression = false
        public var noiseSuppressDB = -15
        /// Automatic gain control towards `agcLevel` (speexdsp's target, in sample units RMS).
        public var automaticGainControl = false
        public var agcLevel: Float = 8000
        /// speexdsp's voice activity decision, reported per frame.
        public var voiceActivityDetection = false

        public init() {}
    }

    /// What one `process` call measured (mean squares in sample units²).
    public struct FrameReport: Sendable, Hashable {
        public var farPower: Double
        public var nearPower: Double
        /// After the adaptive filter, before the preprocessor.
        public var filterOutputPower: Double
        /// The final output.
        public var outputPower: Double
        /// speexdsp's VAD decision (false when VAD is off).
        public var voiceActive: Bool
        /// Whether the divergence guard replaced this frame by the near end.
        public var guardTripped: Bool
    }

    public let sampleRate: SampleRate
    public let frameSamples: Int
    public let configuration: Configuration

    private var echo: OpaquePointer
    private var preprocessor: OpaquePointer
    private var estimator: EchoDelayEstimator
    /// Far-end ring: the bulk delay plus the replayable history plus the current frame.
    private let delayLine: UnsafeMutableBufferPointer<Int16>
    /// Near-end ring: the replayable history plus the current frame.
    private let nearHistory: UnsafeMutableBufferPointer<Int16>
    private let alignedFar: UnsafeMutableBufferPointer<Int16>
    private let filtered: UnsafeMutableBufferPointer<Int16>
    private let replayOutput: UnsafeMutableBufferPointer<Int16>
    /// Samples processed since `init`/`reset()` (the absolute position of the next frame).
    private var position = 0
    private var guardRun = 0
    private let marginSamples: Int
    private let realignSamples: Int
    private var pathMonitor: EchoPathChangeDetector
    /// Samples since the echo path was found changed (bounded), while catching up.
    private var sinceChange = 0

    /// Frames of history a replay can use.
    public let historyFrames: Int

    /// Whether the speexdsp preprocessor runs (residual-echo suppression, NS, AGC or VAD on).
    public let usesPreprocessor: Bool

    /// Delay from `near` to `output`, in samples: the preprocessor's overlap-add adds one frame.
    /// A file tool drops this many leading samples to keep OUT aligned with NEAR.
    public var latencySamples: Int { usesPreprocessor ? frameSamples : 0 }

    /// The far-end delay currently applied before the filter, in samples.
    public private(set) var appliedDelaySamples = 0
    /// How many times the filter restarted because the delay moved or it diverged.
    public private(set) var filterRestarts = 0
    /// How many catch-up replays ran (each replays history through a restarted filter).
    public private(set) var replays = 0
    /// How many echo-path changes the ERLE monitor reported (each starts a delay reacquisition).
    public private(set) var pathChanges = 0
    /// Whether a reported path change is still waiting for the delay search to confirm a delay.
    public var isCatchingUp: Bool { sinceChange > 0 }

    public init(sampleRate: SampleRate, frameDuration: FrameDuration = .ms20, configuration: Configuration = Configuration()) throws(EchoCancellerError) {
        guard [8_000, 16_000, 32_000, 48_000].contains(sampleRate.hertz) else {
            throw .unsupportedSampleRate(sampleRate.hertz)
        }
        guard frameDuration == .ms10 || frameDuration == .ms20 else {
            throw .unsupportedFrameDuration(frameDuration.milliseconds)
        }
        guard (10...2000).contains(configuration.tailMilliseconds) else {
            throw .tailOutOfRange(milliseconds: configuration.tailMilliseconds)
        }
        guard (0...1000).contains(configuration.maxDelayMilliseconds) else {
            throw .maxDelayOutOfRange(milliseconds: configuration.maxDelayMilliseconds)
        }
        guard (0...2000).contains(configuration.historyMilliseconds) else {
            throw .historyOutOfRange(milliseconds: configuration.historyMilliseconds)
        }
        self.sampleRate = sampleRate
        self.configuration = configuration
        usesPreprocessor = configuration.residualEchoSuppression || configuration.noiseSuppression
            || configuration.automaticGainControl || configuration.voiceActivityDetection
        let frame = frameDuration.samples(at: sampleRate)
        frameSamples = frame
        let tail = configuration.tailMilliseconds * sampleRate.hertz / 1000
        guard let e = speex_echo_state_init(Int32(frame), Int32(tail)) else { throw .speexInitializationFailed }
        guard let p = speex_preprocess_state_init(Int32(frame), Int32(sampleRate.hertz)) else {
            speex_echo_state_destroy(e)
            throw .speexInitializationFailed
        }
        echo = e
        preprocessor = p
        estimator = EchoDelayEstimator(sampleRate: sampleRate, maxDelayMilliseconds: max(10, configuration.maxDelayMilliseconds))
        marginSamples = configuration.alignmentMarginMilliseconds * sampleRate.hertz / 1000
        realignSamples = max(1, configuration.realignThresholdMilliseconds * sampleRate.hertz / 1000)
        historyFrames = configuration.historyMilliseconds * sampleRate.hertz / 1000 / frame
        delayLine = .allocate(capacity: estimator.maxDelaySamples + (historyFrames + 2) * frame)
        delayLine.initialize(repeating: 0)
        nearHistory = .allocate(capacity: (historyFrames + 1) * frame)
        nearHistory.initialize(repeating: 0)
        pathMonitor = EchoPathChangeDetector(windowSamples: sampleRate.hertz / 5)
        alignedFar = .allocate(capacity: frame)
        alignedFar.initialize(repeating: 0)
        filtered = .allocate(capacity: frame)
        filtered.initialize(repeating: 0)
        replayOutput = .allocate(capacity: frame)
        replayOutput.initialize(repeating: 0)
        configureSpeex()
    }

    deinit {
        speex_preprocess_state_destroy(preprocessor)
        speex_echo_state_destroy(echo)
        delayLine.deallocate()
        nearHistory.deallocate()
        alignedFar.deallocate()
        filtered.deallocate()
        replayOutput.deallocate()
    }

    private func configureSpeex() {
        var rate = Int32(sampleRate.hertz)
        speex_echo_ctl(echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate)
        let c = configuration
        if c.residualEchoSuppression {
            speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_ECHO_STATE, UnsafeMutableRawPointer(echo))
            var suppress = Int32(c.echoSuppressDB)
            var active = Int32(c.echoSuppressActiveDB)
            speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &suppress)
            speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &active)
        }
        // speexdsp applies its spectral gains (residual echo included) only with denoise on; with
        // noise suppression off we keep denoise on but allow 0 dB of noise attenuation.
        var denoise: Int32 = (c.noiseSuppression || c.residualEchoSuppression) ? 1 : 0
        speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_DENOISE, &denoise)
        var noise = Int32(c.noiseSuppression ? c.noiseSuppressDB : 0)
        speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &noise)
        var agc: Int32 = c.automaticGainControl ? 1 : 0
        speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_AGC, &agc)
        if c.automaticGainControl {
            var level = c.agcLevel
            speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level)
        }
        // Only when asked: speexdsp prints a warning to stderr on every SET_VAD.
        if c.voiceActivityDetection {
            var vad: Int32 = 1
            speex_preprocess_ctl(preprocessor, SPEEX_PREPROCESS_SET_VAD, &vad)
        }
    }

    /// The delay estimator's current estimate in milliseconds (nil before the first one).
    public var estimatedDelayMilliseconds: Double? { estimator.delayMilliseconds }

    /// The delay estimator's state, for reports.
    public var delayEstimator: EchoDelayEstimator { estimator }

    /// Cancels echo from one frame. `far`, `near` and `output` hold `frameSamples` samples each;
    /// `output` may not alias the inputs. Allocation-free (a catch-up replay, when the alignment
    /// moves, runs up to `historyFrames` extra filter frames inside this call).
    @discardableResult
    public func process(far: UnsafeBufferPointer<Int16>, near: UnsafeBufferPointer<Int16>, output: UnsafeMutableBufferPointer<Int16>) -> FrameReport {
        let n = frameSamples
        precondition(far.count == n && near.count == n && output.count == n, "frames hold frameSamples samples")

        // History rings: the far frame is read back `appliedDelaySamples` later.
        let capacity = delayLine.count
        let nearCapacity = nearHistory.count
        let farStart = position % capacity
        let nearStart = position % nearCapacity
        for i in 0..<n {
            delayLine[(farStart + i) % capacity] = far[i]
            nearHistory[(nearStart + i) % nearCapacity] = near[i]
        }
        if configuration.delayEstimation {
            if isCatchingUp { sinceChange = min(sinceChange + n, historyFrames * n + 1) }
            let searching = estimator.isReacquiring
            if estimator.process(far: far, near: near), let delay = estimator.delaySamples {
                let target = max(0, min(estimator.maxDelaySamples, delay - marginSamples))
                if abs(target - appliedDelaySamples) >= realignSamples {
                    // After a path change only the audio since the change describes the new path.
                    let recent = isCatchingUp ? sinceChange / n : historyFrames
                    let frames = min(recent, historyFrames, position / n)
                    moveAlignment(to: target, replaying: frames, endingAt: position)
                }
                if searching && !estimator.isReacquiring { sinceChange = 0 }
            }
        }
        let start = (position - appliedDelaySamples + capacity) % capacity
        for i in 0..<n { alignedFar[i] = delayLine[(start + i) % capacity] }
        position += n

        speex_echo_cancellation(echo, near.baseAddress, alignedFar.baseAddress, filtered.baseAddress)

        let farPower = EchoCanceller.meanSquare(UnsafeBufferPointer(alignedFar))
        let nearPower = EchoCanceller.meanSquare(near)
        let filterPower = EchoCanceller.meanSquare(UnsafeBufferPointer(filtered))
        var tripped = false
        // Quiet frames (below about −60 dBov) never trip the guard: there a small excess is
        // harmless and common while the filter adapts.
        if filterPower > 2 * nearPower + 1000 {
            tripped = true
            for i in 0..<n { filtered[i] = near[i] }
            guardRun += 1
            if guardRun * n >= sampleRate.hertz / 2 {
                restartFilter()
                guardRun = 0
            }
        } else {
            guardRun = 0
        }
        if configuration.delayEstimation && configuration.pathChangeDetection,
            let since = pathMonitor.observe(farActive: farPower > EchoCanceller.activeFarPower, nearPower: nearPower, filteredPower: filterPower, samples: n)
        {
            pathChanges += 1
            sinceChange = max(1, min(since, historyFrames * n + 1))
            estimator.reacquire(keepingRecentSamples: since)
        }
        for i in 0..<n { output[i] = filtered[i] }
        let vad = usesPreprocessor ? speex_preprocess_run(preprocessor, output.baseAddress) : 0
        let outputPower = EchoCanceller.meanSquare(UnsafeBufferPointer(output))
        return FrameReport(
            farPower: farPower, nearPower: nearPower, filterOutputPower: filterPower, outputPower: outputPower,
            voiceActive: configuration.voiceActivityDetection && vad != 0, guardTripped: tripped)
    }

    /// Times the history is run through a restarted filter: speexdsp's MDF adapts cautiously
    /// until it has seen enough far-end energy, and one pass of 0.8 s leaves long (400 ms) rooms
    /// at 48 kHz half adapted; a second pass over the same audio finishes the job.
    static let replayPasses = 2

    /// Far-end mean square (−50 dBov RMS) above which a frame counts as far-end active.
    static let activeFarPower = 34.0 * 34.0

    /// Moves the far-end alignment to `delaySamples`, restarts the filter and replays the last
    /// `frames` frames of history through it at the new alignment, so it has adapted to the
    /// current echo path before the next frame. For callers that know the delay (a device
    /// reporting its latency); the canceller does this itself when its estimator moves.
    /// Not real-time bounded: up to `historyFrames` filter frames run inside the call.
    /// - Throws: `.replayOutOfRange` if `frames` exceeds the history held (`historyFrames`,
    ///   and no more than has been processed), `.alignmentOutOfRange` if `delaySamples` is
    ///   outside 0...`delayEstimator.maxDelaySamples`.
    public func realign(delaySamples: Int, replayingFrames frames: Int) throws(EchoCancellerError) {
        guard (0...estimator.maxDelaySamples).contains(delaySamples) else {
            throw .alignmentOutOfRange(samples: delaySamples, maximum: estimator.maxDelaySamples)
        }
        let available = min(historyFrames, position / frameSamples)
        guard (0...available).contains(frames) else {
            throw .replayOutOfRange(requestedFrames: frames, availableFrames: available)
        }
        moveAlignment(to: delaySamples, replaying: frames, endingAt: position)
    }

    /// Restarts the filter at a new alignment and replays `frames` frames of history that end at
    /// absolute sample `end` (exclusive). The caller has checked that the rings hold them.
    private func moveAlignment(to delay: Int, replaying frames: Int, endingAt end: Int) {
        appliedDelaySamples = delay
        restartFilter()
        guard frames > 0 else { return }
        let n = frameSamples
        let capacity = delayLine.count
        let nearCapacity = nearHistory.count
        // `alignedFar` and `filtered` are free here (the current frame fills them afterwards);
        // the filter's output for replayed frames goes to `replayOutput` and is dropped.
        let nearFrame = filtered
        for _ in 0..<EchoCanceller.replayPasses {
            for k in stride(from: frames, to: 0, by: -1) {
                let at = end - k * n
                let farStart = (at - delay + capacity) % capacity
                let nearStart = at % nearCapacity
                for i in 0..<n {
                    alignedFar[i] = delayLine[(farStart + i) % capacity]
                    nearFrame[i] = nearHistory[(nearStart + i) % nearCapacity]
                }
                speex_echo_cancellation(echo, nearFrame.baseAddress, alignedFar.baseAddress, replayOutput.baseAddress)
            }
        }
        replays += 1
    }

    private func restartFilter() {
        speex_echo_state_reset(echo)
        filterRestarts += 1
        pathMonitor.restart()
    }

    /// Forgets the echo path, the delay estimate and the preprocessor's history, as for a new call:
    /// afterwards the canceller behaves exactly as a new one. Not for the frame path (it
    /// reallocates the speexdsp states: `speex_echo_state_reset` alone keeps some history).
    /// If speexdsp cannot allocate, the old states are reset in place instead.
    public func reset() {
        let tail = configuration.tailMilliseconds * sampleRate.hertz / 1000
        if let e = speex_echo_state_init(Int32(frameSamples), Int32(tail)),
            let p = speex_preprocess_state_init(Int32(frameSamples), Int32(sampleRate.hertz))
        {
            speex_preprocess_state_destroy(preprocessor)
            speex_echo_state_destroy(echo)
            echo = e
            preprocessor = p
            configureSpeex()
        } else {
            speex_echo_state_reset(echo)
        }
        estimator.reset()
        delayLine.update(repeating: 0)
        nearHistory.update(repeating: 0)
        position = 0
        guardRun = 0
        appliedDelaySamples = 0
        filterRestarts = 0
        replays = 0
        pathChanges = 0
        sinceChange = 0
        pathMonitor.restart()
    }

    @inline(__always)
    static func meanSquare(_ x: UnsafeBufferPointer<Int16>) -> Double {
        var sum: Int64 = 0
        for v in x { sum &+= Int64(Int32(v) &* Int32(v)) }
        return x.isEmpty ? 0 : Double(sum) / Double(x.count)
    }
}
