import Foundation
import TimbreCodecs
import TimbreOpus
import TimbreTestSupport

/// Oracles and measurements shared by the Opus tests: ffmpeg/opusenc run as real processes.
enum OpusTestSupport {
    /// Runs a tool, returning its stdout; throws with its stderr when it fails.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(message: "\(tool) exited \(process.terminationStatus): " + String(decoding: errors, as: UTF8.self))
        }
        return data
    }

    struct ToolFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// Any audio file as mono 16-bit PCM at `rate`, decoded by ffmpeg.
    static func ffmpegDecode(_ path: String, rate: Int, channels: Int = 1, decoder: String? = nil) throws -> [Int16] {
        let data = try run("ffmpeg", ["-v", "error"] + (decoder.map { ["-c:a", $0] } ?? []) + ["-i", path, "-f", "s16le", "-ac", "\(channels)", "-ar", "\(rate)", "-"])
        return data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
    }

    /// A SampleAudio file's samples (mono), via ffmpeg.
    static func sample(_ name: String, rate: Int) throws -> [Int16] {
        try ffmpegDecode(Fixtures.sampleAudio(name), rate: rate)
    }

    static func temporaryPath(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "timbre-opus-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    /// Signal-to-noise ratio in dB of `test` against `reference` over their common length,
    /// after delaying the reference by `delay` samples (codec lookahead).
    static func snr(_ reference: [Int16], _ test: [Int16], delay: Int = 0) -> Double {
        var signal = 0.0
        var noise = 0.0
        let n = min(reference.count, test.count - delay)
        guard n > 0 else { return -.infinity }
        for i in 0..<n {
            let r = Double(reference[i])
            let d = Double(test[i + delay]) - r
            signal += r * r
            noise += d * d
        }
        return 10 * log10(signal / max(noise, 1e-9))
    }

    /// The delay (samples) at which `test` best matches `reference`, searched in 0...maxDelay
    /// over a 4000-sample window a quarter of the way in (where the speech is).
    static func bestDelay(_ reference: [Int16], _ test: [Int16], maxDelay: Int) -> Int {
        let start = reference.count / 4
        let window = Array(reference[start..<min(reference.count, start + 4000)])
        let shifted = Array(test[start...])
        return (0...maxDelay).max { snr(window, shifted, delay: $0) < snr(window, shifted, delay: $1) } ?? 0
    }

    /// Encodes `pcm` frame by frame (zero-padding the last frame), returning the packets.
    static func encode(_ pcm: [Int16], with encoder: OpusEncoder) throws -> [[UInt8]] {
        let frame = encoder.frameSampleCount
        var packets: [[UInt8]] = []
        var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
        var start = 0
        while start < pcm.count {
            var chunk = Array(pcm[start..<min(start + frame, pcm.count)])
            chunk += repeatElement(0, count: frame - chunk.count)
            let n = try chunk.withUnsafeBufferPointer { input in
                try payload.withUnsafeMutableBytes { try encoder.encodePacket(input, into: $0) }
            }
            packets.append(Array(payload[..<n]))
            start += frame
        }
        return packets
    }

    /// Decodes packets in order (nil = lost, concealed by PLC).
    static func decode(_ packets: [[UInt8]?], with decoder: OpusDecoder, frameSamples: Int) throws -> [Int16] {
        var out: [Int16] = []
        var pcm = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
        for packet in packets {
            let n: Int
            if let packet {
                n = try packet.withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
            } else {
                n = try pcm.withUnsafeMutableBufferPointer { try decoder.conceal(samples: frameSamples, into: $0) }
            }
            out += pcm[..<n]
        }
        return out
    }
}
