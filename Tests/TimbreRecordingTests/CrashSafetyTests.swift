import Foundation
import Testing
import TimbreAudioFile
import TimbreRecording
import TimbreTestSupport

/// A real `timbre recording capture` process, killed with SIGKILL at random moments; the file it
/// leaves is then checked with libsndfile (our strict `AudioFileReader`, which rejects lying RIFF
/// sizes) and ffmpeg. No timing is asserted: the process reports each on-disk checkpoint on
/// stdout, and the file must hold at least the last checkpoint reported before the kill.
@Suite struct CrashSafetyTests {
    /// Starts a capture, waits for `checkpoints` checkpoint lines plus a random extra delay,
    /// SIGKILLs it and returns the last checkpoint it reported.
    static func killMidRecording(path: String, format: String, rate: Int, checkpoints: Int, extraMicroseconds: UInt32) throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TimbreProcess.executable)
        p.arguments = ["recording", "capture", "--realtime", "--checkpoints", "--seconds", "60", "--format", format, "--rate", "\(rate)", path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var buffered = ""
        var last = 0
        var seen = 0
        let handle = out.fileHandleForReading
        while seen < checkpoints {
            let d = handle.availableData
            if d.isEmpty { break }
            buffered += String(decoding: d, as: UTF8.self)
            while let nl = buffered.firstIndex(of: "\n") {
                let line = String(buffered[..<nl])
                buffered.removeSubrange(...nl)
                if line.hasPrefix("checkpoint ") { last = Int(line.dropFirst(11)) ?? last; seen += 1 }
            }
        }
        usleep(extraMicroseconds)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // Checkpoints printed after our last read but before the kill only raise the bar.
        for line in String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n") where line.hasPrefix("checkpoint ") {
            last = Int(line.dropFirst(11)) ?? last
        }
        #expect(p.terminationReason == .uncaughtSignal)
        return last
    }

    /// The generated tone the capture command writes (channel 0): 300 Hz at -12 dBFS.
    static func expectedSample(_ i: Int, rate: Int) -> Int16 { Int16(8192 * sin(2 * Double.pi * 300 * Double(i) / Double(rate))) }

    @Test(arguments: [(UInt64(1), 8000), (UInt64(2), 16000), (UInt64(3), 48000)])
    func wavSurvivesSIGKILL(seed: UInt64, rate: Int) throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SeededRandom(seed: seed)
        let path = dir + "/killed.wav"
        let checkpoint = try Self.killMidRecording(
            path: path, format: "wav", rate: rate, checkpoints: Int.random(in: 1...3, using: &rng),
            extraMicroseconds: UInt32.random(in: 0...700_000, using: &rng))
        #expect(checkpoint > 0)
        // Valid as it lies on disk, before any repair: libsndfile and ffmpeg both read it cleanly.
        let reader = try AudioFileReader(path: path)
        #expect(reader.frameCount >= checkpoint)
        let samples = try reader.readAll()
        #expect(samples.count == reader.frameCount)
        #expect(samples.indices.allSatisfy { samples[$0] == Self.expectedSample($0, rate: rate) }, "the audio is the stream, in order")
        let ff = try TimbreProcess.ffmpegDecodeErrors(path)
        #expect(ff.status == 0 && ff.errors.isEmpty, "\(ff.errors)")
        // Repair then extends the file to every whole frame that reached the disk.
        let fixed = try RecordingRepair.repair(path: path)
        #expect(fixed.frames >= reader.frameCount)
        let after = try AudioFileReader(path: path)
        #expect(after.frameCount == fixed.frames)
        let all = try after.readAll()
        #expect(all.indices.allSatisfy { all[$0] == Self.expectedSample($0, rate: rate) })
        let m = try RecordingMetadata.read(from: path + ".json")
        #expect(m.state == "repaired" && m.durationSeconds == Double(fixed.frames) / Double(rate))
    }

    @Test(arguments: ["flac", "opus"])
    func compressedFormatsRecoverAfterSIGKILL(format: String) throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/killed." + format
        let checkpoint = try Self.killMidRecording(path: path, format: format, rate: 16000, checkpoints: 3, extraMicroseconds: 300_000)
        #expect(checkpoint >= 16000)
        // ffmpeg plays the killed file as is (a torn last block may be reported, not fatal).
        let ff = try TimbreProcess.ffmpegDecodeErrors(path)
        #expect(ff.status == 0)
        let fixed = try RecordingRepair.repair(path: path)
        #expect(fixed.frames > 0)
        let reader = try AudioFileReader(path: path)
        #expect(abs(reader.frameCount - fixed.frames) <= 960)
        let clean = try TimbreProcess.ffmpegDecodeErrors(path)
        #expect(clean.status == 0 && clean.errors.isEmpty, "\(clean.errors)")
    }

    @Test func repairFixesStaleSizesAndTornFrame() throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/stale.wav"
        let samples = SignalGenerator.sine(frequency: 440, sampleRate: 8000, count: 8000)
        try AudioFileWriter.write(samples, to: path, sampleRate: 8000)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // What a crash before the first checkpoint leaves: sizes 0, plus half a sample at the end.
        for i in 4..<8 { bytes[i] = 0 }
        for i in 40..<44 { bytes[i] = 0 }
        bytes.append(0x12)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect((try? AudioFileReader(path: path).readAll())?.isEmpty ?? true, "before repair nothing plays")
        let r = try RecordingRepair.repair(path: path)
        #expect(r.changed && r.frames == 8000)
        #expect(try AudioFileReader.readMono(path: path).samples == samples)
        let again = try RecordingRepair.repair(path: path)
        #expect(!again.changed && again.frames == 8000)
        // Not a recording at all.
        let junk = dir + "/junk.wav"
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: junk))
        #expect(throws: RecordingRepair.Failure.self) { try RecordingRepair.repair(path: junk) }
        #expect(throws: RecordingRepair.Failure.self) { try RecordingRepair.repair(path: dir + "/missing.wav") }
    }

    /// A full disk, made with a file-size limit (RLIMIT_FSIZE via `ulimit -f`) on the child: the
    /// big recording stops with a `failed` event and stays valid; the small one goes on to the end.
    @Test func diskFullStopsOnlyThatRecording() throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.wav", small = dir + "/small.wav"
        let o = try TimbreProcess.shell("ulimit -f 200; exec \"$TIMBRE\" recording capture --seconds 5 --rate 48000 --parties 2 --also-record '\(small)' '\(big)'")
        #expect(o.status == 1)
        #expect(o.stdout.contains("\nfailed ") || o.stdout.hasPrefix("failed "), "\(o.stdout)")
        #expect(o.stdout.contains("extra stopped 5.0"), "\(o.stdout)")
        let limit = 200 * 1024
        let bigReader = try AudioFileReader(path: big)
        #expect(bigReader.fileSize <= limit && bigReader.frameCount > 0)
        #expect(bigReader.frameCount * 4 + 44 > limit - 48000 * 4, "it wrote until the disk was full")
        #expect(try TimbreProcess.ffmpegDecodeErrors(big).errors.isEmpty)
        let m = try RecordingMetadata.read(from: big + ".json")
        #expect(m.state == "failed" && m.error != nil)
        #expect(try AudioFileReader(path: small).frameCount == 40000)
        #expect(try RecordingMetadata.read(from: small + ".json").state == "stopped")
    }
}
