import ArgumentParser
import TimbreCodecs
import TimbreCore
import TimbreOpus

extension CodecCommand {
    /// `timbre codec encode --codec pcmu|pcma|g722|opus [--bitrate BPS] [--complexity N] IN OUT`.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode an audio file: raw G.711 (.ul/.al), raw G.722 (ffmpeg -f g722) or Ogg Opus.",
            discussion: """
                Input of any rate or channel count is mixed down to mono and resampled (libsamplerate) \
                to the codec rate, with a note on stderr; input already at the codec rate (8 kHz for \
                G.711, 16 kHz for G.722, 8/12/16/24/48 kHz for Opus) is encoded untouched.
                """)

        @Option(help: "Codec id: pcmu, pcma, g722 or opus.")
        var codec: String

        @Option(help: "Opus target bitrate in bit/s (6000...510000).")
        var bitrate: Int?

        @Option(help: "Opus complexity 0...10.")
        var complexity: Int?

        @Argument(help: "Input audio file (WAV, FLAC, ...).")
        var input: String

        @Argument(help: "Output file.")
        var output: String

        func validate() throws {
            if let b = bitrate, !(6_000...510_000).contains(b) { throw CLIError("--bitrate must be 6000...510000, not \(b)") }
            if let c = complexity, !(0...10).contains(c) { throw CLIError("--complexity must be 0...10, not \(c)") }
        }

        func run() throws {
            let entry = try CodecCommand.entry(codec)
            let id = entry.descriptor.id
            if id != "opus" && (bitrate != nil || complexity != nil) {
                throw CLIError("--bitrate and --complexity apply to opus only")
            }
            if id == "opus" {
                let pcm = try AudioInput.readMono(
                    input, rate: 48_000, accepting: OpusEncoder.supportedSampleRates.map(\.hertz))
                try AudioInput.writeBytes(try encodeOpus(pcm.samples, rate: pcm.rate), to: output)
            } else {
                let pcm = try AudioInput.readMono(input, rate: entry.descriptor.sampleRate.hertz)
                var encoder = try makeEncoder(entry)
                try AudioInput.writeBytes(try encodeRaw(pcm.samples, with: &encoder), to: output)
            }
        }

        private func makeEncoder(_ entry: CodecRegistry.Entry) throws -> any AudioEncoder {
            do { return try entry.makeEncoder(EncoderOptions()) } catch { throw CLIError("\(entry.descriptor.id): \(error)") }
        }

        /// Raw payload bytes, 20 ms at a time; the last frame is whatever remains (G.722 pads
        /// an odd last sample with one zero).
        private func encodeRaw(_ samples: [Int16], with encoder: inout any AudioEncoder) throws -> [UInt8] {
            let frame = encoder.descriptor.samplesPerFrame(.ms20)
            var out: [UInt8] = []
            out.reserveCapacity(samples.count)
            var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize + 1)
            var padded = samples
            if encoder.descriptor.id == "g722" && padded.count % 2 == 1 { padded.append(0) }
            var start = 0
            while start < padded.count {
                let end = min(start + frame, padded.count)
                let n: Int
                do {
                    n = try padded.withUnsafeBufferPointer { all in
                        try payload.withUnsafeMutableBytes { try encoder.encode(UnsafeBufferPointer(rebasing: all[start..<end]), into: $0) }
                    }
                } catch { throw CLIError("\(input): encoding failed: \(error)") }
                out += payload[..<n]
                start = end
            }
            return out
        }

        private func encodeOpus(_ samples: [Int16], rate: Int) throws -> [UInt8] {
            var configuration = OpusEncoder.Configuration(sampleRate: SampleRate(hertz: rate), application: .audio)
            configuration.bitrate = bitrate
            if let complexity { configuration.complexity = complexity }
            do {
                var file = try OggOpusFileEncoder(
                    configuration, tags: OpusTags(vendor: "Timbre \(TimbreCommand.version)"),
                    serialNumber: UInt32(truncatingIfNeeded: samples.count &* 2_654_435_761))
                try file.append(samples)
                return file.takeOutput() + (try file.finish())
            } catch { throw CLIError("\(input): Opus encoding failed: \(error)") }
        }
    }
}
