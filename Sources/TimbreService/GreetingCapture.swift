import Foundation
import Synchronization
import TimbreEngine

/// One "record your greeting after the beep" session on an endpoint.
///
/// The media thread sees only `write(_:channels:)` through a `MediaTap`: it copies the leg's
/// inbound channel into a buffer allocated once at start (`maxSeconds` of audio at the leg's
/// rate) and publishes the count with a release store, so there is no allocation, lock or
/// syscall per frame. Everything else (stop decisions, files, conversion) is control-side.
final class GreetingCapture: @unchecked Sendable {
    /// Why a capture ended.
    enum Stop: String, Sendable {
        case dtmf, silence, maxLength, endpointGone = "endpoint_gone", shutdown
    }

    let endpoint: String
    let leg: UInt64
    let mailbox: String
    let name: String
    let rate: Int
    let tapID: UInt64
    /// Samples played before recording starts (prompt + beep), skipped on the inbound side.
    let leadInSamples: Int
    /// Silence that ends the capture, in samples.
    let silenceSamples: Int
    /// A frame whose inbound peak reaches this (about -36 dBFS) counts as voice.
    static let voicePeak: Int16 = 512

    private let buffer: UnsafeMutableBufferPointer<Int16>
    /// Samples recorded so far (media thread stores with release, control loads with acquire).
    private let written = Atomic<Int>(0)
    /// Sample count right after the last frame with voice; 0 before any voice.
    private let lastVoice = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    /// Lead-in samples skipped so far; touched by the media thread only.
    private var skipped = 0

    init(endpoint: String, leg: UInt64, mailbox: String, name: String, rate: Int, tapID: UInt64,
         leadInSamples: Int, maxSeconds: Int, silenceSeconds: Int) {
        self.endpoint = endpoint
        self.leg = leg
        self.mailbox = mailbox
        self.name = name
        self.rate = rate
        self.tapID = tapID
        self.leadInSamples = leadInSamples
        self.silenceSamples = silenceSeconds * rate
        buffer = .allocate(capacity: maxSeconds * rate)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    var capacity: Int { buffer.count }
    var recordedSamples: Int { written.load(ordering: .acquiring) }
    var heardVoice: Bool { lastVoice.load(ordering: .acquiring) > 0 }

    /// Media thread: one interleaved leg frame (channel 0 = what the caller sent).
    func write(_ frame: UnsafeBufferPointer<Int16>, channels: Int) {
        guard channels > 0, !stopped.load(ordering: .relaxed) else { return }
        let frames = frame.count / channels
        var first = 0
        if skipped < leadInSamples {
            first = min(frames, leadInSamples - skipped)
            skipped += first
        }
        let start = written.load(ordering: .relaxed)
        let n = min(frames - first, buffer.count - start)
        guard n > 0 else { return }
        var peak: Int16 = 0
        for i in 0..<n {
            let s = frame[(first + i) * channels]
            buffer[start + i] = s
            let m = s == Int16.min ? Int16.max : abs(s)
            peak = max(peak, m)
        }
        written.store(start + n, ordering: .releasing)
        if peak >= Self.voicePeak { lastVoice.store(start + n, ordering: .releasing) }
    }

    /// Control side: the reason to stop now, if any (DTMF is handled by the caller).
    func pollStop() -> Stop? {
        let n = recordedSamples
        if n >= buffer.count { return .maxLength }
        let voice = lastVoice.load(ordering: .acquiring)
        if n - voice >= silenceSamples { return .silence }
        return nil
    }

    /// Control side: stops writing and copies out what was recorded up to the last voice (plus
    /// a little tail; trimming happens in the converter).
    func finish() -> [Int16] {
        stopped.store(true, ordering: .sequentiallyConsistent)
        let n = recordedSamples
        let voice = lastVoice.load(ordering: .acquiring)
        let end = min(n, voice > 0 ? voice + rate / 4 : n)
        return Array(buffer[0..<end])
    }
}
