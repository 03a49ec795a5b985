import ArgumentParser
import Foundation
import TimbreAudioFile

#if canImport(Glibc)
import Glibc
#endif

/// `timbre load bencode --encode|--decode` (hidden): the NG protocol's bencode codec on stdin
/// and stdout, so the tests (which run the built `timbre`) can check it: `--decode` prints a
/// bencoded value as JSON (byte strings as UTF-8 text, dictionary order kept), `--encode` reads
/// JSON and writes bencode (keys sorted). Malformed input exits 2 with one line.
struct LoadBencodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bencode", abstract: "Encode JSON to bencode or decode bencode to JSON (for tests).", shouldDisplay: false)

    @Flag(help: "Read bencode, print JSON.")
    var decode = false
    @Flag(help: "Read JSON, write bencode.")
    var encode = false

    func run() throws {
        guard decode != encode else { throw CLIError("give exactly one of --encode or --decode") }
        let input = Array(FileHandle.standardInput.readDataToEndOfFile())
        if decode {
            let value: LoadBencode
            do { value = try LoadBencode(decoding: input) } catch { throw CLIError(error.description) }
            print(Self.json(value).text)
        } else {
            guard let object = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed]) else {
                throw CLIError("input is not JSON")
            }
            let bytes = try Self.bencode(object)
            FileHandle.standardOutput.write(Data(bytes.encoded))
        }
    }

    static func json(_ v: LoadBencode) -> JSONOutput {
        switch v {
        case .integer(let i): .int(i)
        case .bytes(let b): .string(String(decoding: b, as: UTF8.self))
        case .list(let items): .array(items.map(json))
        case .dictionary(let pairs): .object(pairs.map { (String(decoding: $0.key, as: UTF8.self), json($0.value)) })
        }
    }

    static func bencode(_ object: Any) throws -> LoadBencode {
        switch object {
        case let s as String: return .string(s)
        case let n as NSNumber:
            // Foundation on Linux hands JSON numbers and booleans over as NSNumber; its type
            // code tells them apart ("c"/"B" booleans, "d"/"f" floating point).
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { throw CLIError("bencode has no booleans") }
            if type == "d" || type == "f" {
                let d = n.doubleValue
                guard d == d.rounded(), abs(d) < 9e18 else { throw CLIError("bencode has only integers, not \(d)") }
                return .integer(Int(d))
            }
            return .integer(n.intValue)
        case let a as [Any]: return .list(try a.map(bencode))
        case let d as [String: Any]: return .dictionary(try d.map { (Array($0.key.utf8), try bencode($0.value)) })
        default: throw CLIError("bencode cannot carry null")
        }
    }
}

/// `timbre load markers` (hidden): runs the latency-marker detector over a WAV file (or over
/// SampleAudio's speech at −26 dBFS, `--sample-speech`), optionally through a codec first, frame by
/// frame as the load receiver does, and prints the onset sample indices, one per line.
struct LoadMarkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "markers", abstract: "Find latency-marker onsets in a WAV file (for tests).", shouldDisplay: false)

    @Option(help: "Encode and decode through this codec first: \(LoadCodec.names) (the file must be at its rate).")
    var codec: String?
    @Flag(name: .customLong("sample-speech"), help: "Scan the load tool's speech (SampleAudio at −26 dBFS) instead of a file.")
    var sampleSpeech = false
    @Option(help: "Rate of the --sample-speech signal (8000, 16000, 48000).")
    var rate: Int = 8000
    @Argument(help: "Mono WAV at 8, 16 or 48 kHz.")
    var file: String?

    func run() throws {
        let codec = try self.codec.map { try LoadCodec(parsing: $0, option: "--codec") }
        var samples: [Int16]
        var sampleRate: Int
        if sampleSpeech {
            guard [8000, 16000, 48000].contains(rate) else { throw CLIError("--rate must be 8000, 16000 or 48000") }
            sampleRate = codec?.sampleRate ?? rate
            samples = LoadStreamPlan.speech(rate: sampleRate)
        } else {
            guard let file else { throw CLIError("give a WAV file or --sample-speech") }
            do { (samples, sampleRate) = try AudioFileReader.readMono(path: file) } catch { throw CLIError("\(file): \(error)") }
        }
        guard [8000, 16000, 48000].contains(sampleRate) else { throw CLIError("rate \(sampleRate) Hz: need 8000, 16000 or 48000") }
        if let codec {
            guard codec.sampleRate == sampleRate else { throw CLIError("\(codec.rawValue) needs \(codec.sampleRate) Hz, the input is \(sampleRate) Hz") }
            samples = try Self.roundTrip(samples, codec: codec)
        }
        let frame = sampleRate / 50
        var detector = LoadMarkerDetector(rate: sampleRate)
        var onsets: [Int] = []
        let frames = samples.count / frame
        samples += [Int16](repeating: 0, count: frame)
        samples.withUnsafeBufferPointer { all in
            for f in 0...frames {
                let time = Int64(f) * 20_000_000
                if let t = detector.process(UnsafeBufferPointer(rebasing: all[(f * frame)..<((f + 1) * frame)]), time: time) {
                    onsets.append(Int((t * Int64(sampleRate) + 500_000_000) / 1_000_000_000))
                }
            }
        }
        for o in onsets { print(o) }
    }

    /// `samples` encoded and decoded frame by frame with Timbre's codec (trailing partial frame dropped).
    static func roundTrip(_ samples: [Int16], codec: LoadCodec) throws -> [Int16] {
        let entry = codec.registryEntry
        var encoder = try entry.makeEncoder(.init(frameDuration: .ms20))
        var decoder = try entry.makeDecoder()
        let n = codec.frameSamples
        var payload = [UInt8](repeating: 0, count: max(encoder.maximumPayloadSize, 1500))
        var pcm = [Int16](repeating: 0, count: max(decoder.maximumFrameSamples, n))
        var out: [Int16] = []
        for f in 0..<(samples.count / n) {
            let bytes = try samples.withUnsafeBufferPointer { s in
                try payload.withUnsafeMutableBytes { try encoder.encode(UnsafeBufferPointer(rebasing: s[(f * n)..<((f + 1) * n)]), into: $0) }
            }
            let got = try payload.withUnsafeBytes { p in
                try pcm.withUnsafeMutableBufferPointer { try decoder.decode(UnsafeRawBufferPointer(rebasing: p[0..<bytes]), into: $0) }
            }
            out += pcm[0..<got]
        }
        return out
    }
}
