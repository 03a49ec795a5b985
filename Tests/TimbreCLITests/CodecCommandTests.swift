import Foundation
import Testing
import TimbreTestSupport

@Suite struct CodecCommandTests {
    @Test func listJSONNamesEveryCodecWithRTPDetails() throws {
        let o = try CodecCLI.timbre(["codec", "list", "--json"])
        #expect(o.status == 0)
        let codecs = try #require(try CodecCLI.json(o)["codecs"] as? [[String: Any]])
        #expect(codecs.map { $0["id"] as? String } == ["pcmu", "pcma", "g722", "opus"])
        let opus = codecs[3]
        #expect(opus["rtpmap"] as? String == "opus/48000/2")
        #expect(opus["payloadType"] as? Int == 111)
        #expect(opus["staticPayloadType"] as? Bool == false)
        #expect(codecs[2]["rtpClockRate"] as? Int == 8_000)
        #expect(codecs[2]["sampleRate"] as? Int == 16_000)
        #expect(codecs[0]["payloadType"] as? Int == 0)
        let text = try CodecCLI.timbre(["codec", "list"])
        #expect(text.status == 0 && text.stdout.contains("opus/48000/2"))
    }

    @Test func pcmuAtTheCodecRateIsEncodedUntouchedAndDecodesLikeSox() throws {
        let dir = CodecCLI.scratch()
        let input = Fixtures.sampleAudio("speech-en-male-8k.wav")
        let o = try CodecCLI.timbre(["codec", "encode", "--codec", "pcmu", input, dir + "/x.ul"])
        #expect(o.status == 0)
        #expect(o.stderr.isEmpty, "no resampling note for 8 kHz mono: \(o.stderr)")
        let original = try CodecCLI.ffmpegPCM(input, rate: 8_000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/x.ul"))
        #expect(bytes.count == original.count)
        let d = try CodecCLI.timbre(["codec", "decode", "--codec", "pcmu", dir + "/x.ul", dir + "/x.wav"])
        #expect(d.status == 0)
        let ours = try CodecCLI.ffmpegPCM(dir + "/x.wav", rate: 8_000)
        // sox decodes raw u-law exactly as G.711 does.
        let sox = try CodecCLI.tool("sox", ["-t", "ul", "-r", "8000", "-c", "1", dir + "/x.ul", "-t", "s16", "-"])
        #expect(ours == sox.stdoutData.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) })
        #expect(CodecCLI.snr(original, ours) > 30)
    }

    @Test func pcmaRoundTrip() throws {
        let dir = CodecCLI.scratch()
        let input = Fixtures.sampleAudio("speech-zh-8k.wav")
        #expect(try CodecCLI.timbre(["codec", "encode", "--codec", "PCMA", input, dir + "/x.al"]).status == 0)
        #expect(try CodecCLI.timbre(["codec", "decode", "--codec", "pcma", dir + "/x.al", dir + "/x.wav"]).status == 0)
        let sox = try CodecCLI.tool("sox", ["-t", "al", "-r", "8000", "-c", "1", dir + "/x.al", "-t", "s16", "-"])
        let ours = try CodecCLI.ffmpegPCM(dir + "/x.wav", rate: 8_000)
        #expect(ours == sox.stdoutData.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) })
    }

    @Test func g722FromStereo48kHzIsMixedResampledAndReadableByFFmpeg() throws {
        let dir = CodecCLI.scratch()
        // A stereo 48 kHz file made by sox from SampleAudio speech.
        let stereo = dir + "/stereo.wav"
        #expect(try CodecCLI.tool("sox", ["-M", Fixtures.sampleAudio("speech-fr-48k.wav"), Fixtures.sampleAudio("speech-fr-48k.wav"), stereo]).status == 0)
        let o = try CodecCLI.timbre(["codec", "encode", "--codec", "g722", stereo, dir + "/x.g722"])
        #expect(o.status == 0)
        #expect(o.stderr.contains("mixed 2 channels down to mono") && o.stderr.contains("resampled 48000 Hz to 16000 Hz"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/x.g722"))
        #expect(bytes.count == 16_000 * 45 / 10 / 2)
        // ffmpeg reads our raw G.722 (-f g722) and its decoder agrees with ours in mode 1.
        let theirs = try CodecCLI.ffmpegPCM(dir + "/x.g722", rate: 16_000, inputFormat: ["-f", "g722"])
        #expect(try CodecCLI.timbre(["codec", "decode", "--codec", "g722", "--mode", "1", dir + "/x.g722", dir + "/x.wav"]).status == 0)
        let ours = try CodecCLI.ffmpegPCM(dir + "/x.wav", rate: 16_000)
        #expect(ours == theirs)
        let reference = try CodecCLI.ffmpegPCM(Fixtures.sampleAudio("speech-fr-16k.wav"), rate: 16_000)
        #expect(CodecCLI.snr(reference, Array(ours.dropFirst(22))) > 15)
        // Modes 2 and 3 decode the same octets with fewer low-band bits: different, still speech.
        for mode in ["2", "3"] {
            #expect(try CodecCLI.timbre(["codec", "decode", "--codec", "g722", "--mode", mode, dir + "/x.g722", dir + "/m.wav"]).status == 0)
            let m = try CodecCLI.ffmpegPCM(dir + "/m.wav", rate: 16_000)
            #expect(m.count == ours.count && m != ours)
            #expect(CodecCLI.snr(ours, m) > 10)
        }
    }

    @Test func opusFileIsPlayedByFFmpegAtTheExactLength() throws {
        let dir = CodecCLI.scratch()
        let input = Fixtures.sampleAudio("speech-en-female-16k.wav")
        let o = try CodecCLI.timbre(["codec", "encode", "--codec", "opus", "--bitrate", "24000", "--complexity", "5", input, dir + "/x.opus"])
        #expect(o.status == 0)
        #expect(o.stderr.isEmpty, "16 kHz is an Opus rate: encoded untouched")
        let probe = try CodecCLI.tool("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", dir + "/x.opus"])
        #expect(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "opus")
        let theirs = try CodecCLI.ffmpegPCM(dir + "/x.opus", rate: 16_000)
        #expect(theirs.count == 16_000 * 45 / 10)
        #expect(try CodecCLI.timbre(["codec", "decode", "--codec", "opus", dir + "/x.opus", dir + "/x.wav"]).status == 0)
        let ours = try CodecCLI.ffmpegPCM(dir + "/x.wav", rate: 48_000)
        #expect(ours.count == 48_000 * 45 / 10)
    }

