import ArgumentParser
import Foundation
import TimbreAudioFile
import TimbreCodecs
import TimbreCore
import TimbreDSP
import TimbreJitter
import TimbreOpus
import TimbreRTP

/// `timbre netsim`: replay a network trace through the jitter buffer, or generate traces.
struct NetsimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netsim",
        abstract: "Simulate a network trace through encoder, RTP, jitter buffer and decoder.",
        discussion: """
            Examples:
              timbre netsim generate --model wifi --seconds 60 --seed 1 wifi.csv
              timbre netsim --trace wifi.csv --codec g722 --in speech.wav --out out.wav --stats stats.json
            """,
        subcommands: [NetsimRunCommand.self, NetsimGenerateCommand.self],
        defaultSubcommand: NetsimRunCommand.self
    )
}

/// `timbre netsim generate --model M --seconds N --seed S OUT.csv`.
struct NetsimGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write a trace CSV from a network model.")

    @Option(help: "Network model: \(NetworkModel.allCases.map(\.rawValue).joined(separator: "|")).")
    var model: String
    @Option(help: "Length in seconds (1...86400).")
    var seconds: Int
    @Option(help: "Random seed.")
    var seed: UInt64 = 1
    @Argument(help: "Output CSV path.")
    var output: String

    func run() throws {
        guard let m = NetworkModel(rawValue: model) else {
            throw CLIError("unknown model '\(model)' (expected \(NetworkModel.allCases.map(\.rawValue).joined(separator: "|")))")
        }
        guard (1...86_400).contains(seconds) else { throw CLIError("--seconds must be in 1...86400") }
        let trace = m.trace(seconds: seconds, seed: seed)
        do {
            try trace.csv.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(output): \(error.localizedDescription)")
        }
    }
}

/// `timbre netsim --trace … --codec … --in … --out … --stats …`.
struct NetsimRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Replay a trace (the default subcommand).")

    @Option(help: "Trace CSV (seq,send_ms,arrival_ms).")
    var trace: String
    @Option(help: "Codec: pcmu|pcma|g722|opus.")
    var codec: String
    @Option(name: .customLong("in"), help: "Input audio file (any rate; resampled to the codec's).")
    var input: String
    @Option(name: .customLong("out"), help: "Output WAV, at the codec's rate, from the first played sample.")
    var output: String
    @Option(help: "Statistics JSON path.")
    var stats: String
    @Option(name: .customLong("jitter-buffer"), help: "adaptive | fixed:MS | speexdsp (peer comparison).")
    var jitterBuffer: String = "adaptive"
    @Option(name: .customLong("clock-drift-ppm"), help: "Receiver playout clock error in ppm (−10000…10000).")
    var clockDriftPPM: Double = 0

    func run() throws {
        guard clockDriftPPM.isFinite, abs(clockDriftPPM) <= 10_000 else {
            throw CLIError("--clock-drift-ppm must be within ±10000")
        }
        let kind = try NetsimBufferKind(parsing: jitterBuffer)
        let traceText: String
        do {
            traceText = try String(contentsOfFile: trace, encoding: .utf8)
        } catch {
            throw CLIError("cannot read trace \(trace): \(error.localizedDescription)")
        }
        let parsedTrace: NetworkTrace
        do {
            parsedTrace = try NetworkTrace(csv: traceText)
        } catch {
            throw CLIError(error.description)
        }
        var registry = CodecRegistry.builtIn
        registry.register(OpusCodec.registryEntry())
        guard let entry = registry.entry(id: codec), ["pcmu", "pcma", "g722", "opus"].contains(entry.descriptor.id) else {
            throw CLIError("unknown codec '\(codec)' (expected pcmu|pcma|g722|opus)")
        }
        let audio: (samples: [Int16], sampleRate: Int)
        do {
            audio = try AudioFileReader.readMono(path: input)
        } catch {
            throw CLIError("\(error)")
        }
        let session = try NetsimSession(codec: entry, trace: parsedTrace, input: audio, clockDriftPPM: clockDriftPPM)
        let result = try session.run(kind)
        do {
            try AudioFileWriter.write(result.output, to: output, sampleRate: session.descriptor.sampleRate.hertz)
        } catch {
            throw CLIError("\(error)")
        }
        let json = NetsimSession.statisticsJSON(result, session: session, bufferName: kind.name)
        do {
            try json.write(toFile: stats, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(stats): \(error.localizedDescription)")
        }
    }
}

/// Which playout buffer a netsim run uses.
enum NetsimBufferKind {
    case timbre(JitterBufferMode)
    case speexdsp

    init(parsing text: String) throws {
        if text == "adaptive" {
            self = .timbre(.adaptiveDefault)
        } else if text == "speexdsp" {
            self = .speexdsp
        } else if text.hasPrefix("fixed:"), let ms = Int(text.dropFirst(6)), (10...2000).contains(ms) {
            self = .timbre(.fixed(milliseconds: ms))
        } else {
            throw CLIError("--jitter-buffer must be adaptive, fixed:MS (10...2000) or speexdsp, not '\(text)'")
        }
    }

    var name: String {
        switch self {
        case .timbre(.fixed(let ms)): return "fixed:\(ms)"
        case .timbre: return "adaptive"
        case .speexdsp: return "speexdsp"
        }
    }
}
