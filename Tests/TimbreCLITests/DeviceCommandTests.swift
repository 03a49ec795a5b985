import Foundation
import Testing
import TimbreAudioFile
import TimbreTestSupport

/// `timbre device` through alsa-lib's software PCMs: `null`, and the `file` plugin defined in
/// an `.asoundrc` under a temporary HOME (alsa-lib's default configuration loads ~/.asoundrc).
@Suite struct DeviceCommandTests {
    @Test func listIncludesNull() throws {
        let r = try DSPCLIProcess.timbre(["device", "list", "--json"])
        #expect(r.status == 0)
        let list = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(list.contains { $0["name"] as? String == "null" && $0["direction"] as? String == "both" })
    }

    @Test func recordAndPlayOnNull() throws {
        let dir = DSPCLIProcess.scratch("device")
        let out = dir + "/rec.wav"
        let r = try DSPCLIProcess.timbre(["device", "record", "--device", "null", "--seconds", "0.25", "--rate", "16000", out])
        #expect(r.status == 0, "\(r.stderr)")
        let rec = try AudioFileReader.readMono(path: out)
        #expect(rec.sampleRate == 16000 && rec.samples.count == 4000)
        #expect(rec.samples.allSatisfy { $0 == 0 })  // null captures silence
        let p = try DSPCLIProcess.timbre(["device", "play", "--device", "null", Fixtures.sampleAudio("speech-fr-8k.wav")])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stderr.contains("played 36000 frames"))
    }

    @Test func unknownDevicesAndBadArgumentsAreExitTwo() throws {
        let dir = DSPCLIProcess.scratch("device-bad")
        let cases: [[String]] = [
            ["device", "record", "--device", "no-such-pcm", "--seconds", "1", dir + "/x.wav"],
            ["device", "play", "--device", "no-such-pcm", Fixtures.sampleAudio("speech-fr-8k.wav")],
            ["device", "play", "--device", "null", dir + "/missing.wav"],
            ["device", "record", "--device", "null", "--seconds", "0", dir + "/x.wav"],
            ["device", "record", "--device", "null", "--seconds", "1", "--rate", "1", dir + "/x.wav"],
            ["device", "echo-test", "--capture", "no-such-pcm", "--playback", "null"],
            ["device", "echo-test", "--capture", "null", "--playback", "null", "--rate", "44100"],
        ]
        for args in cases {
            let r = try DSPCLIProcess.timbre(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
    }

    @Test func echoTestMeasuresDelayAndLevelThroughTheFilePlugin() throws {
        let dir = DSPCLIProcess.scratch("echo-test")
        // 1. Silence in, silence out: no echo, exit 1; keep the phrase it played.
        let phrasePath = dir + "/phrase.wav"
        let quiet = try DSPCLIProcess.timbre(["device", "echo-test", "--capture", "null", "--playback", "null", "--rate", "8000", "--json", "--save-played", phrasePath])
        #expect(quiet.status == 1)
        let q = try DSPCLIProcess.json(quiet.stdout)
        #expect(q["echoDetected"] as? Bool == false)
        // 2. A capture device whose input is the phrase 100 ms later at half amplitude (−6 dB).
        let phrase = try AudioFileReader.readMono(path: phrasePath).samples
        var echo = [Int16](repeating: 0, count: 800) + phrase.map { $0 / 2 }
        echo += [Int16](repeating: 0, count: 16000)
        let raw = dir + "/echo.raw"
        echo.withUnsafeBytes { FileManager.default.createFile(atPath: raw, contents: Data($0)) }
        let asoundrc = """
            pcm.timbreecho {
                type file
                slave.pcm "null"
                file "/dev/null"
                infile "\(raw)"
                format "raw"
            }

            """
        FileManager.default.createFile(atPath: dir + "/.asoundrc", contents: Data(asoundrc.utf8))
        let r = try DSPCLIProcess.timbre(
            ["device", "echo-test", "--capture", "timbreecho", "--playback", "null", "--rate", "8000", "--json"],
            environment: ["HOME": dir])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try DSPCLIProcess.json(r.stdout)
        let delay = try #require(j["roundTripDelayMs"] as? Double)
        let level = try #require(j["echoLevelDb"] as? Double)
        #expect(abs(delay - 100) <= 2)
        #expect(abs(level - -6.02) <= 1)
    }
}
