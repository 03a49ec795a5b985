import Foundation
import Testing

@Suite struct BenchCommandTests {
    @Test func jsonHasEveryKernelWithTheIssueSchema() throws {
        let o = try CodecCLI.timbre(["bench", "--json", "--seconds", "0.01", "--buffer-samples", "32768"])
        #expect(o.status == 0, "\(o.stderr)")
        let results = try #require(try CodecCLI.json(o)["results"] as? [[String: Any]])
        let kernels = Set(results.compactMap { $0["kernel"] as? String })
        #expect(kernels == ["pcmu.encode", "pcmu.decode", "pcma.encode", "pcma.decode", "g722.encode", "g722.decode", "opus.encode", "opus.decode"])
        for row in results {
            let kernel = row["kernel"] as? String ?? "?"
            let frame = try #require(row["frameSamples"] as? Int)
            let rate = try #require(row["sampleRate"] as? Int)
            let sps = try #require(row["samplesPerSecond"] as? Double)
            let rtf = try #require(row["realtimeFactor"] as? Double)
            #expect(sps > 0 && rtf > 0, "\(kernel)")
            #expect(abs(rtf - sps / Double(rate)) <= 0.06 + rtf * 0.001, "\(kernel)")
            if kernel.hasPrefix("opus") {
                #expect(row["bitrate"] as? Int == 32_000)
                #expect(row["complexity"] as? Int == 9)
                #expect(frame == 960 && rate == 48_000)
            } else {
                #expect(row["bitrate"] == nil && row["complexity"] == nil)
                #expect([160, 320, 32_768].contains(frame))
            }
        }
        // 20 ms frames and 1 M-sample buffers for the waveform codecs.
        #expect(results.filter { $0["kernel"] as? String == "pcmu.encode" }.compactMap { $0["frameSamples"] as? Int } == [160, 32_768])
        #expect(results.filter { $0["kernel"] as? String == "g722.decode" }.compactMap { $0["frameSamples"] as? Int } == [320, 32_768])
    }

    @Test func textOutputAndOpusSettings() throws {
        let o = try CodecCLI.timbre(["bench", "--seconds", "0.01", "--bitrate", "16000", "--complexity", "3", "--buffer-samples", "4096"])
        #expect(o.status == 0)
        #expect(o.stdout.contains("opus.encode") && o.stdout.contains("16 kbit/s, complexity 3"))
        #expect(o.stdout.contains("SampleAudio/speech-en-male"))
    }

    @Test func kernelFilterAndFixedIterations() throws {
        let o = try CodecCLI.timbre(["bench", "--json", "--kernel", "opus.dec", "--iterations", "1"])
        #expect(o.status == 0)
        let results = try #require(try CodecCLI.json(o)["results"] as? [[String: Any]])
        #expect(results.map { $0["kernel"] as? String } == ["opus.decode"])
    }

    @Test func badArgumentsExitTwo() throws {
        for arguments in [["bench", "--seconds", "0"], ["bench", "--seconds", "nan"], ["bench", "--seconds", "1000"], ["bench", "--complexity", "-1"], ["bench", "--buffer-samples", "7"], ["bench", "--kernel", "mp3"], ["bench", "--iterations", "0"]] {
            let o = try CodecCLI.timbre(arguments)
            #expect(o.status == 2, "\(arguments)")
            #expect(o.stderrLines.count == 1, "\(arguments): \(o.stderr)")
        }
    }
}
