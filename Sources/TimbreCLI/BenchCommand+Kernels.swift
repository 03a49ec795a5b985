import TimbreCodecs
import TimbreCore
import TimbreOpus

/// The kernels `timbre bench` measures. Each `run` is one pass over its prepared input and
/// returns the PCM samples it covered; buffers are allocated here, never inside a pass.
struct BenchKernel {
    var name: String
    var sampleRate: Int
    var frameSamples: Int
    var bitrate: Int?
    var complexity: Int?
    var source: String
    var run: () throws -> Int
}

enum BenchKernels {
    /// Samples in the large-buffer rows (1 M).
    static let bigBuffer = 1 << 20

    static func all(bitrate: Int, complexity: Int) throws -> [BenchKernel] {
        var kernels: [BenchKernel] = []
        let speech8 = SampleAudioLocator.speech(rate: 8_000)
        let speech16 = SampleAudioLocator.speech(rate: 16_000)
        let speech48 = SampleAudioLocator.speech(rate: 48_000)
        for (id, encoder, decoder) in [
            ("pcmu", PCMUEncoder() as any AudioEncoder, PCMUDecoder() as any AudioDecoder),
            ("pcma", PCMAEncoder() as any AudioEncoder, PCMADecoder() as any AudioDecoder),
        ] {
            for frame in [160, bigBuffer] {
                kernels += waveformKernels(id, encoder, decoder, speech: speech8, rate: 8_000, frame: frame, samplesPerByte: 1)
            }
        }
        for frame in [320, bigBuffer] {
            kernels += waveformKernels("g722", G722Encoder(), G722Decoder(), speech: speech16, rate: 16_000, frame: frame, samplesPerByte: 2)
        }
        kernels += try opusKernels(speech: speech48, bitrate: bitrate, complexity: complexity)
        return kernels
    }

    /// Encode and decode kernels for a sample-wise codec, over `speech` tiled to at least
    /// `frame` samples, `frame` samples per call.
    static func waveformKernels(
        _ id: String, _ encoder: some AudioEncoder, _ decoder: some AudioDecoder,
        speech: (samples: [Int16], source: String), rate: Int, frame: Int, samplesPerByte: Int
    ) -> [BenchKernel] {
        var pcm = speech.samples
        while pcm.count < frame { pcm += speech.samples }
        pcm.removeLast(pcm.count % frame)
        let pcmBox = BenchBox(pcm)
        let payload = BenchBox([UInt8](repeating: 0, count: pcm.count / samplesPerByte))
        let output = BenchBox([Int16](repeating: 0, count: frame))
        let enc = BenchBox(encoder)
        let dec = BenchBox(decoder)
        let encode = BenchKernel(name: "\(id).encode", sampleRate: rate, frameSamples: frame, source: speech.source) {
            try pcmBox.value.withUnsafeBufferPointer { input in
                try payload.value.withUnsafeMutableBytes { out in
                    var start = 0
                    while start < input.count {
                        let bytes = frame / samplesPerByte
                        _ = try enc.value.encode(
                            UnsafeBufferPointer(rebasing: input[start..<(start + frame)]),
                            into: UnsafeMutableRawBufferPointer(rebasing: out[(start / samplesPerByte)..<(start / samplesPerByte + bytes)]))
                        start += frame
                    }
                    return input.count
                }
            }
        }
        // Decode the payload the encoder produced.
        _ = try? encode.run()
        let decode = BenchKernel(name: "\(id).decode", sampleRate: rate, frameSamples: frame, source: speech.source) {
            try payload.value.withUnsafeBytes { bytes in
                try output.value.withUnsafeMutableBufferPointer { out in
                    let step = frame / samplesPerByte
                    var start = 0
                    var samples = 0
                    while start < bytes.count {
                        samples += try dec.value.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + step)]), into: out)
                        start += step
                    }
                    return samples
                }
            }
        }
        return [encode, decode]
    }

    static func opusKernels(speech: (samples: [Int16], source: String), bitrate: Int, complexity: Int) throws -> [BenchKernel] {
        let configuration = OpusEncoder.Configuration(bitrate: bitrate, complexity: complexity)
        let encoder: OpusEncoder
        let decoder: OpusDecoder
        do {
            encoder = try OpusEncoder(configuration)
            decoder = try OpusDecoder()
        } catch { throw CLIError("opus: \(error)") }
        let frame = encoder.frameSampleCount
        var pcm = speech.samples
        pcm.removeLast(pcm.count % frame)
        let frames = pcm.count / frame
        let pcmBox = BenchBox(pcm)
        // Packets stored back to back, each in a fixed slot, with their lengths.
        let slot = encoder.maximumPayloadSize
        let packets = BenchBox([UInt8](repeating: 0, count: frames * slot))
        let lengths = BenchBox([Int](repeating: 0, count: frames))
        let output = BenchBox([Int16](repeating: 0, count: decoder.maximumFrameSamples))
        let encode = BenchKernel(
            name: "opus.encode", sampleRate: 48_000, frameSamples: frame, bitrate: bitrate, complexity: complexity,
            source: speech.source
        ) {
            try pcmBox.value.withUnsafeBufferPointer { input in
                try packets.value.withUnsafeMutableBytes { out in
                    for i in 0..<frames {
                        lengths.value[i] = try encoder.encodePacket(
                            UnsafeBufferPointer(rebasing: input[(i * frame)..<((i + 1) * frame)]),
                            into: UnsafeMutableRawBufferPointer(rebasing: out[(i * slot)..<((i + 1) * slot)]))
                    }
                    return input.count
                }
            }
        }
        _ = try encode.run()
        let decode = BenchKernel(
            name: "opus.decode", sampleRate: 48_000, frameSamples: frame, bitrate: bitrate, complexity: complexity,
            source: speech.source
        ) {
            try packets.value.withUnsafeBytes { bytes in
                try output.value.withUnsafeMutableBufferPointer { out in
                    var samples = 0
                    for i in 0..<frames {
                        samples += try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[(i * slot)..<(i * slot + lengths.value[i])]), into: out)
                    }
                    return samples
                }
            }
        }
        return [encode, decode]
    }
}

/// Mutable state shared by a kernel's closures (one thread).
final class BenchBox<T> {
    var value: T
    init(_ value: T) { self.value = value }
}
