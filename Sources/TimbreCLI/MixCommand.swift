import ArgumentParser
import TimbreAudioFile
import TimbreConference
import TimbreCore
import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

/// `timbre mix`: runs WAV files through the conference bridge offline, as if each file were a
/// participant, and writes what everyone hears.
///
/// Outputs (mono 16-bit WAV at the bridge rate, as long as the longest input): `full.wav`
/// (everyone), `minus-i.wav` (what participant i hears: everyone but i) and `speakers.json`
/// (the active-speaker timeline). Inputs are resampled whole and time-aligned first
/// (libsamplerate, delay compensated), and the limiter has no look-ahead, so outputs are
/// sample-aligned with the inputs: below the limiter `full` = Σ inputs and `minus-i` = full − i.
struct MixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "Mix WAV files through the mix-minus conference bridge.",
        discussion: """
            Writes DIR/full.wav, DIR/minus-0.wav … DIR/minus-(N-1).wav and DIR/speakers.json.
            Example: timbre mix --out-dir out --rate 16000 a.wav b.wav c.wav
            """
    )

    /// Inputs at most (each output is an open file while mixing).
    static let maximumInputs = 256
    /// Longest input accepted, in seconds (bounds memory: inputs are held whole).
    static let maximumSeconds = 3600

    @Option(name: .customLong("out-dir"), help: "Directory for the outputs (created if missing).")
    var outDir: String

    @Option(help: "Bridge rate in Hz: 8000, 16000 or 48000.")
    var rate: Int = 16_000

    @Option(name: .customLong("top-k"), help: "Mix only the K loudest talkers (default: 3 in rooms over 10).")
    var topK: Int?

    @Flag(help: "Also print speakers.json on stdout.")
    var json = false

    @Argument(help: "Input audio files, one per participant.")
    var inputs: [String] = []

    func run() throws {
        guard !inputs.isEmpty else { throw CLIError("mix: no input files") }
        guard inputs.count <= MixCommand.maximumInputs else {
            throw CLIError("mix: \(inputs.count) inputs, at most \(MixCommand.maximumInputs)")
        }
        guard let bridgeRate = SampleRate(validating: rate), SampleRate.telephonyRates.contains(bridgeRate) else {
            throw CLIError("mix: bad rate \(rate) (use 8000, 16000 or 48000)")
        }
        if let k = topK, k < 1 { throw CLIError("mix: --top-k must be at least 1") }

        // Read and resample every input to the bridge rate, time-aligned.
        var signals: [[Int16]] = []
        for path in inputs {
            let file: (samples: [Int16], sampleRate: Int)
            do {
                file = try AudioFileReader.readMono(path: path)
            } catch {
                throw CLIError("mix: \(error.description)")
            }
            if file.samples.count > MixCommand.maximumSeconds * file.sampleRate {
                throw CLIError("mix: \(path): longer than \(MixCommand.maximumSeconds) s")
            }
            do {
                signals.append(try Resampler.convert(file.samples, from: file.sampleRate, to: bridgeRate.hertz))
            } catch {
                throw CLIError("mix: \(path): \(error.description)")
            }
        }
        let length = signals.map(\.count).max() ?? 0

        try makeDirectories(outDir)
        let mixed = try MixCommand.mix(signals, rate: bridgeRate, topK: topK, length: length, outDir: outDir)
        let text = speakersJSON(rate: bridgeRate.hertz, events: mixed)
        do {
            try writeText(text + "\n", to: outDir + "/speakers.json")
        }
        if json { print(text) }
    }

    /// Runs the bridge over whole signals, streaming the outputs to WAV files; returns the
    /// speaker events as (seconds, participant, speaking).
    static func mix(
        _ signals: [[Int16]], rate: SampleRate, topK: Int?, length: Int, outDir: String
    ) throws -> [(t: Double, participant: Int, speaking: Bool)] {
        var config = BridgeConfiguration()
        config.sampleRate = rate
        config.maximumParticipants = signals.count
        if let topK { config.topK = .always(k: topK) }
        let bridge = MixMinusBridge(configuration: config)
        var ids: [ParticipantID] = []
        for i in signals.indices {
            do {
                ids.append(try bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: rate))
            } catch {
                throw CLIError("mix: \(error.description)")
            }
        }
        bridge.applyPendingCommands()
        var indexOf: [ParticipantID: Int] = [:]
        for (i, id) in ids.enumerated() { indexOf[id] = i }

        let full: AudioFileWriter
        var minus: [AudioFileWriter] = []
        do {
            full = try AudioFileWriter(path: outDir + "/full.wav", format: .wavPCM16, sampleRate: rate.hertz)
            for i in signals.indices {
                minus.append(
                    try AudioFileWriter(path: outDir + "/minus-\(i).wav", format: .wavPCM16, sampleRate: rate.hertz))
            }
        } catch {
            throw CLIError("mix: \(error.description)")
        }

        let f = bridge.frameSamples
        var frame = [Int16](repeating: 0, count: f)
        var out = [Int16](repeating: 0, count: f)
        var events: [(t: Double, participant: Int, speaking: Bool)] = []
        var position = 0
        do {
            while position < length {
                for (i, signal) in signals.enumerated() {
                    let n = max(0, min(f, signal.count - position))
                    for k in 0..<f { frame[k] = k < n ? signal[position + k] : 0 }
                    frame.withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) }
                }
                bridge.mix()
                let take = min(f, length - position)
                try full.write(UnsafeBufferPointer(rebasing: bridge.fullMixFrame[0..<take]))
                for i in signals.indices {
                    _ = out.withUnsafeMutableBufferPointer { bridge.read(into: $0, for: ids[i]) }
                    try out.withUnsafeBufferPointer { try minus[i].write(UnsafeBufferPointer(rebasing: $0[0..<take])) }
                }
                while let e = bridge.nextEvent() {
                    switch e.kind {
                    case .speakingStarted(let id): events.append((e.seconds(at: rate.hertz), indexOf[id]!, true))
                    case .speakingStopped(let id): events.append((e.seconds(at: rate.hertz), indexOf[id]!, false))
                    default: break
                    }
                }
                position += f
            }
            // Talkers still speaking at the end stop with the last sample.
            let end = Double(length) / Double(rate.hertz)
            var speaking = Set<Int>()
            for e in events { if e.speaking { speaking.insert(e.participant) } else { speaking.remove(e.participant) } }
            for p in speaking.sorted() { events.append((end, p, false)) }
            try full.close()
            for w in minus { try w.close() }
        } catch let error as AudioFileError {
            throw CLIError("mix: \(error.description)")
        }
        // Onsets are stamped at their first loud frame, so restore time order (stable).
        return events.enumerated().sorted { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }.map(\.element)
    }

    func speakersJSON(rate: Int, events: [(t: Double, participant: Int, speaking: Bool)]) -> String {
        let participants = inputs.enumerated().map { "{\"index\": \($0.offset), \"file\": \(jsonString($0.element))}" }
        let evs = events.map { "{\"t\": \(jsonNumber($0.t)), \"participant\": \($0.participant), \"speaking\": \($0.speaking)}" }
        return "{\"rate\": \(rate), \"participants\": [\(participants.joined(separator: ", "))], \"events\": [\(evs.joined(separator: ", "))]}"
    }
}

