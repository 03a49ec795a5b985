import ArgumentParser
import TimbreAudioFile
import TimbreCore
import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

/// `timbre aec`: cancels the echo of FAR (what the loudspeaker played) in NEAR (what the
/// microphone captured) and writes the cleaned near end.
///
/// OUT has exactly NEAR's length and is time-aligned with it (the preprocessor's one-frame
/// latency is removed). FAR is padded with silence or cut to NEAR's length; both files must be
/// at the same rate (8, 16, 32 or 48 kHz), and are mixed to mono if they are not.
struct AECCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec",
        abstract: "Cancel acoustic echo from a near-end recording, given the far-end signal.",
        discussion: """
            Example: timbre aec --far played.wav --near mic.wav --out clean.wav --tail-ms 200 --json
            --json prints the estimated delay and ERLE (10·log10 of near over output energy in frames
            where the far end is active, so near-end speech lowers it) per second.
            """
    )

    /// Longest input accepted, in seconds (inputs are held whole).
    static let maximumSeconds = 4 * 3600

    @Option(help: "Far-end (loudspeaker) audio file.") var far: String
    @Option(help: "Near-end (microphone) audio file.") var near: String
    @Option(help: "Output WAV file (16-bit mono, NEAR's length and rate).") var out: String
    @Option(name: .customLong("tail-ms"), help: "Echo tail the adaptive filter covers, 10...2000 ms.") var tailMs = 200
    @Option(name: .customLong("max-delay-ms"), help: "Longest bulk delay searched, 0...1000 ms.") var maxDelayMs = 500
    @Option(name: .customLong("frame-ms"), help: "Frame duration: 10 or 20 ms.") var frameMs = 20
    @Flag(help: "Noise suppression.") var ns = false
    @Flag(help: "Automatic gain control.") var agc = false
    @Flag(name: .customLong("no-align"), help: "Disable delay estimation (plain speexdsp MDF).") var noAlign = false
    @Flag(name: .customLong("no-res"), help: "Disable residual-echo suppression.") var noRes = false
    @Flag(help: "Print delay and ERLE over time as JSON.") var json = false

    func run() throws {
        guard let frame = FrameDuration(milliseconds: frameMs), frame == .ms10 || frame == .ms20 else {
            throw CLIError("aec: --frame-ms must be 10 or 20")
        }
        let nearReader: AudioFileReader
        do { nearReader = try AudioFileReader(path: near) } catch { throw CLIError(error.description) }
        let rate = nearReader.sampleRate
        guard [8000, 16000, 32000, 48000].contains(rate) else {
            throw CLIError("aec: \(near): \(rate) Hz; echo cancellation runs at 8000, 16000, 32000 or 48000 Hz")
        }
        guard nearReader.durationSeconds <= Double(AECCommand.maximumSeconds) else {
            throw CLIError("aec: \(near): longer than \(AECCommand.maximumSeconds) s")
        }
        let farReader: AudioFileReader
        do { farReader = try AudioFileReader(path: far) } catch { throw CLIError(error.description) }
        guard farReader.sampleRate == rate else {
            throw CLIError("aec: \(far) is \(farReader.sampleRate) Hz but \(near) is \(rate) Hz; give both at the same rate")
        }
        guard farReader.durationSeconds <= Double(AECCommand.maximumSeconds) else {
            throw CLIError("aec: \(far): longer than \(AECCommand.maximumSeconds) s")
        }
        let nearSamples = try AudioInput.readMono(near, rate: rate).samples
        let farSamples = try AudioInput.readMono(far, rate: rate).samples

        var config = EchoCanceller.Configuration()
        config.tailMilliseconds = tailMs
        config.maxDelayMilliseconds = maxDelayMs
        config.noiseSuppression = ns
        config.automaticGainControl = agc
        config.delayEstimation = !noAlign
        config.residualEchoSuppression = !noRes
        let canceller: EchoCanceller
        do { canceller = try EchoCanceller(sampleRate: SampleRate(hertz: rate), frameDuration: frame, configuration: config) } catch {
            throw CLIError("aec: \(error)")
        }

        let result = AECCommand.process(canceller: canceller, far: farSamples, near: nearSamples)
        try AudioInput.writeWAV(result.output, to: out, rate: rate)
        if json {
            print(result.report(canceller: canceller, rate: rate).text)
        }
    }

    struct Second {
        var nearEnergy = 0.0
        var outEnergy = 0.0
        var activeFrames = 0
        var delayMs: Double?
    }

    struct Result {
        var output: [Int16]
        var seconds: [Second]
        var cpuSeconds: Double

        func report(canceller: EchoCanceller, rate: Int) -> JSONOutput {
            var totalNear = 0.0, totalOut = 0.0
            var timeline: [JSONOutput] = []
            for (i, s) in seconds.enumerated() {
                totalNear += s.nearEnergy
                totalOut += s.outEnergy
                let erle: JSONOutput = s.activeFrames > 0 && s.outEnergy > 0 ? .double(round1(10 * log10(s.nearEnergy / s.outEnergy))) : .null
                timeline.append(.object([
                    ("second", .int(i)),
                    ("delayMs", s.delayMs.map { .double(round1($0)) } ?? .null),
                    ("erleDb", erle),
                ]))
            }
            let mean: JSONOutput = totalOut > 0 ? .double(round1(10 * log10(totalNear / totalOut))) : .null
            return .object([
                ("sampleRate", .int(rate)),
                ("frameSamples", .int(canceller.frameSamples)),
                ("tailMs", .int(canceller.configuration.tailMilliseconds)),
                ("delayEstimation", .bool(canceller.configuration.delayEstimation)),
                ("estimatedDelayMs", canceller.estimatedDelayMilliseconds.map { .double(round1($0)) } ?? .null),
                ("appliedDelayMs", .double(round1(Double(canceller.appliedDelaySamples) * 1000 / Double(rate)))),
                ("filterRestarts", .int(canceller.filterRestarts)),
                ("replays", .int(canceller.replays)),
                ("pathChanges", .int(canceller.pathChanges)),
                ("reacquisitions", .int(canceller.delayEstimator.reacquisitions)),
                ("catchingUp", .bool(canceller.isCatchingUp)),
                ("erleDb", mean),
                ("processingCpuSeconds", .double((cpuSeconds * 1e6).rounded() / 1e6)),
                ("timeline", .array(timeline)),
            ])
        }

        func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
    }

    /// Runs the canceller over whole signals; OUT is NEAR's length, latency removed.
    static func process(canceller: EchoCanceller, far: [Int16], near: [Int16]) -> Result {
        let n = canceller.frameSamples
        let rate = canceller.sampleRate.hertz
        let latency = canceller.latencySamples
        // Frames needed to cover NEAR plus the preprocessor latency.
        let frames = (near.count + latency + n - 1) / n
        var farFrame = [Int16](repeating: 0, count: n)
        var nearFrame = [Int16](repeating: 0, count: n)
        var outFrame = [Int16](repeating: 0, count: n)
        var output = [Int16](repeating: 0, count: frames * n)
        var seconds: [Second] = Array(repeating: Second(), count: (frames * n + rate - 1) / rate)
        var cpu = 0.0
        for f in 0..<frames {
            let start = f * n
            for i in 0..<n {
                let k = start + i
                farFrame[i] = k < far.count ? far[k] : 0
                nearFrame[i] = k < near.count ? near[k] : 0
            }
            let before = threadCPUSeconds()
            let report = farFrame.withUnsafeBufferPointer { fp in
                nearFrame.withUnsafeBufferPointer { np in
                    outFrame.withUnsafeMutableBufferPointer { op in canceller.process(far: fp, near: np, output: op) }
                }
            }
            cpu += threadCPUSeconds() - before
            for i in 0..<n { output[start + i] = outFrame[i] }
            let second = min(seconds.count - 1, start / rate)
            // Far-end activity: −50 dBov RMS in the aligned far frame.
            if report.farPower > 34 * 34 && start < near.count {
                seconds[second].nearEnergy += report.nearPower
                seconds[second].activeFrames += 1
            }
            seconds[second].delayMs = canceller.estimatedDelayMilliseconds
            // The output matching this frame's near end appears `latency` samples later; ERLE is
            // an energy ratio over a second, so attributing the output frame-late is harmless.
            if report.farPower > 34 * 34 && start < near.count { seconds[second].outEnergy += report.outputPower }
        }
        let aligned = Array(output[latency..<(latency + near.count)])
        return Result(output: aligned, seconds: Array(seconds.prefix((near.count + rate - 1) / rate)), cpuSeconds: cpu)
    }

    /// CPU time of the calling thread in seconds (`CLOCK_THREAD_CPUTIME_ID`).
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
