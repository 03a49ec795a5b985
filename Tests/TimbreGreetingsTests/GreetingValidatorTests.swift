import Foundation
import Testing
import TimbreGreetings
import TimbreTestSupport

@Suite struct GreetingValidatorTests {
    let yeastar = GreetingValidator(profile: .yeastar)
    let threeCX = GreetingValidator(profile: .threeCX)

    func codes(_ r: GreetingReport) -> Set<String> { Set(r.problems.map(\.code.rawValue)) }

    // MARK: Accepted formats, every rule of both profiles

    @Test func yeastarAcceptsPCM16_8kMono() throws {
        let r = try yeastar.validate(path: Fixtures.sampleAudio("speech-en-male-8k.wav"))
        #expect(r.valid, "\(r.problems)")
        #expect(r.format.container == .wav && r.format.encoding == .pcm16)
        #expect(r.format.sampleRate == 8000 && r.format.channels == 1 && r.format.bitsPerSample == 16)
        #expect(r.format.bitrateKbps == 128)
        #expect(abs((r.format.durationSeconds ?? 0) - 4.5) < 0.01)
        #expect(r.warnings.isEmpty)
        #expect(try threeCX.validate(path: Fixtures.sampleAudio("speech-en-male-8k.wav")).valid)
    }

    @Test(arguments: [("alaw", GreetingEncoding.alaw, "a-law"), ("ulaw", GreetingEncoding.ulaw, "u-law")])
    func yeastarAcceptsG711(name: String, encoding: GreetingEncoding, soxEncoding: String) throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let f = try s.sox("\(name).wav", ["-e", soxEncoding])
        let r = try yeastar.validate(path: f)
        #expect(r.valid, "\(r.problems)")
        #expect(r.format.encoding == encoding && r.format.bitsPerSample == 8 && r.format.bitrateKbps == 64)
        // 3CX takes PCM only.
        let c = try threeCX.validate(path: f)
        #expect(!c.valid && codes(c) == ["unsupported-encoding"])
    }

    @Test func yeastarAcceptsRawGSM() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let f = try s.sox("g.gsm")
        let r = try yeastar.validate(path: f)
        #expect(r.valid, "\(r.problems)")
        #expect(r.format.container == .gsm && r.format.encoding == .gsm610 && r.format.bitrateKbps == 13.2)
        #expect(abs((r.format.durationSeconds ?? 0) - 4.5) < 0.03)
        let c = try threeCX.validate(path: f)
        #expect(codes(c) == ["unsupported-file-type"])
    }

    @Test func yeastarAcceptsMP3AtAnyRate() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let f = try s.ffmpeg("a.mp3", from: "speech-fr-48k.wav", ["-ac", "2", "-c:a", "libmp3lame", "-b:a", "96k"])
        let r = try yeastar.validate(path: f)
        #expect(r.valid, "\(r.problems)")
        #expect(r.format.container == .mp3 && r.format.encoding == .mp3 && r.format.sampleRate == 48000 && r.format.channels == 2)
        #expect(r.format.bitrateKbps == 96)
        #expect(abs((r.format.durationSeconds ?? 0) - 4.5) < 0.1)
        #expect(codes(try threeCX.validate(path: f)) == ["unsupported-file-type"])
    }

    // MARK: Rejected formats

    @Test func mpegLayerIIIsNotMP3() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let f = try s.ffmpeg("layer2.mp3", from: "speech-fr-48k.wav", ["-c:a", "mp2", "-f", "mp2"])
        let r = try yeastar.validate(path: f)
        #expect(r.format.encoding == .mp2)
        #expect(codes(r) == ["unsupported-encoding"])
    }

    @Test func wrongRateChannelsAndDepth() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        #expect(codes(try yeastar.validate(path: Fixtures.sampleAudio("speech-en-male-16k.wav"))) == ["unsupported-sample-rate"])
        #expect(codes(try yeastar.validate(path: try s.sox("st.wav", ["-c", "2"]))) == ["unsupported-channels"])
        #expect(codes(try yeastar.validate(path: try s.sox("a16.wav", ["-e", "a-law", "-r", "16000"]))) == ["unsupported-sample-rate"])
        #expect(codes(try yeastar.validate(path: try s.sox("u8.wav", ["-b", "8", "-e", "unsigned-integer"]))) == ["unsupported-encoding"])
        #expect(codes(try yeastar.validate(path: try s.sox("f.wav", ["-e", "floating-point", "-b", "32"]))) == ["unsupported-encoding"])
        #expect(codes(try yeastar.validate(path: try s.sox("p24.wav", ["-b", "24"]))) == ["unsupported-encoding"])
        #expect(codes(try threeCX.validate(path: try s.sox("st3.wav", ["-c", "2", "-r", "16000"]))) == ["unsupported-sample-rate", "unsupported-channels"])
    }

    @Test func otherContainersAndExtensions() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let flac = try s.sox("a.flac")
        let r = try yeastar.validate(path: flac)
        #expect(r.format.container == .flac)
        #expect(codes(r) == ["unsupported-file-type"])
        // A good WAV with a name the profile does not accept.
        let txt = s.path("greeting.txt")
        try FileManager.default.copyItem(atPath: Fixtures.sampleAudio("speech-en-male-8k.wav"), toPath: txt)
        #expect(codes(try yeastar.validate(path: txt)) == ["unsupported-file-type"])
    }

    @Test func contentExtensionMismatch() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let asMP3 = s.path("really-wav.mp3")
        try FileManager.default.copyItem(atPath: Fixtures.sampleAudio("speech-en-male-8k.wav"), toPath: asMP3)
        let r = try yeastar.validate(path: asMP3)
        #expect(r.format.container == .wav)
        #expect(codes(r) == ["extension-mismatch"])
        let gsmAsWav = s.path("really-gsm.wav")
        try FileManager.default.moveItem(atPath: try s.sox("g.gsm"), toPath: gsmAsWav)
        #expect(codes(try yeastar.validate(path: gsmAsWav)) == ["extension-mismatch"])
    }

    // MARK: Malformed files

    @Test func emptyAndUnrecognised() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        #expect(codes(try yeastar.validate(path: try s.write("empty.wav", []))) == ["file-empty"])
        var rng = SeededRandom(seed: 7)
        let noise = (0..<5000).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }
        let r = try yeastar.validate(path: try s.write("noise.wav", noise))
        #expect(codes(r) == ["unrecognised-content"])
        #expect(r.format.container == .unknown)
    }

    @Test func truncatedHeader() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let b = try s.bytes(Fixtures.sampleAudio("speech-en-male-8k.wav"))
        #expect(codes(try yeastar.validate(path: try s.write("t10.wav", Array(b.prefix(10))))) == ["unrecognised-content"])
        #expect(codes(try yeastar.validate(path: try s.write("t20.wav", Array(b.prefix(20))))) == ["truncated-header"])
        #expect(codes(try yeastar.validate(path: try s.write("t30.wav", Array(b.prefix(30))))) == ["truncated-header"])
    }

    @Test func dataChunkLargerThanFile() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        var b = try s.bytes(Fixtures.sampleAudio("speech-en-male-8k.wav"))
        // Cut the audio in half: the header now lies.
        let cut = try s.write("cut.wav", Array(b.prefix(b.count / 2)))
        #expect(codes(try yeastar.validate(path: cut)) == ["data-chunk-exceeds-file"])
        // A header claiming ~4 GB of data: reported, and nothing of that size is allocated.
        let d = try #require(GreetingSamples.dataChunkOffset(b))
        b[d + 4] = 0xF0; b[d + 5] = 0xFF; b[d + 6] = 0xFF; b[d + 7] = 0xFF
        let r = try yeastar.validate(path: try s.write("lie.wav", b))
        #expect(codes(r) == ["data-chunk-exceeds-file"])
        #expect(abs((r.format.durationSeconds ?? 0) - 4.5) < 0.01)  // what is really there
    }

    @Test func emptyAudioAndMissingChunks() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        #expect(codes(try yeastar.validate(path: try s.write("nodata.wav", GreetingSamples.wavHeader(dataSize: 0)))) == ["empty-audio"])
        let fmtOnly = Array(GreetingSamples.wavHeader(dataSize: 0).prefix(36))
        #expect(codes(try yeastar.validate(path: try s.write("fmtonly.wav", fmtOnly))) == ["missing-data-chunk"])
        var zeroChannels = GreetingSamples.wavHeader(dataSize: 4) + [0, 0, 0, 0]
        zeroChannels[22] = 0
        #expect(codes(try yeastar.validate(path: try s.write("zero.wav", zeroChannels))) == ["invalid-format-chunk"])
        var badAlign = GreetingSamples.wavHeader(dataSize: 4) + [0, 0, 0, 0]
        badAlign[32] = 7
        #expect(codes(try yeastar.validate(path: try s.write("align.wav", badAlign))) == ["invalid-format-chunk"])
        // data before fmt
        var swapped = Array("RIFF".utf8) + [28, 0, 0, 0] + Array("WAVE".utf8) + Array("data".utf8) + [4, 0, 0, 0, 1, 2, 3, 4]
        swapped += Array("fmt ".utf8) + [0, 0, 0, 0]
        #expect(codes(try yeastar.validate(path: try s.write("swapped.wav", swapped))) == ["missing-format-chunk"])
    }

    @Test func gsmFrameRules() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let good = try s.bytes(try s.sox("g.gsm"))
        #expect(codes(try yeastar.validate(path: try s.write("partial.gsm", good + Array(good.prefix(10))))) == ["gsm-partial-frame"])
        var bad = good
        bad[33 * 3] = 0x12
        let r = try yeastar.validate(path: try s.write("sig.gsm", bad))
        #expect(codes(r) == ["gsm-bad-frame-signature"])
        #expect(r.problems[0].message.contains("frame 3"))
    }

    @Test func undecodableMP3() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        // An ID3v2 tag followed by bytes that are no MPEG frames.
        var b: [UInt8] = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0, count: 10)
        b += (0..<4000).map { UInt8(($0 * 7) & 0x3F) }
        let r = try yeastar.validate(path: try s.write("junk.mp3", b))
        #expect(!r.valid)
        #expect(codes(r).isSubset(of: ["undecodable-audio", "empty-audio"]) && !codes(r).isEmpty)
    }

    @Test func sizeLimitIsCheckedFirstAndExact() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let limit = 8 * 1024 * 1024
        // Exactly 8 MiB: accepted. One byte more: rejected before decoding (the data is silent,
        // so a decode would add a warning; there is none).
        let atLimit = s.path("limit.wav")
        let header = GreetingSamples.wavHeader(dataSize: UInt32(limit - 44))
        _ = FileManager.default.createFile(atPath: atLimit, contents: Data(header))
        try FileHandle(forWritingTo: URL(fileURLWithPath: atLimit)).truncate(atOffset: UInt64(limit))
        let ok = try yeastar.validate(path: atLimit)
        #expect(ok.valid, "\(ok.problems)")
        #expect(ok.warnings.map(\.code) == [.silentAudio])
        let over = s.path("over.wav")
        _ = FileManager.default.createFile(atPath: over, contents: Data(GreetingSamples.wavHeader(dataSize: UInt32(limit - 43))))
        try FileHandle(forWritingTo: URL(fileURLWithPath: over)).truncate(atOffset: UInt64(limit + 1))
        let r = try yeastar.validate(path: over)
        #expect(codes(r) == ["file-too-large"])
        #expect(r.warnings.isEmpty && r.format.sampleRate == 8000)
    }

    // MARK: Warnings

    @Test func silentAndClippedAreWarnings() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let silent = try yeastar.validate(path: Fixtures.sampleAudio("silence-8k.wav"))
        #expect(silent.valid && silent.warnings.map(\.code) == [.silentAudio])
        let clipped = try yeastar.validate(path: try s.sox("loud.wav", effects: ["gain", "30"]))
        #expect(clipped.valid && clipped.warnings.map(\.code) == [.clippedAudio])
        // A loud but clean full-scale tone is not "clipped".
        let tone = try yeastar.validate(path: try s.sox("tone.wav", from: "tone-1khz-8k.wav", effects: ["gain", "-n", "0"]))
        #expect(tone.warnings.isEmpty)
    }

    // MARK: I/O errors and profiles

    @Test func ioErrorsThrow() throws {
        #expect(throws: GreetingValidator.Error.self) { try yeastar.validate(path: "/nonexistent/x.wav") }
        #expect(throws: GreetingValidator.Error.self) { try yeastar.validate(path: NSTemporaryDirectory()) }
    }

    @Test func profilesAreData() throws {
        let json = #"{"name":"wide","extensions":["wav"],"maximumSizeBytes":1000000,"formats":[{"container":"wav","encoding":"pcm16","sampleRate":16000,"channels":1,"bitsPerSample":16}]}"#
        let p = try JSONDecoder().decode(GreetingProfile.self, from: Data(json.utf8))
        let v = GreetingValidator(profile: p)
        #expect(try v.validate(path: Fixtures.sampleAudio("speech-en-male-16k.wav")).valid)
        #expect(codes(try v.validate(path: Fixtures.sampleAudio("speech-en-male-8k.wav"))) == ["unsupported-sample-rate"])
        #expect(GreetingProfile.named("3CX") == .threeCX && GreetingProfile.named("nope") == nil)
    }
}
