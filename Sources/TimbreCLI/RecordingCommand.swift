import ArgumentParser
import Foundation
import TimbreAudioFile
import TimbreRecording

/// `timbre recording`: repair crashed recordings, and drive the real recorder from a generated
/// or file-fed stream (crash and disk-full tests, load measurement).
struct RecordingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recording",
        abstract: "Repair recordings left by a crash; capture and load-test the recorder.",
        subcommands: [RecordingRepairCommand.self, RecordingCaptureCommand.self, RecordingLoadCommand.self]
    )
}

/// `timbre recording repair FILE...`
struct RecordingRepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Fix WAV/FLAC/Ogg recordings left by a crashed process (sizes, torn last frame, sidecar)."
    )

    @Argument(help: "Recording files.") var files: [String]

    func run() throws {
        for f in files {
            do {
                let r = try RecordingRepair.repair(path: f)
                print("\(f): \(r.summary)")
            } catch {
                throw CLIError(error.description)
            }
        }
    }
}

extension RecordingFormat.Encoding: ExpressibleByArgument {}

/// `timbre recording capture`: records a generated tone (or a file) through the real
/// `Recorder` + `RecordingWriter`, optionally paced in real time, printing one line per event.
struct RecordingCaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Record a generated or file-fed stream through the real recorder.",
        discussion: """
            Lines on stdout: "started", "checkpoint FRAMES" (with --checkpoints), "paused S", \
            "resumed S", "overflow N", "stopped S" or "failed S REASON". Exit 1 if a recording failed.
            The generated signal is a sine of 300 + 200 × channel Hz at -12 dBFS.
            """
    )

    @Option(help: "Seconds of audio to record.") var seconds: Double = 5
    @Option(help: "wav, wav-alaw, wav-ulaw, flac or opus.") var format: RecordingFormat.Encoding = .wavPCM16
    @Option(help: "8000, 16000 or 48000.") var rate: Int = 8000
    @Option(help: "1 = mixed mono; more = one channel per party.") var parties: Int = 1
    @Option(help: "Feed this audio file (mono, at --rate) instead of a tone.") var input: String?
    @Flag(help: "Pace frames in real time (20 ms apart) instead of as fast as the writer takes them.") var realtime = false
    @Flag(help: "Print a line at every on-disk checkpoint.") var checkpoints = false
    @Option(help: "Pause at this many seconds of stream time.") var pauseAt: Double?
    @Option(help: "Resume at this many seconds of stream time.") var resumeAt: Double?
    @Option(help: "Also record the same stream at 8 kHz mono WAV here (shows one failure does not stop others).") var alsoRecord: String?
    @Argument(help: "Output file.") var output: String

    func run() throws {
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit must show up as a write error, not kill us
        let writer = RecordingWriter()
        let lines = LineSink()
        let fmt = RecordingFormat(encoding: format, sampleRate: rate, layout: parties > 1 ? .split(parties: parties) : .mixed)
        let names = (0..<parties).map { "party-\($0 + 1)" }
        let showCheckpoints = checkpoints
        let main: Recorder
        var extra: Recorder?
        do {
            main = try Recorder(path: output, format: fmt, callID: "capture", parties: names) { e in lines.emit(e, showCheckpoints) }
            if let also = alsoRecord {
                extra = try Recorder(path: also, format: RecordingFormat(), callID: "capture-extra", parties: ["mix"]) { e in
                    lines.emit(e, false, prefix: "extra ")
                }
            }
        } catch { throw CLIError(error.description) }
        var fileSamples: [Int16] = []
        if let input {
            do {
                let (s, r) = try AudioFileReader.readMono(path: input)
                guard r == rate else { throw CLIError("\(input) is \(r) Hz; --rate is \(rate)") }
                fileSamples = s
            } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
        }
        writer.add(main)
        if let extra { writer.add(extra) }
        let perFrame = rate / 50
        let totalFrames = Int(seconds * 50)
        var mono8k = [Int16](repeating: 0, count: 160)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        var due = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        for n in 0..<totalFrames {
            let t = Double(n) / 50
            if let p = pauseAt, t >= p, resumeAt.map({ t < $0 }) ?? true { main.pause() }
            if let r = resumeAt, t >= r { main.resume() }
            main.appendFrame { slot in
                for i in 0..<perFrame {
                    let s = n * perFrame + i
                    for c in 0..<parties {
                        let v: Int16
                        if !fileSamples.isEmpty {
                            v = fileSamples[s % fileSamples.count]
                        } else {
                            v = Int16(8192 * sin(2 * Double.pi * Double(300 + 200 * c) * Double(s) / Double(rate)))
                        }
                        slot[i * parties + c] = v
                    }
                }
            }
            if let extra {
                for i in 0..<160 { mono8k[i] = Int16(8192 * sin(2 * Double.pi * 300 * Double(n * 160 + i) / 8000)) }
                mono8k.withUnsafeBufferPointer { extra.append($0) }
            }
            if realtime {
                due += 20_000_000
                var d = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, nil)
            } else {
                // File-fed: wait for the writer rather than overflow (the real-time path never waits).
                while (main.isQueueFull && !main.isFinished) || (extra.map { $0.isQueueFull && !$0.isFinished } ?? false) {
                    usleep(200)
                }
            }
        }
        writer.shutdown()
        if lines.failed { throw ExitCode(1) }
    }
}

/// Prints recorder events as lines (from the writer thread).
final class LineSink: @unchecked Sendable {
    // @unchecked: `failed` is written on the writer thread and read after `shutdown()` joined it.
    var failed = false

    /// One unbuffered `write(2)` per line, so a reader sees it before a SIGKILL.
    func print(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        bytes.withUnsafeMutableBytes { _ = write(1, $0.baseAddress, $0.count) }
    }

    func emit(_ e: RecordingEvent, _ checkpoints: Bool, prefix: String = "") {
        switch e {
        case .started: print(prefix + "started")
        case .checkpoint(let f): if checkpoints { print(prefix + "checkpoint \(f)") }
        case .paused(let s): print(prefix + "paused \(s)")
        case .resumed(let s): print(prefix + "resumed \(s)")
        case .overflow(let n): print(prefix + "overflow \(n)")
        case .stopped(let d): print(prefix + "stopped \(d)")
        case .failed(let why, let d):
            failed = true
            print(prefix + "failed \(d) \(why)")
        }
    }
}
