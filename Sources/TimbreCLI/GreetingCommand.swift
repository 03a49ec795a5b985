import ArgumentParser
import Foundation
import TimbreGreetings

/// `timbre greeting`: validate and convert voicemail greetings for a PBX profile.
struct GreetingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeting",
        abstract: "Validate and convert voicemail greetings against PBX profiles (yeastar, 3cx).",
        subcommands: [GreetingValidateCommand.self, GreetingConvertCommand.self]
    )

    static func profile(_ name: String) throws -> GreetingProfile {
        guard let p = GreetingProfile.named(name) else {
            throw CLIError("unknown profile \"\(name)\" (known: \(GreetingProfile.builtIn.map(\.name).joined(separator: ", ")))")
        }
        return p
    }
}

/// `timbre greeting validate [--profile NAME] [--json] FILE...`
struct GreetingValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check greeting files against a profile (exit 0 all valid, 1 any invalid, 2 usage/IO error)."
    )

    @Option(help: "Profile: yeastar (default) or 3cx.") var profile = "yeastar"
    @Flag(help: "Print a JSON array of reports.") var json = false
    @Argument(help: "Greeting files.") var files: [String]

    func run() throws {
        let validator = GreetingValidator(profile: try GreetingCommand.profile(profile))
        var reports: [GreetingReport] = []
        var ioError = false
        var stderr = StandardError()
        for f in files {
            do {
                let r = try validator.validate(path: f)
                reports.append(r)
                if !json { print(Self.describe(r)) }
            } catch {
                ioError = true
                print("timbre: \(error)", to: &stderr)
            }
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(reports), as: UTF8.self))
        }
        if ioError { throw ExitCode(2) }
        if reports.contains(where: { !$0.valid }) { throw ExitCode(1) }
    }

    static func describe(_ r: GreetingReport) -> String {
        let f = r.format
        var parts = [f.container.rawValue, f.encoding.rawValue]
        if let s = f.sampleRate { parts.append("\(s) Hz") }
        if let c = f.channels { parts.append(c == 1 ? "mono" : "\(c) ch") }
        if let d = f.durationSeconds { parts.append(String(format: "%.2f s", d)) }
        var lines = ["\(r.file): \(r.valid ? "valid" : "INVALID") for \(r.profile) (\(parts.joined(separator: ", ")), \(f.sizeBytes) bytes)"]
        lines += r.problems.map { "  problem \($0.code.rawValue): \($0.message)" }
        lines += r.warnings.map { "  warning \($0.code.rawValue): \($0.message)" }
        return lines.joined(separator: "\n")
    }
}

/// `timbre greeting convert [...] IN OUT` and `--batch INDIR OUTDIR`.
struct GreetingConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert any audio file to a greeting the profile accepts (validated before success).",
        discussion: """
            Default output: the profile's first format (PCM 16-bit 8 kHz mono WAV for yeastar and 3cx).
            With --batch, IN and OUT are directories; every file in IN is converted on all cores.
            Exit 0 success, 1 an output failed validation or a batch file failed, 2 usage/IO error.
            """
    )

    enum Encoding: String, ExpressibleByArgument, CaseIterable {
        case pcm16, alaw, ulaw, gsm
        var greeting: GreetingEncoding {
            switch self {
            case .pcm16: .pcm16
            case .alaw: .alaw
            case .ulaw: .ulaw
            case .gsm: .gsm610
            }
        }
    }

    @Option(help: "Profile: yeastar (default) or 3cx.") var profile = "yeastar"
    @Option(help: "pcm16, alaw, ulaw or gsm (default: the profile's first format).") var encoding: Encoding?
    @Flag(help: "Normalise to an ITU-T P.56 active speech level (see --level).") var normalize = false
    @Option(help: "Target active speech level in dBov for --normalize.") var level: Double = -26
    @Flag(help: "Trim leading and trailing silence.") var trim = false
    @Flag(help: "IN and OUT are directories.") var batch = false
    @Argument(help: "Input file (or directory with --batch).") var input: String
    @Argument(help: "Output file (or directory with --batch).") var output: String

    func validate() throws {
        guard (-60.0...0.0).contains(level) else { throw CLIError("--level must be between -60 and 0 dBov") }
    }

    func run() throws {
        let options = GreetingConverter.Options(
            profile: try GreetingCommand.profile(profile), encoding: encoding?.greeting,
            normalizeTo: normalize ? level : nil, trimSilence: trim)
        let converter = GreetingConverter(options: options)
        if batch { return try runBatch(converter) }
        do {
            let r = try converter.convert(input: input, output: output)
            print(String(format: "%@: %@ %d Hz, %.2f s, active level %.1f dBov%@%@", output, r.report.format.encoding.rawValue,
                r.report.format.sampleRate ?? 0, r.report.format.durationSeconds ?? 0, r.activeLevelDB,
                normalize ? String(format: ", gain %+.1f dB", r.gainDB) : "", trim ? String(format: ", trimmed %.2f s", r.trimmedSeconds) : ""))
        } catch {
            if case .outputInvalid = error {
                CLIEntryPoint.printError(error.description)
                throw ExitCode(1)
            }
            throw CLIError(error.description)
        }
    }

    private func runBatch(_ converter: GreetingConverter) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("\(input) is not a directory")
        }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create \(output): \(error.localizedDescription)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let files = names.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: input + "/" + $0, isDirectory: &d) && !d.boolValue }
        let ext = (encoding?.greeting ?? converter.options.profile.formats.first?.encoding) == .gsm610 ? "gsm" : "wav"
        let progress = BatchProgress(total: files.count, enabled: isatty(2) == 1)
        let failures = BatchFailures()
        let inDir = input, outDir = output
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let name = files[i]
            let out = outDir + "/" + (name as NSString).deletingPathExtension + "." + ext
            do {
                _ = try converter.convert(input: inDir + "/" + name, output: out)
            } catch {
                failures.add("\(name): \(error)")
            }
            progress.step()
        }
        progress.finish()
        let failed = failures.all
        for f in failed { CLIEntryPoint.printError(f) }
        print("converted \(files.count - failed.count) of \(files.count) files into \(output)")
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// A progress bar on stderr, drawn only on a terminal.
final class BatchProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let total: Int
    let enabled: Bool

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func step() {
        lock.lock(); defer { lock.unlock() }
        done += 1
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = done * width / total
        var err = StandardError()
        print("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)", terminator: "", to: &err)
    }

    func finish() {
        guard enabled, total > 0 else { return }
        var err = StandardError()
        print("", to: &err)
    }
}

final class BatchFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return list.sorted() }
}
