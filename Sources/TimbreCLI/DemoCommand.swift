import ArgumentParser
import TimbreCodecs
import TimbreCore
import TimbreOpus

#if canImport(Glibc)
import Glibc
#endif

/// `timbre demo`: encodes and decodes SampleAudio speech with every codec and prints, per
/// codec, the bitrate, the SNR of the round trip and the speed as × real time. `make run`
/// runs this until the media service exists.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Round-trip SampleAudio speech through every codec: SNR and speed per codec.")

    @Flag(help: "Print results as JSON.")
    var json = false

    @Option(help: "Voice: en-male, en-female, fr or zh.")
    var voice: String = "en-female"

    func validate() throws {
        guard ["en-male", "en-female", "fr", "zh"].contains(voice) else {
            throw CLIError("--voice must be en-male, en-female, fr or zh, not \(voice)")
        }
    }

    struct Row {
        var codec: String
        var sampleRate: Int
        var kilobitsPerSecond: Double
        var snr: Double
        var delay: Int
        var realtimeFactor: Double
    }

    func run() throws {
        var rows: [Row] = []
        var source = ""
        for entry in CodecRegistry.standard.entries {
            let rate = entry.descriptor.sampleRate.hertz
            let speech = SampleAudioLocator.speech(voice: voice, rate: rate)
            source = speech.source
            var encoder: any AudioEncoder
            var decoder: any AudioDecoder
            do {
                encoder = try entry.makeEncoder(EncoderOptions(bitrate: entry.descriptor.id == "opus" ? 32_000 : nil))
                decoder = try entry.makeDecoder()
            } catch { throw CLIError("\(entry.descriptor.id): \(error)") }
            let frame = entry.descriptor.samplesPerFrame(.ms20)
            var pcm = speech.samples
            pcm.removeLast(pcm.count % frame)
            var decoded = [Int16](repeating: 0, count: pcm.count)
            var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
            var scratch = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
            var bytes = 0
            let start = BenchCommand.now()
            do {
                try pcm.withUnsafeBufferPointer { input in
                    try payload.withUnsafeMutableBytes { packet in
                        try scratch.withUnsafeMutableBufferPointer { out in
                            for i in stride(from: 0, to: input.count, by: frame) {
                                let n = try encoder.encode(UnsafeBufferPointer(rebasing: input[i..<(i + frame)]), into: packet)
                                bytes += n
                                let m = try decoder.decode(UnsafeRawBufferPointer(rebasing: packet[..<n]), into: out)
                                for j in 0..<min(m, frame) { decoded[i + j] = out[j] }
                            }
                        }
                    }
                }
            } catch { throw CLIError("\(entry.descriptor.id): \(error)") }
            let elapsed = BenchCommand.now() - start
            let (snr, delay) = Self.alignedSNR(reference: pcm, decoded: decoded, maxDelay: rate / 50)
            rows.append(Row(
                codec: entry.descriptor.id, sampleRate: rate,
                kilobitsPerSecond: Double(bytes * 8) / (Double(pcm.count) / Double(rate)) / 1000,
                snr: snr, delay: delay,
                realtimeFactor: Double(pcm.count) / Double(rate) / max(elapsed, 1e-9)))
        }
        if json {
            let items = rows.map { r in
                JSONOutput.object([
                    ("codec", .string(r.codec)), ("sampleRate", .int(r.sampleRate)),
                    ("kilobitsPerSecond", .double((r.kilobitsPerSecond * 10).rounded() / 10)),
                    ("snrDB", .double((r.snr * 10).rounded() / 10)), ("delaySamples", .int(r.delay)),
                    ("realtimeFactor", .double(r.realtimeFactor.rounded())),
                ])
            }
            print(JSONOutput.object([("input", .string(source)), ("results", .array(items))]).text)
            return
        }
        print("timbre demo: \(voice) speech encoded and decoded with every codec (20 ms frames, one thread)")
        print(pad("codec", 7) + pad("rate", 7) + pad("kbit/s", 8) + pad("SNR dB", 8) + pad("delay", 7) + "speed (x real time, encode+decode)")
        for r in rows {
            print(pad(r.codec, 7) + pad("\(r.sampleRate)", 7) + pad(BenchCommand.format(r.kilobitsPerSecond), 8)
                + pad(BenchCommand.format(r.snr), 8) + pad("\(r.delay)", 7) + BenchCommand.format(r.realtimeFactor))
        }
        print("SNR compares the decoded speech with the input after removing the codec delay (samples);")
        print("Opus is a perceptual codec, so its SNR understates how it sounds.")
    }

    /// SNR (dB) of `decoded` against `reference` at the delay that maximises it, the delay
    /// found on a window a quarter of the way in (where the speech is).
    static func alignedSNR(reference: [Int16], decoded: [Int16], maxDelay: Int) -> (Double, Int) {
        let start = reference.count / 4
        let window = min(8_000, max(0, reference.count - start - maxDelay))
        var best = (-Double.infinity, 0)
        for delay in 0...maxDelay {
            let snr = snr(reference, decoded, delay: delay, range: start..<(start + window))
            if snr > best.0 { best = (snr, delay) }
        }
        return (snr(reference, decoded, delay: best.1, range: 0..<(reference.count - best.1)), best.1)
    }

    static func snr(_ reference: [Int16], _ decoded: [Int16], delay: Int, range: Range<Int>) -> Double {
        var signal = 0.0
        var noise = 0.0
        for i in range {
            let r = Double(reference[i])
            let d = Double(decoded[i + delay]) - r
            signal += r * r
            noise += d * d
        }
        return 10 * log10(signal / max(noise, 1))
    }
}
