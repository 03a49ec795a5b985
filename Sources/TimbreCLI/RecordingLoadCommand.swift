import ArgumentParser
import Foundation
import TimbreRecording

/// `timbre recording load`: N concurrent recordings fed in real time by one producer thread
/// and written by one `RecordingWriter` thread; reports overflow and CPU use. Run under
/// `taskset -c 0` to hold everything to one core (Benchmarks/peers/recording/run.sh does).
struct RecordingLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Measure the recorder: N concurrent real-time recordings, overflow and CPU."
    )

    @Option(help: "Concurrent recordings.") var recordings: Int = 1000
    @Option(help: "Seconds of real time to run.") var seconds: Double = 10
    @Option(help: "8000, 16000 or 48000.") var rate: Int = 16000
    @Option(help: "wav, wav-alaw, wav-ulaw, flac or opus.") var format: RecordingFormat.Encoding = .wavPCM16
    @Option(help: "Directory for the files (deleted afterwards unless --keep).") var directory: String
    @Flag(help: "Keep the recordings.") var keep = false

    func run() throws {
        guard recordings > 0, recordings <= 20_000 else { throw CLIError("--recordings must be 1...20000") }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = RecordingWriter()
        var recs: [Recorder] = []
        recs.reserveCapacity(recordings)
        for i in 0..<recordings {
            do {
                let r = try Recorder(
                    path: "\(directory)/load-\(i).\(format.isWAV ? "wav" : format == .flac ? "flac" : "opus")",
                    format: RecordingFormat(encoding: format, sampleRate: rate), callID: "load-\(i)", parties: ["mix"])
                recs.append(r)
            } catch { throw CLIError(error.description) }
        }
        for r in recs { writer.add(r) }
        let perFrame = rate / 50
        var frame = [Int16](repeating: 0, count: perFrame)
        for i in 0..<perFrame { frame[i] = Int16(8000 * sin(2 * Double.pi * 440 * Double(i) / Double(rate))) }
        let ticks = Int(seconds * 50)
        var usage0 = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage0)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let start = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        var due = start
        var late = 0
        frame.withUnsafeBufferPointer { f in
            for _ in 0..<ticks {
                for r in recs { r.append(f) }
                due += 20_000_000
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                if Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) > due { late += 1 }
                var d = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, nil)
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let loopWall = Double(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec) - start) / 1e9
        var usageLoop = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usageLoop)
        writer.shutdown()
        var usage1 = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage1)
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let wall = Double(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec) - start) / 1e9
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = secs(usage1.ru_utime) + secs(usage1.ru_stime) - secs(usage0.ru_utime) - secs(usage0.ru_stime)
        let overflow = recs.reduce(0) { $0 + $1.overflowFrames }
        print("recordings \(recordings) rate \(rate) format \(format.rawValue) seconds \(seconds)")
        print("overflow_frames \(overflow) late_ticks \(late) of \(ticks)")
        let loopCPU = secs(usageLoop.ru_utime) + secs(usageLoop.ru_stime) - secs(usage0.ru_utime) - secs(usage0.ru_stime)
        print(String(format: "streaming: wall_s %.2f cpu_s %.2f cpu_percent_of_one_core %.1f", loopWall, loopCPU, 100 * loopCPU / loopWall))
        print(String(format: "including close: wall_s %.2f cpu_s %.2f", wall, cpu))
        if !keep { try? FileManager.default.removeItem(atPath: directory) }
        if overflow > 0 { throw ExitCode(1) }
    }
}
