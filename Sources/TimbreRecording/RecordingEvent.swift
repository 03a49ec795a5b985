/// What happened to a recording, delivered on the writer thread (never under a lock) to the
/// recorder's event handler.
public enum RecordingEvent: Sendable, Equatable {
    case started(path: String)
    /// Paused at `atSeconds` of recorded audio.
    case paused(atSeconds: Double)
    case resumed(atSeconds: Double)
    /// The file on disk is valid and holds `framesOnDisk` frames (WAV header rewritten).
    case checkpoint(framesOnDisk: Int)
    /// Frames the real-time path could not queue so far (the queue was full). Reported when the
    /// count grows; never silent.
    case overflow(totalFrames: Int)
    /// Finished cleanly.
    case stopped(durationSeconds: Double)
    /// Writing failed (e.g. disk full): the recording stopped, what was written is kept and valid.
    case failed(reason: String, durationSeconds: Double)
}