    @Test func decodesOggOpusFromFFmpegAndOpusenc() throws {
        let dir = CodecCLI.scratch()
        let input = Fixtures.sampleAudio("speech-zh-48k.wav")
        #expect(try CodecCLI.tool("ffmpeg", ["-v", "error", "-y", "-i", input, "-c:a", "libopus", "-b:a", "20k", dir + "/ff.opus"]).status == 0)
        #expect(try CodecCLI.tool("opusenc", ["--quiet", input, dir + "/oe.opus"]).status == 0)
        for name in ["ff", "oe"] {
            let o = try CodecCLI.timbre(["codec", "decode", "--codec", "opus", dir + "/\(name).opus", dir + "/\(name).wav"])
            #expect(o.status == 0, "\(name): \(o.stderr)")
            let pcm = try CodecCLI.ffmpegPCM(dir + "/\(name).wav", rate: 48_000)
            #expect(abs(pcm.count - 48_000 * 45 / 10) <= 960, "\(name): \(pcm.count) samples")
        }
    }

    /// Every usage or input error: exit 2, exactly one line on stderr, nothing on stdout.
    @Test func inputAndUsageErrorsExitTwoWithOneLine() throws {
        let dir = CodecCLI.scratch()
        let tone = Fixtures.sampleAudio("tone-1khz-8k.wav")
        // Fixtures for bad input.
        let speech = try CodecCLI.ffmpegPCM(tone, rate: 8_000)
        try CodecCLI.wav(rate: 8_000, channels: 0, samples: speech).write(to: URL(fileURLWithPath: dir + "/zero-channels.wav"))
        try CodecCLI.wav(rate: 0, channels: 1, samples: speech).write(to: URL(fileURLWithPath: dir + "/zero-rate.wav"))
        try CodecCLI.wav(rate: 3, channels: 1, samples: speech).write(to: URL(fileURLWithPath: dir + "/3hz.wav"))
        try CodecCLI.wav(rate: 8_000, channels: 1, samples: Array(speech.prefix(100)), declaredDataBytes: 1_000_000)
            .write(to: URL(fileURLWithPath: dir + "/lying.wav"))
        let full = try Data(contentsOf: URL(fileURLWithPath: tone))
        try full.prefix(40).write(to: URL(fileURLWithPath: dir + "/truncated.wav"))
        try Data("this is not audio at all, just some text\n".utf8).write(to: URL(fileURLWithPath: dir + "/text.wav"))
        #expect(try CodecCLI.timbre(["codec", "encode", "--codec", "opus", tone, dir + "/ok.opus"]).status == 0)
        let ogg = try Data(contentsOf: URL(fileURLWithPath: dir + "/ok.opus"))
        try ogg.prefix(ogg.count - 7).write(to: URL(fileURLWithPath: dir + "/truncated.opus"))
        var corrupt = ogg
        corrupt[corrupt.count - 20] ^= 0x01
        try corrupt.write(to: URL(fileURLWithPath: dir + "/badcrc.opus"))

        let cases: [([String], String)] = [
            (["codec", "encode", "--codec", "pcmu", dir + "/missing.wav", dir + "/o"], "no such file"),
            (["codec", "encode", "--codec", "pcmu", dir + "/text.wav", dir + "/o"], "not an audio file"),
            (["codec", "encode", "--codec", "pcmu", dir + "/truncated.wav", dir + "/o"], "truncated"),
            (["codec", "encode", "--codec", "pcmu", dir + "/lying.wav", dir + "/o"], "lying.wav"),
            (["codec", "encode", "--codec", "pcmu", dir + "/zero-channels.wav", dir + "/o"], "zero-channels.wav"),
            (["codec", "encode", "--codec", "pcmu", dir + "/zero-rate.wav", dir + "/o"], "zero-rate.wav"),
            (["codec", "encode", "--codec", "g722", dir + "/3hz.wav", dir + "/o"], "3hz.wav"),
            (["codec", "encode", "--codec", "gsm", tone, dir + "/o"], "unknown codec 'gsm'"),
            (["codec", "encode", "--codec", "opus", "--bitrate", "100", tone, dir + "/o"], "--bitrate"),
            (["codec", "encode", "--codec", "opus", "--complexity", "11", tone, dir + "/o"], "--complexity"),
            (["codec", "encode", "--codec", "pcmu", "--bitrate", "20000", tone, dir + "/o"], "opus only"),
            (["codec", "encode", "--codec", "pcmu", tone], "Missing expected argument"),
            (["codec", "encode", "--codec", "pcmu", tone, dir + "/no/such/dir/o"], "o"),
            (["codec", "decode", "--codec", "g722", "--mode", "4", dir + "/o", dir + "/o.wav"], "--mode"),
            (["codec", "decode", "--codec", "pcmu", "--mode", "2", tone, dir + "/o.wav"], "g722 only"),
            (["codec", "decode", "--codec", "opus", tone, dir + "/o.wav"], "not an Ogg stream"),
            (["codec", "decode", "--codec", "opus", dir + "/truncated.opus", dir + "/o.wav"], "truncated Ogg page"),
            (["codec", "decode", "--codec", "opus", dir + "/badcrc.opus", dir + "/o.wav"], "bad CRC"),
            (["codec", "decode", "--codec", "pcma", dir + "/missing.al", dir + "/o.wav"], "missing.al"),
            (["codec", "decode", "--codec", "pcma", dir, dir + "/o.wav"], "directory"),
            (["codec", "frobnicate"], "frobnicate"),
            (["codec", "list", "--yaml"], "--yaml"),
        ]
        for (arguments, expected) in cases {
            let o = try CodecCLI.timbre(arguments)
            #expect(o.status == 2, "\(arguments): exit \(o.status), \(o.stderr)")
            #expect(o.stderrLines.count == 1, "\(arguments): \(o.stderr)")
            #expect(o.stderr.hasPrefix("timbre: ") && o.stderr.contains(expected), "\(arguments): \(o.stderr)")
            #expect(o.stdout.isEmpty)
        }
    }
}
