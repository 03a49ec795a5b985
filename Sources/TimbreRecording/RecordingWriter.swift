import Foundation
import Synchronization

/// The thread that writes recordings: one serves many recorders (1,000 16 kHz mono recordings
/// fit on one core), so a recording costs no thread of its own.
///
/// Each pass drains every recorder's queue into its file (contiguous frames in one libsndfile
/// call), checkpoints WAV headers, and closes finished or failed recordings; a failed one (disk
/// full) never stops the others. When a pass finds nothing to do the thread sleeps `idleSleep`.
/// The recorder list is guarded by a mutex touched only on start/stop of a recording and once
/// per pass by the writer, never by the real-time path.
public final class RecordingWriter: Sendable {
    private let recorders = Mutex<[Recorder]>([])
    private let running = Atomic<Bool>(true)
    private let exited = Atomic<Bool>(false)
    let idleSleep: Duration

    public init(idleSleep: Duration = .milliseconds(5)) {
        self.idleSleep = idleSleep
        let t = Thread { [self] in self.run() }
        t.name = "timbre-recording-writer"
        t.start()
    }

    /// Starts writing `recorder`'s frames.
    public func add(_ recorder: Recorder) {
        recorder.emit(.started(path: recorder.path))
        recorders.withLock { $0.append(recorder) }
    }

    /// Recordings still open.
    public var activeCount: Int { recorders.withLock { $0.count } }

    /// Finishes every recording (`finish()`), waits until all are written and closed, and ends
    /// the thread.
    public func shutdown() {
        for r in recorders.withLock({ $0 }) { r.finish() }
        while activeCount > 0 { Thread.sleep(forTimeInterval: 0.002) }
        running.store(false, ordering: .relaxed)
        while !exited.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.001) }
    }

    private func run() {
        let clock = ContinuousClock()
        while running.load(ordering: .relaxed) {
            let list = recorders.withLock { $0 }
            let now = clock.now
            var worked = false
            var anyFinished = false
            for r in list {
                if r.service(now: now) { worked = true }
                if r.isFinished { anyFinished = true }
            }
            if anyFinished { recorders.withLock { $0.removeAll { $0.isFinished } } }
            if !worked {
                let ns = idleSleep.components.attoseconds / 1_000_000_000 + idleSleep.components.seconds * 1_000_000_000
                var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
                nanosleep(&ts, nil)
            }
        }
        exited.store(true, ordering: .releasing)
    }
}
