import Foundation
import Testing
import TimbreTestSupport

/// Runs the built `timbre` (next to the test bundle, else .build/debug) for `netsim`.
enum NetsimProcess {
    typealias Output = ChildProcess.Output

    static func shell(_ script: String) throws -> Output { try ChildProcess.shell(script) }

    static func run(_ arguments: [String]) throws -> Output { try ChildProcess.timbre(arguments) }

    static func temporaryDirectory() throws -> String { try ChildProcess.scratchDirectory("timbre-netsim") }

    /// Sample count of a WAV according to sox's `soxi` (an oracle we did not write).
    static func samples(_ path: String) throws -> Int {
        Int(try shell("soxi -s '\(path)'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

@Suite struct NetsimCommandTests {
    @Test func generateIsSeededAndCoversEveryModel() throws {
        let dir = try NetsimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for model in ["lan", "wifi", "4g-handover", "bursty-loss", "reorder", "outage", "drift"] {
            let a = try NetsimProcess.run(["netsim", "generate", "--model", model, "--seconds", "10", "--seed", "4", dir + "/a.csv"])
            #expect(a.status == 0, "\(model): \(a.stderr)")
            _ = try NetsimProcess.run(["netsim", "generate", "--model", model, "--seconds", "10", "--seed", "4", dir + "/b.csv"])
            _ = try NetsimProcess.run(["netsim", "generate", "--model", model, "--seconds", "10", "--seed", "5", dir + "/c.csv"])
            let ta = try String(contentsOfFile: dir + "/a.csv", encoding: .utf8)
            #expect(ta.hasPrefix("seq,send_ms,arrival_ms\n"))
            #expect(ta.split(separator: "\n").count == 501)
            #expect(ta == (try String(contentsOfFile: dir + "/b.csv", encoding: .utf8)))
            if model != "lan" || true {
                #expect(ta != (try String(contentsOfFile: dir + "/c.csv", encoding: .utf8)))
            }
        }
        let bad = try NetsimProcess.run(["netsim", "generate", "--model", "dialup", "--seconds", "10", dir + "/x.csv"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown model"))
    }

    @Test(arguments: ["pcmu", "g722", "opus"])
    func statisticsAgreeWithTheOutput(codec: String) throws {
        let dir = try NetsimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try NetsimProcess.run(["netsim", "generate", "--model", "bursty-loss", "--seconds", "5", "--seed", "2", dir + "/t.csv"]).status == 0)
        let r = try NetsimProcess.run([
            "netsim", "--trace", dir + "/t.csv", "--codec", codec, "--in", Fixtures.sampleAudio("speech-en-female-16k.wav"),
            "--out", dir + "/out.wav", "--stats", dir + "/stats.json", "--clock-drift-ppm", "150",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try NetsimProcess.json(dir + "/stats.json")
        let total = s["totalSamplesReceived"] as? Int ?? -1
        #expect(total == (try NetsimProcess.samples(dir + "/out.wav")))
        let concealed = s["concealedSamples"] as? Int ?? -1
        let ratio = s["concealedRatio"] as? Double ?? -1
        #expect(abs(ratio - Double(concealed) / Double(total)) < 1e-5)
        let rate = s["sampleRate"] as? Int ?? 0
        let arrived = s["framesArrived"] as? Int ?? 0
        // Decoded audio never exceeds what arrived (plus FEC recovered from arrived packets and
        // samples added by preemptive expand).
        let extra = (s["fecRecoveredSamples"] as? Int ?? 0) + (s["insertedSamplesForDeceleration"] as? Int ?? 0)
        #expect((s["jitterBufferEmittedCount"] as? Int ?? .max) <= arrived * rate / 50 + extra)
        #expect((s["packetsLost"] as? Int ?? 0) > 0)
        #expect((s["meanPlayoutDelayMs"] as? Double ?? 0) > 30)
        #expect((s["p95PlayoutDelayMs"] as? Double ?? 0) >= (s["meanPlayoutDelayMs"] as? Double ?? 0))
        if codec == "opus" {
            // Single losses come back from the next packet's in-band FEC.
            #expect((s["fecRecoveredSamples"] as? Int ?? 0) > 0)
        }
    }

    @Test func badInputIsAOneLineUsageError() throws {
        let dir = try NetsimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let wav = Fixtures.sampleAudio("speech-en-male-8k.wav")
        try "seq,send_ms,arrival_ms\n0,0,10\n1,20,abc\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        try "seq,send_ms,arrival_ms\n0,0,10\n".write(toFile: dir + "/ok.csv", atomically: true, encoding: .utf8)
        try "0,0,10\n".write(toFile: dir + "/noheader.csv", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--trace", dir + "/bad.csv", "--codec", "pcmu"], "line 3"),
            (["--trace", dir + "/noheader.csv", "--codec", "pcmu"], "header"),
            (["--trace", dir + "/missing.csv", "--codec", "pcmu"], "cannot read trace"),
            (["--trace", dir + "/ok.csv", "--codec", "gsm"], "unknown codec"),
            (["--trace", dir + "/ok.csv", "--codec", "pcmu", "--jitter-buffer", "fixed:abc"], "--jitter-buffer"),
            (["--trace", dir + "/ok.csv", "--codec", "pcmu", "--clock-drift-ppm", "1e9"], "--clock-drift-ppm"),
        ]
        for (args, needle) in cases {
            let r = try NetsimProcess.run(["netsim"] + args + ["--in", wav, "--out", dir + "/o.wav", "--stats", dir + "/s.json"])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(needle), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        let notAudio = try NetsimProcess.run(["netsim", "--trace", dir + "/ok.csv", "--codec", "pcmu", "--in", dir + "/ok.csv", "--out", dir + "/o.wav", "--stats", dir + "/s.json"])
        #expect(notAudio.status == 2)
    }
}
