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
/// is also how many one-way channels of it one core can carry.
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

    func validate() throws {
        guard seconds.isFinite, (0.01...60).contains(seconds) else { throw CLIError("--seconds must be 0.01...60, not \(seconds)") }
        guard (6_000...510_000).contains(bitrate) else { throw CLIError("--bitrate must be 6000...510000, not \(bitrate)") }
        guard (0...10).contains(complexity) else { throw CLIError("--complexity must be 0...10, not \(complexity)") }
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
        for kernel in try BenchKernels.all(bitrate: bitrate, complexity: complexity) {
            sources.insert(kernel.source)
            let rate = try measure(kernel.run, seconds: seconds)
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

    /// Runs `pass` repeatedly for `seconds`, returning samples per second.
    private func measure(_ pass: () throws -> Int, seconds: Double) throws -> Double {
        var samples = try pass()  // warm up caches and branch predictors
        samples = 0
        let start = Self.now()
        var elapsed = 0.0
        repeat {
            samples += try pass()
            elapsed = Self.now() - start
        } while elapsed < seconds
        return Double(samples) / elapsed
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func printHeader(sources: Set<String>) {
        print("timbre bench: one thread, \(seconds) s per kernel, input: \(sources.sorted().first ?? "?")")
        print(pad("kernel", 14) + pad("frame", 9) + pad("rate", 7) + pad("samples/s", 14) + "x real time (channels/core)")
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
