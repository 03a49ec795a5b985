import Foundation
import Testing
import TimbreTestSupport

/// Runs the built `timbre` (next to the test bundle) and checks exit codes and JSON.
enum CLI {
    typealias Result = ChildProcess.Output

    static func run(_ args: [String]) throws -> Result { try ChildProcess.timbre(args) }

    static func tempDir() throws -> String { try ChildProcess.scratchDirectory("timbre-cli") }

    static func sox(_ args: [String]) throws { _ = try ChildProcess.run("/usr/bin/sox", args) }
}

@Suite struct GreetingCommandTests {
    let good = Fixtures.sampleAudio("speech-en-male-8k.wav")
    let wide = Fixtures.sampleAudio("speech-en-male-16k.wav")

    @Test func validateExitCodes() throws {
        #expect(try CLI.run(["greeting", "validate", good]).status == 0)
        let bad = try CLI.run(["greeting", "validate", good, wide])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("problem unsupported-sample-rate"))
        let missing = try CLI.run(["greeting", "validate", good, "/nonexistent.wav"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent.wav"))
        let profile = try CLI.run(["greeting", "validate", "--profile", "nope", good])
        #expect(profile.status == 2 && profile.stderr.hasPrefix("timbre: unknown profile"))
        #expect(try CLI.run(["greeting", "validate"]).status == 2)
        #expect(try CLI.run(["greeting", "validate", "--bogus", good]).status == 2)
    }

    @Test func validateJSONShape() throws {
        let r = try CLI.run(["greeting", "validate", "--json", "--profile", "3cx", good, wide])
        #expect(r.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        let first = array[0]
        #expect(Set(first.keys) == ["file", "valid", "profile", "format", "problems", "warnings"])
        #expect(first["valid"] as? Bool == true && first["profile"] as? String == "3cx" && first["file"] as? String == good)
        let format = try #require(first["format"] as? [String: Any])
        #expect(Set(format.keys) == ["container", "encoding", "sampleRate", "channels", "bitsPerSample", "bitrateKbps", "durationSeconds", "sizeBytes"])
        #expect(format["container"] as? String == "wav" && format["encoding"] as? String == "pcm16")
        #expect(format["sampleRate"] as? Int == 8000 && format["channels"] as? Int == 1 && format["bitsPerSample"] as? Int == 16)
        #expect(format["bitrateKbps"] as? Double == 128 && format["durationSeconds"] as? Double == 4.5 && format["sizeBytes"] as? Int == 72044)
        let second = array[1]
        #expect(second["valid"] as? Bool == false)
        let problems = try #require(second["problems"] as? [[String: String]])
        #expect(problems.map { $0["code"] } == ["unsupported-sample-rate"] && !(problems[0]["message"] ?? "").isEmpty)
    }

    @Test func convertSingleAndBatch() throws {
        let d = try CLI.tempDir(); defer { try? FileManager.default.removeItem(atPath: d) }
        let out = d + "/out.wav"
        let r = try CLI.run(["greeting", "convert", "--normalize", "--trim", Fixtures.sampleAudio("speech-fr-48k.wav"), out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.run(["greeting", "validate", out]).status == 0)
        let gsm = try CLI.run(["greeting", "convert", "--encoding", "gsm", wide, d + "/out.gsm"])
        #expect(gsm.status == 0)
        #expect(try CLI.run(["greeting", "validate", d + "/out.gsm"]).status == 0)
        #expect(try CLI.run(["greeting", "convert", "--encoding", "opus", wide, out]).status == 2)
        #expect(try CLI.run(["greeting", "convert", "--profile", "3cx", "--encoding", "alaw", wide, out]).status == 2)
        #expect(try CLI.run(["greeting", "convert", "/nonexistent.wav", out]).status == 2)
        // Batch: two good inputs and one that is not audio.
        let inDir = d + "/in", outDir = d + "/out"
        try FileManager.default.createDirectory(atPath: inDir, withIntermediateDirectories: true)
        try CLI.sox([Fixtures.sampleAudio("speech-zh-48k.wav"), "-c", "2", "-r", "44100", inDir + "/a.wav"])
        try FileManager.default.copyItem(atPath: Fixtures.sampleAudio("speech-en-female-16k.wav"), toPath: inDir + "/b.wav")
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: inDir + "/c.txt"))
        let b = try CLI.run(["greeting", "convert", "--batch", "--encoding", "ulaw", inDir, outDir])
        #expect(b.status == 1 && b.stderr.contains("c.txt") && b.stdout.contains("converted 2 of 3"))
        #expect(try CLI.run(["greeting", "validate", outDir + "/a.wav", outDir + "/b.wav"]).status == 0)
        #expect(!b.stderr.contains("["), "no progress bar when stderr is not a terminal")
    }
}
