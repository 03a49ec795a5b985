import Foundation
import Testing
import TimbreAudioFile
import TimbreTestSupport

/// Runs the built `timbre` for the DSP and device commands.
enum DSPCLIProcess {
    typealias Run = ChildProcess.Output

    static func timbre(_ arguments: [String], environment: [String: String]? = nil) throws -> Run {
        try ChildProcess.timbre(arguments, environment: environment ?? [:])
    }

    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "timbre-dspcli-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

@Suite struct AECCommandTests {
    /// Far: two SampleAudio speech files at 8 kHz. Near: far delayed by `delayMs` through a
    /// direct path and three reflections, plus quiet noise.
    static func makeCase(dir: String, delayMs: Int) throws -> (far: String, near: String, count: Int) {
        let a = try AudioFileReader.readMono(path: Fixtures.sampleAudio("speech-en-male-8k.wav")).samples
        let b = try AudioFileReader.readMono(path: Fixtures.sampleAudio("speech-fr-8k.wav")).samples
        let far = a + b
        let d = delayMs * 8
        var rng = SeededRandom(seed: 5)
        let taps: [(Int, Double)] = [(0, 0.5), (23, -0.2), (91, 0.12), (260, 0.06)]
        var near = [Int16](repeating: 0, count: far.count - 321)  // NEAR shorter than FAR on purpose
        for n in near.indices {
            var y = Double(Int.random(in: -40...40, using: &rng))
            for (t, g) in taps where n - d - t >= 0 { y += g * Double(far[n - d - t]) }
            near[n] = Int16(max(-32768, min(32767, y.rounded())))
        }
        let farPath = dir + "/far.wav"
        let nearPath = dir + "/near.wav"
        try AudioFileWriter.write(far, to: farPath, sampleRate: 8000)
        try AudioFileWriter.write(near, to: nearPath, sampleRate: 8000)
        return (farPath, nearPath, near.count)
    }

    @Test func cancelsEchoAndReportsDelayAndERLE() throws {
        let dir = DSPCLIProcess.scratch("aec")
        let c = try Self.makeCase(dir: dir, delayMs: 120)
        let out = dir + "/out.wav"
        let r = try DSPCLIProcess.timbre(["aec", "--far", c.far, "--near", c.near, "--out", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try DSPCLIProcess.json(r.stdout)
        let delay = try #require(j["estimatedDelayMs"] as? Double)
        #expect(abs(delay - 120) <= 2)
        let erle = try #require(j["erleDb"] as? Double)
        #expect(erle >= 8)  // whole file, convergence included
        let timeline = try #require(j["timeline"] as? [[String: Any]])
        #expect(timeline.count == (c.count + 7999) / 8000)
        // Converged within 2 s: every later second cancels at least 20 dB.
        for t in timeline.dropFirst(2) {
            let e = try #require(t["erleDb"] as? Double)
            #expect(e >= 20, "second \(t["second"] ?? "?"): \(e) dB")
        }
        #expect(r.stderr.isEmpty)
        let written = try AudioFileReader.readMono(path: out)
        #expect(written.sampleRate == 8000)
        #expect(written.samples.count == c.count)
    }

    @Test func plainMDFIsWorseOnALongBulkDelay() throws {
        let dir = DSPCLIProcess.scratch("aec-plain")
        let c = try Self.makeCase(dir: dir, delayMs: 300)
        let aligned = try DSPCLIProcess.timbre(["aec", "--far", c.far, "--near", c.near, "--out", dir + "/a.wav", "--json", "--tail-ms", "150"])
        let plain = try DSPCLIProcess.timbre(["aec", "--far", c.far, "--near", c.near, "--out", dir + "/p.wav", "--json", "--tail-ms", "150", "--no-align"])
        #expect(aligned.status == 0 && plain.status == 0)
        let ea = try #require(try DSPCLIProcess.json(aligned.stdout)["erleDb"] as? Double)
        let ep = try #require(try DSPCLIProcess.json(plain.stdout)["erleDb"] as? Double)
        #expect(ea >= ep + 6, "aligned \(ea) dB, plain \(ep) dB")
    }

    @Test func badInputIsExitTwoWithOneLine() throws {
        let dir = DSPCLIProcess.scratch("aec-bad")
        let c = try Self.makeCase(dir: dir, delayMs: 10)
        let other = dir + "/16k.wav"
        try AudioFileWriter.write([Int16](repeating: 0, count: 1600), to: other, sampleRate: 16000)
        let odd = dir + "/44k.wav"
        try AudioFileWriter.write([Int16](repeating: 0, count: 4410), to: odd, sampleRate: 44100)
        let junk = dir + "/junk.wav"
        FileManager.default.createFile(atPath: junk, contents: Data("not audio at all".utf8))
        let cases: [[String]] = [
            ["aec", "--far", other, "--near", c.near, "--out", dir + "/o.wav"],  // rates differ
            ["aec", "--far", odd, "--near", odd, "--out", dir + "/o.wav"],  // 44.1 kHz
            ["aec", "--far", dir + "/missing.wav", "--near", c.near, "--out", dir + "/o.wav"],
            ["aec", "--far", junk, "--near", c.near, "--out", dir + "/o.wav"],
            ["aec", "--far", c.far, "--near", c.near, "--out", dir + "/o.wav", "--tail-ms", "5"],
            ["aec", "--far", c.far, "--near", c.near, "--out", dir + "/o.wav", "--frame-ms", "30"],
            ["aec", "--far", c.far, "--near", c.near],
        ]
        for args in cases {
            let r = try DSPCLIProcess.timbre(args)
            #expect(r.status == 2, "\(args): \(r.status)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/o.wav"))
    }
}
