import Foundation
import Synchronization
import TimbreAudioFile

/// One recording: the real-time path appends frames, a `RecordingWriter` thread writes them.
///
/// **Real-time contract**: `append` and `appendFrame` never block, allocate, lock, log or make
/// a system call; they copy one frame into a preallocated queue slot, or count an overflow when
/// the queue is full. Pause, resume and stop requests (from any thread) take effect at the next
/// frame boundary the real-time path reaches, so paused audio is never queued, let alone written.
///
/// Crash safety: for WAV the writer rewrites the RIFF/data sizes on disk at least every
/// `checkpointInterval` (default 0.5 s), so a SIGKILL leaves a valid file missing at most that
/// much plus the queue; `RecordingRepair` fixes the rest.
public final class Recorder: @unchecked Sendable {
    // @unchecked: `producerState` is touched by the producer thread only; the writer-side
    // fields (`file`, `metadata`, counters) by the writer thread only; shared state is atomic.
    public let path: String
    public let format: RecordingFormat
    public let frameDuration: Duration
    /// Interleaved samples per frame (`sampleRate × frame length × channels`).
    public let frameSamples: Int
    public let checkpointInterval: Duration

    enum State: UInt8 { case recording = 0, paused = 1, stopped = 2 }

    let queue: RecordingQueue
    private let requested = Atomic<UInt8>(State.recording.rawValue)
    private var producerState = State.recording
    private let overflowCount = Atomic<Int>(0)
    /// Set when the writer gave up (disk full): the producer stops queueing.
    let writerFailed = Atomic<Bool>(false)
    /// Set by `finish()`: no more frames will come; the writer ends after draining.
    let detached = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)

    // Writer-thread state.
    var file: AudioFileWriter?
    var metadata: RecordingMetadata
    let eventHandler: @Sendable (RecordingEvent) -> Void
    var lastCheckpoint: ContinuousClock.Instant = .now
    var framesAtCheckpoint = 0
    var reportedOverflow = 0
    var pausedAtStamp: Int64 = 0
    var emptyPasses = 0

    /// Opens the file (creating it) and writes the first sidecar. Frames are `frameMilliseconds`
    /// long (10 or 20 typical); the queue holds `queueSeconds` of audio.
    public init(
        path: String, format: RecordingFormat, callID: String, parties: [String],
        frameMilliseconds: Int = 20, queueSeconds: Double = 1.0, checkpointInterval: Duration = .milliseconds(500),
        onEvent: @escaping @Sendable (RecordingEvent) -> Void = { _ in }
    ) throws(RecordingError) {
        guard RecordingFormat.supportedRates.contains(format.sampleRate) else {
            throw .invalidFormat("sample rate \(format.sampleRate) Hz (use 8000, 16000 or 48000)")
        }
        guard (1...32).contains(format.channels) else { throw .invalidFormat("\(format.channels) channels (1 to 32)") }
        guard [10, 20, 40, 60].contains(frameMilliseconds) else { throw .invalidFormat("\(frameMilliseconds) ms frames") }
        if case .split = format.layout, parties.count != format.channels {
            throw .invalidFormat("split layout with \(format.channels) channels but \(parties.count) parties")
        }
        self.path = path
        self.format = format
        self.frameDuration = .milliseconds(frameMilliseconds)
        self.frameSamples = format.sampleRate * frameMilliseconds / 1000 * format.channels
        self.checkpointInterval = checkpointInterval
        let frames = max(4, Int((queueSeconds * 1000 / Double(frameMilliseconds)).rounded(.up)))
        self.queue = RecordingQueue(minimumFrames: frames, frameSamples: frameSamples)
        self.eventHandler = onEvent
        self.metadata = RecordingMetadata(callID: callID, parties: parties, startTime: Date(), format: format)
        do {
            file = try AudioFileWriter(
                path: path, format: format.encoding.fileFormat, sampleRate: format.sampleRate, channels: format.channels)
        } catch {
            throw .cannotCreate(path: path, reason: error.description)
        }
        if format.encoding.isWAV { file?.updateHeader() }
        // Spread checkpoints of recordings started together over the interval, so a writer
        // serving thousands does not rewrite every header in the same pass.
        lastCheckpoint = .now - checkpointInterval * Double.random(in: 0..<1)
        do { try metadata.write(to: RecordingMetadata.sidecarPath(for: path)) } catch {
            throw .cannotCreate(path: RecordingMetadata.sidecarPath(for: path), reason: "\(error)")
        }
    }

    // MARK: Real-time side

    /// Queues one interleaved frame (`frameSamples` samples). Real-time safe.
    @inlinable
    public func append(_ interleaved: UnsafeBufferPointer<Int16>) {
        precondition(interleaved.count == frameSamples, "one whole frame")
        appendFrame { slot in _ = slot.initialize(fromContentsOf: interleaved) }
    }

    /// Queues one frame written in place by `fill` into the slot (`frameSamples` interleaved
    /// samples), e.g. interleaving each party's frame for split channels. Real-time safe.
    public func appendFrame(_ fill: (UnsafeMutableBufferPointer<Int16>) -> Void) {
        guard admit() else { return }
        if !queue.pushAudio(fill) { overflowCount.add(1, ordering: .relaxed) }
    }

    /// Applies a pending pause/resume/stop at this frame boundary; true when the frame is recorded.
    @inline(__always)
    private func admit() -> Bool {
        if producerState == .stopped { return false }
        if writerFailed.load(ordering: .relaxed) { producerState = .stopped; return false }
        let want = State(rawValue: requested.load(ordering: .relaxed)) ?? .stopped
        if want != producerState {
            let marker: RecordingQueue.Kind = want == .stopped ? .stop : want == .paused ? .pause : .resume
            if queue.pushMarker(marker, stamp: Self.nowNanoseconds()) {
                producerState = want
            } else {
                overflowCount.add(1, ordering: .relaxed)
                return false
            }
        }
        return producerState == .recording
    }

    /// Wall clock in ns (vDSO `clock_gettime`; only at pause/resume/stop, never per frame).
    static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    // MARK: Control side (any thread)

    /// Pauses at the next frame boundary.
    public func pause() { _ = requested.compareExchange(expected: State.recording.rawValue, desired: State.paused.rawValue, ordering: .relaxed) }

    /// Resumes at the next frame boundary.
    public func resume() { _ = requested.compareExchange(expected: State.paused.rawValue, desired: State.recording.rawValue, ordering: .relaxed) }

    /// Stops at the next frame boundary the real-time path reaches.
    public func stop() { requested.store(State.stopped.rawValue, ordering: .relaxed) }

    /// Declares that no more frames will be appended (the call ended): the writer writes what is
    /// queued and finishes the file. Call after the producer has stopped calling `append`.
    public func finish() {
        requested.store(State.stopped.rawValue, ordering: .relaxed)
        detached.store(true, ordering: .releasing)
    }

    /// Frames dropped because the queue was full.
    public var overflowFrames: Int { overflowCount.load(ordering: .relaxed) }

    /// True once the writer has closed the file (stopped or failed).
    public var isFinished: Bool { finished.load(ordering: .acquiring) }
}

/// Why a recording could not start.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    case invalidFormat(String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFormat(let why): "unsupported recording format: \(why)"
        case .cannotCreate(let p, let why): "cannot create \(p): \(why)"
        }
    }
}

extension Recorder {
    /// True when the queue has no free slot (a file-fed producer waits on this instead of
    /// overflowing; the real-time path never waits).
    public var isQueueFull: Bool { queue.isFull }
}
