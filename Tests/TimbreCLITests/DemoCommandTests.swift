import Foundation
import Testing

@Suite struct DemoCommandTests {
    @Test func demoRoundTripsEveryCodec() throws {
        let o = try CodecCLI.timbre(["demo", "--json"])
        #expect(o.status == 0, "\(o.stderr)")
        let json = try CodecCLI.json(o)
        #expect((json["input"] as? String)?.hasSuffix("SampleAudio/speech-en-female-48k.wav") == true)
        let rows = try #require(json["results"] as? [[String: Any]])
        var snr: [String: Double] = [:]
        for row in rows { snr[row["codec"] as? String ?? "?"] = row["snrDB"] as? Double }
        #expect(snr.keys.sorted() == ["g722", "opus", "pcma", "pcmu"])
        // G.711 keeps ~38 dB on speech; G.722 ~25 dB after its 22-sample delay; Opus is
        // perceptual, but at 32 kbit/s still follows the waveform.
        #expect(snr["pcmu"]! > 33 && snr["pcma"]! > 33)
        #expect(snr["g722"]! > 18)
        #expect(snr["opus"]! > 3)
        #expect(rows.first { $0["codec"] as? String == "g722" }?["delaySamples"] as? Int == 22)
        let text = try CodecCLI.timbre(["demo"])
        #expect(text.status == 0 && text.stdout.contains("pcmu") && text.stdout.contains("x real time"))
    }

    @Test func withoutSampleAudioItSynthesisesAndSaysSo() throws {
        let empty = CodecCLI.scratch()
        let o = try CodecCLI.timbre(["demo", "--json"], environment: ["TIMBRE_SAMPLE_AUDIO": empty])
        #expect(o.status == 0)
        #expect(o.stderr.contains("SampleAudio/ not found"))
        #expect(o.stderrLines.count == 1)
        #expect(try CodecCLI.json(o)["input"] as? String == "synthesised speech-like signal")
    }
}
