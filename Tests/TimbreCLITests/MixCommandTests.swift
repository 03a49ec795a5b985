import Foundation
import Testing
import TimbreAudioFile
import TimbreTestSupport

/// `timbre mix`, run as the built binary; outputs are read back with libsndfile
/// (TimbreAudioFile) and, for resampling, compared against sox.
@Suite struct MixCommandTests {
    typealias Run = ChildProcess.Output

    static var binary: String { ChildProcess.timbreExecutable }

    static func run(_ executable: String, _ arguments: [String]) throws -> Run { try ChildProcess.run(executable, arguments) }

    static func timbre(_ arguments: [String]) throws -> Run { try ChildProcess.timbre(arguments) }

    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "timbre-mix-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func tone(_ f: Double, rate: Int, count: Int, amplitude: Double) -> [Int16] {
        (0..<count).map { Int16((amplitude * sin(2 * .pi * f * Double($0) / Double(rate))).rounded()) }
    }

    static func read(_ path: String) throws -> (samples: [Int16], rate: Int) {
        let r = try AudioFileReader.readMono(path: path)
        return (r.samples, r.sampleRate)
    }

    /// Same-rate inputs of different lengths: full = Σ, minus-i = full − i, sample for sample,
    /// as long as the longest input; speakers.json lists the files as given.
    @Test func sumsAreExactBelowTheLimiter() throws {
        let dir = Self.scratch("exact")
        let signals = [
            Self.tone(440, rate: 16_000, count: 16_000, amplitude: 4000),
            SignalGenerator.noise(count: 12_345, amplitude: 0.1, seed: 3),
            Self.tone(1234, rate: 16_000, count: 20_000, amplitude: 3000),
        ]
        var paths: [String] = []
        for (i, s) in signals.enumerated() {
            let p = dir + "/in\(i).wav"
            try AudioFileWriter.write(s, to: p, sampleRate: 16_000)
            paths.append(p)
        }
        let r = try Self.timbre(["mix", "--out-dir", dir + "/out/nested"] + paths)
        #expect(r.status == 0, "\(r.stderr)")
        let full = try Self.read(dir + "/out/nested/full.wav")
        #expect(full.rate == 16_000)
        #expect(full.samples.count == 20_000)
        func input(_ i: Int, _ t: Int) -> Int { t < signals[i].count ? Int(signals[i][t]) : 0 }
        var bad = 0
        for t in 0..<20_000 where Int(full.samples[t]) != input(0, t) + input(1, t) + input(2, t) { bad += 1 }
        #expect(bad == 0)
        for i in 0..<3 {
            let m = try Self.read(dir + "/out/nested/minus-\(i).wav")
            #expect(m.samples.count == 20_000)
            var wrong = 0
            for t in 0..<20_000 where Int(m.samples[t]) != Int(full.samples[t]) - input(i, t) { wrong += 1 }
            #expect(wrong == 0, "minus-\(i)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/nested/speakers.json"))) as! [String: Any]
        #expect(json["rate"] as? Int == 16_000)
        let participants = json["participants"] as! [[String: Any]]
        #expect(participants.map { $0["file"] as! String } == paths)
        #expect(participants.map { $0["index"] as! Int } == [0, 1, 2])
    }

    /// Inputs at 8 and 48 kHz mixed at 16 kHz are resampled and sample-aligned: the mix matches
    /// sox's resampling of the same inputs to within resampler differences (no offset).
    @Test func mixedRatesAreAligned() throws {
        let dir = Self.scratch("rates")
        let a = Self.tone(440, rate: 8000, count: 8000, amplitude: 5000)
        let b = Self.tone(1000, rate: 48_000, count: 72_000, amplitude: 5000)
        try AudioFileWriter.write(a, to: dir + "/a8k.wav", sampleRate: 8000)
        try AudioFileWriter.write(b, to: dir + "/b48k.wav", sampleRate: 48_000)
        let r = try Self.timbre(["mix", "--out-dir", dir, "--rate", "16000", dir + "/a8k.wav", dir + "/b48k.wav"])
        #expect(r.status == 0, "\(r.stderr)")
        for (name, rate) in [("a8k", 8000), ("b48k", 48_000)] {
            _ = rate
            let s = try Self.run("/usr/bin/sox", [dir + "/\(name).wav", "-r", "16000", dir + "/\(name)-sox.wav"])
            #expect(s.status == 0)
        }
        let full = try Self.read(dir + "/full.wav").samples
        #expect(abs(full.count - 24_000) <= 320)
        let ra = try Self.read(dir + "/a8k-sox.wav").samples
        let rb = try Self.read(dir + "/b48k-sox.wav").samples
        // Compare away from the edges; any misalignment of a 1 kHz tone by one sample at 16 kHz
        // would leave an error of about −8 dB relative to the signal.
        var err = 0.0
        var sig = 0.0
        for t in 1000..<7000 {
            let ref = Double(ra[t]) + Double(rb[t])
            err += (Double(full[t]) - ref) * (Double(full[t]) - ref)
            sig += ref * ref
        }
        #expect(10 * log10(err / sig) < -30)
        // minus-0 is b alone (to within the same resampler differences).
        let m0 = try Self.read(dir + "/minus-0.wav").samples
        var e0 = 0.0
        var s0 = 0.0
        for t in 1000..<20_000 {
            e0 += (Double(m0[t]) - Double(rb[t])) * (Double(m0[t]) - Double(rb[t]))
            s0 += Double(rb[t]) * Double(rb[t])
        }
        #expect(10 * log10(e0 / s0) < -30)
    }

    /// Full-scale inputs: limited below full scale, never −32768.
    @Test func limiterAtFullScale() throws {
        let dir = Self.scratch("limit")
        let square = SignalGenerator.square(period: 64, count: 16_000)
        try AudioFileWriter.write(square, to: dir + "/s.wav", sampleRate: 16_000)
        let r = try Self.timbre(["mix", "--out-dir", dir, dir + "/s.wav", dir + "/s.wav", dir + "/s.wav"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["full", "minus-0", "minus-2"] {
            let s = try Self.read(dir + "/\(name).wav").samples
            #expect(!s.contains(Int16.min))
            #expect(s.allSatisfy { abs(Int32($0)) < 32_700 })
            #expect(s.map { abs(Int32($0)) }.max()! > 16_000)
        }
    }

    /// --top-k 2 with two talkers and two idle microphones mixes only the talkers; K ≥ N mixes
    /// everyone, idle microphones included.
    @Test func topK() throws {
        let dir = Self.scratch("topk")
        let inputs = [
            Self.tone(500, rate: 16_000, count: 32_000, amplitude: 5000),
            SignalGenerator.noise(count: 32_000, amplitude: 0.002, seed: 1),
            Self.tone(900, rate: 16_000, count: 32_000, amplitude: 4000),
            SignalGenerator.noise(count: 32_000, amplitude: 0.002, seed: 2),
        ]
        var paths: [String] = []
        for (i, s) in inputs.enumerated() {
            try AudioFileWriter.write(s, to: dir + "/i\(i).wav", sampleRate: 16_000)
            paths.append(dir + "/i\(i).wav")
        }
        let r = try Self.timbre(["mix", "--out-dir", dir + "/k2", "--top-k", "2"] + paths)
        #expect(r.status == 0, "\(r.stderr)")
        let full = try Self.read(dir + "/k2/full.wav").samples
        var bad = 0
        for t in 8000..<32_000 where Int(full[t]) != Int(inputs[0][t]) + Int(inputs[2][t]) { bad += 1 }
        #expect(bad == 0)
        let r4 = try Self.timbre(["mix", "--out-dir", dir + "/k4", "--top-k", "4"] + paths)
        #expect(r4.status == 0)
        let all = try Self.read(dir + "/k4/full.wav").samples
        var bad4 = 0
        for t in 0..<32_000 where Int(all[t]) != inputs.reduce(0, { $0 + Int($1[t]) }) { bad4 += 1 }
        #expect(bad4 == 0)
    }

    /// Speech is reported, −50 dBFS noise is not; --json prints the same object as the file.
    @Test func speakersJSONOnSpeechAndNoise() throws {
        let dir = Self.scratch("speakers")
        let speech = Fixtures.sampleAudio("speech-en-female-8k.wav")
        let noise = dir + "/idle.wav"
        let s = try Self.run("/usr/bin/sox", [Fixtures.sampleAudio("noise-48k.wav"), noise, "gain", "-20"])
        #expect(s.status == 0)
        let r = try Self.timbre(["mix", "--out-dir", dir, "--json", "--rate", "48000", speech, noise])
        #expect(r.status == 0, "\(r.stderr)")
        let file = try String(contentsOfFile: dir + "/speakers.json", encoding: .utf8)
        #expect(file == r.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["rate"] as? Int == 48_000)
        let events = json["events"] as! [[String: Any]]
        #expect(events.contains { $0["participant"] as? Int == 0 && $0["speaking"] as? Bool == true })
        #expect(!events.contains { $0["participant"] as? Int == 1 })
        let times = events.map { $0["t"] as! Double }
        #expect(times == times.sorted())
        #expect(try Self.read(dir + "/full.wav").rate == 48_000)
    }

    @Test(arguments: [
        ["mix", "--out-dir", "/tmp/timbre-mix-err"],
        ["mix", "--out-dir", "/tmp/timbre-mix-err", "--rate", "22050", "SampleAudio/tone-1khz-8k.wav"],
        ["mix", "--out-dir", "/tmp/timbre-mix-err", "/etc/hostname"],
        ["mix", "--out-dir", "/tmp/timbre-mix-err", "/nonexistent/x.wav"],
        ["mix", "--out-dir", "/tmp/timbre-mix-err", "--top-k", "0", "SampleAudio/tone-1khz-8k.wav"],
        ["mix", "SampleAudio/tone-1khz-8k.wav"],
    ])
    func errorsExit2WithOneLine(arguments: [String]) throws {
        let r = try Self.timbre(arguments.map { $0.hasPrefix("SampleAudio/") ? Fixtures.repositoryRoot + "/" + $0 : $0 })
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
    }
}
