import ArgumentParser
import TimbreCodecs
import TimbreCore
import TimbreOpus

#if canImport(Glibc)
import Glibc
#endif

/// `timbre bench [--json] [--seconds S]`: in-process throughput of every codec kernel on this
/// machine, like `openssl speed`, so a user can size a box before deploying.
///
/// One thread; speech from `SampleAudio` at each codec's rate; frames of 20 ms (the RTP path)
/// and 1 M-sample buffers (the kernels' peak) for G.711 and G.722, 20 ms frames for Opus.
/// `realtimeFactor` is how many times faster than real time one core runs the kernel, which
/// is also how many one-way channels of it one core can carry. Rates are per second of the
/// thread's CPU time (as `openssl speed` uses user time), so other load on the box does not
/// distort them; `--seconds` is wall time.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure codec kernel throughput on this machine (single thread), like openssl speed.",
        discussion: """
            --json prints {"results": [{"kernel", "frameSamples", "samplesPerSecond", "realtimeFactor", \
            "sampleRate", and "bitrate"/"complexity" for Opus}]}.
            """)

    @Flag(help: "Print results as JSON.")
    var json = false

    @Option(help: "Seconds to run each kernel (0.01...60).")
    var seconds: Double = 0.5

    @Option(help: "Opus bitrate in bit/s for the opus rows.")
    var bitrate: Int = 32_000

    @Option(help: "Opus complexity 0...10 for the opus rows.")
    var complexity: Int = 9

    @Option(help: "Samples per call in the large-buffer rows (1024...16777216).")
    var bufferSamples: Int = 1 << 20

    @Option(help: "Only kernels whose name starts with this (e.g. opus, g722.decode).")
    var kernel: String?

    @Option(help: "Run each kernel exactly N passes over the input instead of for --seconds (for instruction counts under callgrind).")
    var iterations: Int?

    func validate() throws {
        guard seconds.isFinite, (0.01...60).contains(seconds) else { throw CLIError("--seconds must be 0.01...60, not \(seconds)") }
        guard (6_000...510_000).contains(bitrate) else { throw CLIError("--bitrate must be 6000...510000, not \(bitrate)") }
        guard (0...10).contains(complexity) else { throw CLIError("--complexity must be 0...10, not \(complexity)") }
        if let n = iterations, !(1...1_000_000).contains(n) { throw CLIError("--iterations must be 1...1000000, not \(n)") }
        guard (1_024...(1 << 24)).contains(bufferSamples), bufferSamples % 2 == 0 else {
            throw CLIError("--buffer-samples must be an even number in 1024...16777216, not \(bufferSamples)")
        }
    }

    /// One measured kernel.
    struct Result {
        var kernel: String
        var frameSamples: Int
        var sampleRate: Int
        var samplesPerSecond: Double
        var bitrate: Int?
        var complexity: Int?
        var realtimeFactor: Double { samplesPerSecond / Double(sampleRate) }
    }

    func run() throws {
        var sources: Set<String> = []
        var results: [Result] = []
        var kernels = try BenchKernels.all(bitrate: bitrate, complexity: complexity, bufferSamples: bufferSamples)
        if let prefix = kernel {
            kernels = kernels.filter { $0.name.hasPrefix(prefix.lowercased()) }
            guard !kernels.isEmpty else { throw CLIError("no kernel matches '\(prefix)'") }
        }
        for kernel in kernels {
            sources.insert(kernel.source)
            let rate = try measure(kernel.run, seconds: seconds, passes: iterations)
            results.append(Result(
                kernel: kernel.name, frameSamples: kernel.frameSamples, sampleRate: kernel.sampleRate,
                samplesPerSecond: rate, bitrate: kernel.bitrate, complexity: kernel.complexity))
            if !json {
                if results.count == 1 { printHeader(sources: sources) }
                printRow(results.last!)
            }
        }
        if json {
            let rows = results.map { r in
                var fields: [(String, JSONOutput)] = [
                    ("kernel", .string(r.kernel)), ("frameSamples", .int(r.frameSamples)),
                    ("samplesPerSecond", .double(r.samplesPerSecond.rounded())),
                    ("realtimeFactor", .double((r.realtimeFactor * 10).rounded() / 10)),
                    ("sampleRate", .int(r.sampleRate)),
                ]
                if let b = r.bitrate { fields.append(("bitrate", .int(b))) }
                if let c = r.complexity { fields.append(("complexity", .int(c))) }
                return JSONOutput.object(fields)
            }
            print(JSONOutput.object([("results", .array(rows))]).text)
        }
    }

    /// Runs `pass` repeatedly for `seconds` of wall time (or exactly `passes` times), after one
    /// warm-up pass, returning samples per second of this thread's CPU time. Like `openssl
    /// speed`, which counts user time: on a shared, loaded machine wall time would charge the
    /// kernel for time it spent waiting for a core.
    private func measure(_ pass: () throws -> Int, seconds: Double, passes: Int?) throws -> Double {
        var samples = try pass()  // warm up caches and branch predictors
        samples = 0
        let start = Self.now()
        let cpuStart = Self.threadCPUTime()
        var done = 0
        repeat {
            samples += try pass()
            done += 1
        } while passes.map { done < $0 } ?? (Self.now() - start < seconds)
        return Double(samples) / max(Self.threadCPUTime() - cpuStart, 1e-9)
    }

    /// Monotonic wall time in seconds.
    static func now() -> Double { clockSeconds(CLOCK_MONOTONIC) }

    /// CPU time of the calling thread in seconds.
    static func threadCPUTime() -> Double { clockSeconds(CLOCK_THREAD_CPUTIME_ID) }

    private static func clockSeconds(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func printHeader(sources: Set<String>) {
        print("timbre bench: one thread, \(seconds) s per kernel, rates per CPU second, input: \(Self.describe(sources))")
        print(pad("kernel", 14) + pad("frame", 9) + pad("rate", 7) + pad("samples/s", 14) + "x real time (channels/core)")
    }

    /// "…/speech-en-male-{8k,16k,48k}.wav" for the per-rate files of one voice.
    static func describe(_ sources: Set<String>) -> String {
        let stems = Set(sources.map { s -> String in
            var t = s
            for rate in ["-8k.wav", "-16k.wav", "-48k.wav"] where t.hasSuffix(rate) { t.removeLast(rate.count) }
            return t
        })
        guard stems.count == 1, let stem = stems.first, sources.count > 1 else { return sources.sorted().joined(separator: ", ") }
        return stem + "-{8k,16k,48k}.wav"
    }

    private func printRow(_ r: Result) {
        var line = pad(r.kernel, 14) + pad("\(r.frameSamples)", 9) + pad("\(r.sampleRate)", 7)
            + pad(Self.format(r.samplesPerSecond), 14) + Self.format(r.realtimeFactor)
        if let b = r.bitrate, let c = r.complexity { line += "  (\(b / 1000) kbit/s, complexity \(c))" }
        print(line)
    }

    /// A number with three significant figures and a k/M/G suffix.
    static func format(_ v: Double) -> String {
        let (scaled, suffix): (Double, String) =
            v >= 1e9 ? (v / 1e9, "G") : v >= 1e6 ? (v / 1e6, "M") : v >= 1e3 ? (v / 1e3, "k") : (v, "")
        let digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let rounded = (scaled * p).rounded() / p
        var text = digits == 0 ? "\(Int(rounded))" : "\(rounded)"
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) - 1 < digits {
            text += String(repeating: "0", count: digits - (text.distance(from: dot, to: text.endIndex) - 1))
        }
        return text + suffix
    }
}