/// Seconds with up to 6 decimals (sample-exact at 48 kHz is 1/48000 ≈ 0.0000208).
func jsonNumber(_ x: Double) -> String {
    let micro = Int64((x * 1_000_000).rounded())
    let whole = micro / 1_000_000
    var frac = String(micro % 1_000_000)
    while frac.count < 6 { frac = "0" + frac }
    while frac.hasSuffix("0") && frac.count > 1 { frac.removeLast() }
    return "\(whole).\(frac)"
}

/// A JSON string literal with the escapes RFC 8259 requires.
func jsonString(_ s: String) -> String { JSONOutput.quote(s) }

/// `mkdir -p`.
func makeDirectories(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw CLIError("mix: cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }
    var st = stat()
    if stat(path, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
        throw CLIError("mix: \(path) is not a directory")
    }
}

/// Writes a small text file in one go.
func writeText(_ text: String, to path: String) throws {
    guard let fp = fopen(path, "w") else {
        throw CLIError("mix: cannot write \(path): \(String(cString: strerror(errno)))")
    }
    let bytes = Array(text.utf8)
    let n = fwrite(bytes, 1, bytes.count, fp)
    let closed = fclose(fp)
    if n != bytes.count || closed != 0 { throw CLIError("mix: cannot write \(path)") }
}
