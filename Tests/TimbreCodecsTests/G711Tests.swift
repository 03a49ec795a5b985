import Testing
import TimbreCodecs
import TimbreTestSupport

/// Runs a whole-buffer kernel over an array.
private func encode(_ input: [Int16], _ kernel: (UnsafeBufferPointer<Int16>, UnsafeMutableBufferPointer<UInt8>) -> Void) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: input.count)
    input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { kernel(i, $0) } }
    return out
}

private func decode(_ input: [UInt8], _ kernel: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<Int16>) -> Void) -> [Int16] {
    var out = [Int16](repeating: 0, count: input.count)
    input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { kernel(i, $0) } }
    return out
}

/// Whether two G.711 codes (u-law, or A-law with the 0x55 inversion undone) have the same sign
/// and neighbouring magnitudes: one quantisation step apart.
private func adjacent(_ a: UInt8, _ b: UInt8) -> Bool {
    (a & 0x80) == (b & 0x80) && abs(Int(a & 0x7F) - Int(b & 0x7F)) == 1
}

private let everyCode = (0...255).map { UInt8($0) }

/// Indices where two equal-length arrays differ.
private func differences<T: Equatable>(_ a: [T], _ b: [T]) -> [Int] {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return a.indices.filter { a[$0] != b[$0] }
}

@Suite struct G711BitExactnessTests {
    @Test func aLawEncodeMatchesG191ForEveryInput() {
        let input = SignalGenerator.everyInt16
        let expected = input.map(G191Reference.aLawCompress)
        #expect(encode(input, G711.encodeALaw) == expected)
        #expect(input.map(G711.aLaw) == expected)
    }

    @Test func muLawEncodeMatchesG191ForEveryInput() {
        let input = SignalGenerator.everyInt16
        let expected = input.map(G191Reference.muLawCompress)
        #expect(encode(input, G711.encodeMuLaw) == expected)
        #expect(input.map(G711.muLaw) == expected)
    }

    @Test func decodeMatchesG191ForEveryCode() {
        #expect(decode(everyCode, G711.decodeALaw) == everyCode.map(G191Reference.aLawExpand))
        #expect(decode(everyCode, G711.decodeMuLaw) == everyCode.map(G191Reference.muLawExpand))
    }

    /// Extremes, including Int16.min, which `-x` or `abs(x)` would trap on.
    @Test func extremesEncodeToTheStandardCodes() {
        #expect(G711.aLaw(Int16.min) == 0x2A)
        #expect(G711.aLaw(Int16.max) == 0xAA)
        #expect(G711.aLaw(0) == 0xD5)
        #expect(G711.aLaw(-1) == 0x55)
        #expect(G711.muLaw(Int16.min) == 0x00)
        #expect(G711.muLaw(Int16.max) == 0x80)
        #expect(G711.muLaw(0) == 0xFF)
        #expect(G711.muLaw(-1) == 0x7F)
        #expect(G711.aLaw(decoding: 0xAA) == 32256)
        #expect(G711.aLaw(decoding: 0x2A) == -32256)
        #expect(G711.muLaw(decoding: 0x80) == 32124)
        #expect(G711.muLaw(decoding: 0x00) == -32124)
    }

    /// Every code survives decode → encode; the one exception is u-law's negative zero (0x7F),
    /// which decodes to 0 and so re-encodes as positive zero (0xFF).
    @Test func decodeThenEncodeReturnsTheCode() {
        #expect(everyCode.map { G711.aLaw(G711.aLaw(decoding: $0)) } == everyCode)
        let muLaw = everyCode.map { G711.muLaw(G711.muLaw(decoding: $0)) }
        #expect(differences(muLaw, everyCode) == [0x7F])
        #expect(muLaw[0x7F] == 0xFF)
    }

    /// Lengths that are not multiples of any vector width exercise the loops' tails.
    @Test func oddLengthsAndOffsetsMatchThePerSampleKernel() {
        let input = SignalGenerator.noise(count: 1000, amplitude: 1, seed: 7)
        for length in [0, 1, 3, 7, 15, 17, 31, 33, 63, 65, 160, 999] {
            let slice = Array(input[1..<(1 + length)])
            #expect(encode(slice, G711.encodeMuLaw) == slice.map(G711.muLaw))
            #expect(encode(slice, G711.encodeALaw) == slice.map(G711.aLaw))
            let codes = slice.map { UInt8(truncatingIfNeeded: $0) }
            #expect(decode(codes, G711.decodeMuLaw) == codes.map { G711.muLaw(decoding: $0) })
            #expect(decode(codes, G711.decodeALaw) == codes.map { G711.aLaw(decoding: $0) })
        }
    }
}

