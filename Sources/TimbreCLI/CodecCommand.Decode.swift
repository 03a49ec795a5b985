import ArgumentParser
import TimbreCodecs
import TimbreOpus

extension CodecCommand {
    /// `timbre codec decode --codec pcmu|pcma|g722|opus [--mode 1|2|3] IN OUT.wav`.
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode raw G.711/G.722 or Ogg Opus (ours, ffmpeg's, opusenc's) to a 16-bit WAV at the codec rate.")

        @Option(help: "Codec id: pcmu, pcma, g722 or opus.")
        var codec: String

        @Option(help: "G.722 mode: 1 = 64, 2 = 56, 3 = 48 kbit/s (low-band bits dropped).")
        var mode: Int?

        @Argument(help: "Input: raw codec bytes, or an Ogg Opus file for opus.")
        var input: String

        @Argument(help: "Output WAV file.")
        var output: String

        func validate() throws {
            if let mode, !(1...3).contains(mode) { throw CLIError("--mode must be 1, 2 or 3, not \(mode)") }
        }

        func run() throws {
            let entry = try CodecCommand.entry(codec)
            let id = entry.descriptor.id
            if mode != nil && id != "g722" { throw CLIError("--mode applies to g722 only") }
            if id == "opus" {
                let (pcm, channels) = try decodeOggOpus()
                try AudioInput.writeWAV(pcm, to: output, rate: 48_000, channels: channels)
                return
            }
            var decoder: any AudioDecoder
            if id == "g722" {
                decoder = G722Decoder(mode: G722Decoder.Mode(rawValue: mode ?? 1) ?? .kbps64)
            } else {
                do { decoder = try entry.makeDecoder() } catch { throw CLIError("\(id): \(error)") }
            }
            let bytes = try AudioInput.readBytes(input)
            var pcm: [Int16] = []
            pcm.reserveCapacity(bytes.count * 2)
            var scratch = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
            let chunk = 160
            var start = 0
            while start < bytes.count {
                let end = min(start + chunk, bytes.count)
                let n: Int
                do {
                    n = try bytes.withUnsafeBytes { all in
                        try scratch.withUnsafeMutableBufferPointer { try decoder.decode(UnsafeRawBufferPointer(rebasing: all[start..<end]), into: $0) }
                    }
                } catch { throw CLIError("\(input): decoding failed: \(error)") }
                pcm += scratch[..<n]
                start = end
            }
            try AudioInput.writeWAV(pcm, to: output, rate: entry.descriptor.sampleRate.hertz)
        }

        private func decodeOggOpus() throws -> ([Int16], Int) {
            var decoder = OggOpusFileDecoder(sampleRate: .fullband)
            do {
                try AudioInput.readChunks(input) { chunk in
                    do { try decoder.append(chunk) } catch { throw CLIError("\(input): \(error)") }
                }
                let pcm = try decoder.finish()
                return (pcm, decoder.channels)
            } catch let error as OggOpusError {
                throw CLIError("\(input): \(error)")
            }
        }
    }
}
