import Testing
import TimbreCodecs
import TimbreTestSupport

/// Encodes `pcm` with one encoder fed in `frame`-sample calls (the last call may be shorter).
func g722Encode(_ pcm: [Int16], frame: Int = 320, encoder: inout G722Encoder) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: pcm.count / 2)
    var done = 0
    try pcm.withUnsafeBufferPointer { input in
        try out.withUnsafeMutableBytes { output in
            while done < input.count {
                let n = min(frame, input.count - done)
                let written = try encoder.encode(
                    UnsafeBufferPointer(rebasing: input[done..<(done + n)]),
                    into: UnsafeMutableRawBufferPointer(rebasing: output[(done / 2)...]))
                #expect(written == n / 2)
                done += n
            }
        }
    }
    return out
}

func g722Encode(_ pcm: [Int16], frame: Int = 320) throws -> [UInt8] {
    var encoder = G722Encoder()
    return try g722Encode(pcm, frame: frame, encoder: &encoder)
}

/// Decodes `octets` with one decoder fed in `frame`-octet calls.
func g722Decode(_ octets: [UInt8], mode: G722Decoder.Mode = .kbps64, frame: Int = 160, decoder: inout G722Decoder) throws -> [Int16] {
    var out = [Int16](repeating: 0, count: octets.count * 2)
    var done = 0
    try octets.withUnsafeBytes { input in
        try out.withUnsafeMutableBufferPointer { output in
            while done < input.count {
                let n = min(frame, input.count - done)
                let written = try decoder.decode(
                    UnsafeRawBufferPointer(rebasing: input[done..<(done + n)]),
                    into: UnsafeMutableBufferPointer(rebasing: output[(done * 2)...]))
                #expect(written == n * 2)
                done += n
            }
        }
    }
    return out
}

func g722Decode(_ octets: [UInt8], mode: G722Decoder.Mode = .kbps64, frame: Int = 160) throws -> [Int16] {
    var decoder = G722Decoder(mode: mode)
    return try g722Decode(octets, mode: mode, frame: frame, decoder: &decoder)
}

/// The test signals the issue names, all at 16 kHz.
enum G722Signals {
    static let speechFiles = ["speech-en-male-16k.wav", "speech-en-female-16k.wav", "speech-fr-16k.wav", "speech-zh-16k.wav"]

    static func all() throws -> [(String, [Int16])] {
        var signals: [(String, [Int16])] = []
        for file in speechFiles {
            signals.append((file, try Oracle.pcm(wav: Fixtures.sampleAudio(file), rate: 16000)))
        }
        signals.append(("noise", SignalGenerator.noise(count: 16000, amplitude: 1.0, seed: 3)))
        signals.append(("quiet noise", SignalGenerator.noise(count: 16000, amplitude: 0.01, seed: 4)))
        signals.append(("sweep", SignalGenerator.sweep(from: 20, to: 7900, sampleRate: 16000, count: 32000, amplitude: 0.9)))
        signals.append(("silence", [Int16](repeating: 0, count: 8000)))
        signals.append(("square 8", SignalGenerator.square(period: 8, count: 16000)))
        signals.append(("square 100", SignalGenerator.square(period: 100, count: 16000)))
        signals.append(("square 2", SignalGenerator.square(period: 2, count: 16000)))
        return signals
    }
}

@Suite struct G722EncoderTests {
    @Test(.enabled(if: Oracle.hasSpandsp && Oracle.hasFFmpeg, "needs cc, libspandsp-dev and ffmpeg"))
    func encoderIsBitExactWithLibspandspAndFFmpeg() throws {
        for (name, pcm) in try G722Signals.all() {
            let ours = try g722Encode(pcm)
            let spandsp = try Oracle.spandsp("g722-enc", Oracle.bytes(pcm))
            let ffmpeg = try Oracle.ffmpeg(["-f", "s16le", "-ar", "16000", "-ac", "1"], ["-c:a", "g722", "-f", "g722"], Oracle.bytes(pcm))
            #expect(ours == spandsp, "libspandsp, \(name): first difference at \(String(describing: firstDifference(ours, spandsp)))")
            #expect(ours == ffmpeg, "ffmpeg, \(name): first difference at \(String(describing: firstDifference(ours, ffmpeg)))")
        }
    }
}

/// Index of the first element where `a` and `b` differ (or where the shorter one ends), for messages.
func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
    if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return i }
    return a.count == b.count ? nil : min(a.count, b.count)
}

@Suite struct G722DecoderTests {
    static let ffmpegBits: [G722Decoder.Mode: String] = [.kbps64: "8", .kbps56: "7", .kbps48: "6"]

    func ffmpegDecode(_ octets: [UInt8], mode: G722Decoder.Mode) throws -> [Int16] {
        Oracle.samples(try Oracle.ffmpeg(
            ["-bits_per_codeword", Self.ffmpegBits[mode]!, "-f", "g722"], ["-f", "s16le"], octets))
    }

    /// Streams to decode: every encoded test signal, plus random octets (wild, often loud output
    /// where libspandsp wraps and ffmpeg clamps).
    static func streams() throws -> [(String, [UInt8])] {
        var streams = try G722Signals.all().map { ($0.0, try g722Encode($0.1)) }
        var rng = SeededRandom(seed: 9)
        streams.append(("random octets", (0..<8000).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        return streams
    }

    @Test(.enabled(if: Oracle.hasSpandsp && Oracle.hasFFmpeg, "needs cc, libspandsp-dev and ffmpeg"),
          arguments: G722Decoder.Mode.allCases)
    func decoderMatchesFFmpegAndLibspandspWhereTheyAgree(mode: G722Decoder.Mode) throws {
        var disagreements = 0
        for (name, octets) in try Self.streams() {
            let ours = try g722Decode(octets, mode: mode)
            let ffmpeg = try ffmpegDecode(octets, mode: mode)
            // libspandsp takes modes 2 and 3 as 7- or 6-bit codewords in the low bits of each byte;
            // ffmpeg and we take whole octets and ignore the low 1 or 2 (auxiliary data) bits.
            let codewords = octets.map { $0 >> (mode.rawValue - 1) }
            let spandsp = Oracle.samples(try Oracle.spandsp("g722-dec\(mode.rawValue)", codewords, chunk: 160))
            #expect(ours == ffmpeg, "ffmpeg, \(name), mode \(mode.rawValue): first difference at \(String(describing: firstDifference(ours, ffmpeg)))")
            #expect(ours.count == spandsp.count)
            var wrapped = 0, mismatched = 0
            for i in ours.indices where i < spandsp.count && ffmpeg.count == ours.count {
                if ffmpeg[i] == spandsp[i] {
                    if ours[i] != spandsp[i] { mismatched += 1 }
                } else if (ours[i] == Int16.max || ours[i] == Int16.min) && (ours[i] > 0) != (spandsp[i] > 0) {
                    // libspandsp wrapped around where we (and ffmpeg) clamp.
                    wrapped += 1
                } else {
                    mismatched += 1
                }
            }
            #expect(mismatched == 0, "\(name), mode \(mode.rawValue): \(mismatched) samples differ from both oracles where they agree")
            disagreements += wrapped
        }
        // The loud signals (full-scale squares, random octets) do reach the clamp.
        #expect(disagreements > 1000)
    }
}