/// The documented differences between G.191 and other implementations, measured on all inputs.
@Suite struct G711OracleTests {
    let input = SignalGenerator.everyInt16

    @Test(.enabled(if: Oracle.hasSpandsp, "needs cc and libspandsp-dev (apt-get install libspandsp-dev)"))
    func libspandspMatchesOnALawAndDiffersOn127NegativeMuLawInputs() throws {
        let aLaw = try Oracle.spandsp("alaw-enc", Oracle.bytes(input))
        #expect(aLaw == encode(input, G711.encodeALaw))

        let muLaw = try Oracle.spandsp("ulaw-enc", Oracle.bytes(input))
        let ours = encode(input, G711.encodeMuLaw)
        let diff = differences(muLaw, ours)
        #expect(diff.count == 127)
        // All negative: libspandsp negates with −x where G.191 takes ~x, so it moves up one
        // step exactly where −x crosses a decision level that ~x = −x−1 does not.
        #expect(diff.allSatisfy { input[$0] < 0 })
        #expect(diff.allSatisfy { G191Reference.muLawCompress(input[$0]) == ours[$0] })
        #expect(diff.allSatisfy { adjacent(muLaw[$0], ours[$0]) })

        let aLawDecoded = try Oracle.samples(Oracle.spandsp("alaw-dec", everyCode))
        let muLawDecoded = try Oracle.samples(Oracle.spandsp("ulaw-dec", everyCode))
        #expect(aLawDecoded == decode(everyCode, G711.decodeALaw))
        #expect(muLawDecoded == decode(everyCode, G711.decodeMuLaw))
    }

    @Test(.enabled(if: Oracle.hasFFmpeg, "needs ffmpeg (apt-get install ffmpeg)"))
    func ffmpegEncodersDifferAndDecodersMatch() throws {
        let raw = ["-f", "s16le", "-ar", "8000", "-ac", "1"]
        let muLaw = try Oracle.ffmpeg(raw, ["-c:a", "pcm_mulaw", "-f", "mulaw"], Oracle.bytes(input))
        let aLaw = try Oracle.ffmpeg(raw, ["-c:a", "pcm_alaw", "-f", "alaw"], Oracle.bytes(input))
        let muDiff = differences(muLaw, encode(input, G711.encodeMuLaw))
        let aDiff = differences(aLaw, encode(input, G711.encodeALaw))
        // ffmpeg builds its tables from the G.711 segment ends rather than G.191's truncation.
        #expect(muDiff.count == 964)
        #expect(aDiff.count == 964)
        #expect(muDiff.allSatisfy { adjacent(muLaw[$0], G191Reference.muLawCompress(input[$0])) })
        #expect(aDiff.allSatisfy { adjacent(aLaw[$0] ^ 0x55, G191Reference.aLawCompress(input[$0]) ^ 0x55) })

        let muDecoded = try Oracle.ffmpeg(["-f", "mulaw", "-ar", "8000", "-ac", "1"], ["-f", "s16le"], everyCode)
        let aDecoded = try Oracle.ffmpeg(["-f", "alaw", "-ar", "8000", "-ac", "1"], ["-f", "s16le"], everyCode)
        #expect(Oracle.samples(muDecoded) == decode(everyCode, G711.decodeMuLaw))
        #expect(Oracle.samples(aDecoded) == decode(everyCode, G711.decodeALaw))
    }

    @Test(.enabled(if: Oracle.hasSox, "needs sox (apt-get install sox)"))
    func soxRoundsWhereG191TruncatesAndDecodesAlike() throws {
        // -D: no dither, which sox otherwise adds (randomly) when it reduces to 8 bits.
        let raw = ["-D", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1"]
        let muLaw = try Oracle.sox(raw, ["-t", "raw", "-e", "u-law", "-b", "8"], Oracle.bytes(input))
        let aLaw = try Oracle.sox(raw, ["-t", "raw", "-e", "a-law", "-b", "8"], Oracle.bytes(input))
        let muDiff = differences(muLaw, encode(input, G711.encodeMuLaw))
        let aDiff = differences(aLaw, encode(input, G711.encodeALaw))
        #expect(muDiff.count == 510)
        #expect(aDiff.count == 1020)
        let muDecoded = try Oracle.sox(["-t", "raw", "-r", "8000", "-e", "u-law", "-b", "8", "-c", "1"], raw, everyCode)
        let aDecoded = try Oracle.sox(["-t", "raw", "-r", "8000", "-e", "a-law", "-b", "8", "-c", "1"], raw, everyCode)
        #expect(Oracle.samples(muDecoded) == decode(everyCode, G711.decodeMuLaw))
        #expect(Oracle.samples(aDecoded) == decode(everyCode, G711.decodeALaw))
    }
}
