import Foundation

/// The writer-thread half of `Recorder`: drain the queue into the file, checkpoint, finish.
extension Recorder {
    /// One pass: writes everything queued. Returns true when it did any work. Writer thread only.
    func service(now: ContinuousClock.Instant) -> Bool {
        guard !isFinished, let file else { return false }
        var worked = false
        while let run = queue.peekRun() {
            worked = true
            switch run.kind {
            case .audio:
                do {
                    try file.write(run.frames)
                } catch {
                    queue.release(run.count)
                    fail(error.description)
                    return true
                }
            case .pause:
                pausedAtStamp = run.stamp
                metadata.pauses.append(.init(atSeconds: seconds(file.framesWritten), pausedAt: Self.iso(run.stamp)))
                checkpoint(now)
                writeSidecar()
                emit(.paused(atSeconds: seconds(file.framesWritten)))
            case .resume:
                if !metadata.pauses.isEmpty {
                    metadata.pauses[metadata.pauses.count - 1].resumedAt = Self.iso(run.stamp)
                    metadata.pauses[metadata.pauses.count - 1].pausedSeconds = Double(run.stamp - pausedAtStamp) / 1e9
                }
                checkpoint(now)
                writeSidecar()
                emit(.resumed(atSeconds: seconds(file.framesWritten)))
            case .stop:
                queue.release(run.count)
                close(state: "stopped", error: nil)
                return true
            }
            queue.release(run.count)
        }
        let overflow = overflowFrames
        if overflow != reportedOverflow {
            reportedOverflow = overflow
            emit(.overflow(totalFrames: overflow))
        }
        if file.framesWritten != framesAtCheckpoint, now - lastCheckpoint >= checkpointInterval {
            checkpoint(now)
        }
        if detached.load(ordering: .acquiring) && queue.isEmpty {
            // Two empty passes in a row: a frame appended just before `finish()` has landed.
            emptyPasses += 1
            if emptyPasses >= 2 { close(state: "stopped", error: nil) }
        }
        return worked
    }

    /// Makes the file on disk valid up to now. WAV: rewrite the RIFF/data sizes. FLAC and Ogg
    /// need nothing: libFLAC and libogg hand every finished block/page to the kernel as they go,
    /// which is all a SIGKILL needs (an fsync would only guard against power loss, and 1,000
    /// recordings fsyncing twice a second would swamp a real disk).
    private func checkpoint(_ now: ContinuousClock.Instant) {
        guard let file else { return }
        if format.encoding.isWAV { file.updateHeader() }
        lastCheckpoint = now
        framesAtCheckpoint = file.framesWritten
        emit(.checkpoint(framesOnDisk: file.framesWritten))
    }

    /// Rewrites the sidecar (on pause and resume, which are rare; not per checkpoint).
    private func writeSidecar() {
        guard let file else { return }
        metadata.durationSeconds = seconds(file.framesWritten)
        metadata.overflowFrames = overflowFrames
        try? metadata.write(to: RecordingMetadata.sidecarPath(for: path))
    }

    private func fail(_ reason: String) {
        writerFailed.store(true, ordering: .relaxed)
        close(state: "failed", error: reason)
    }

    private func close(state: String, error: String?) {
        guard let f = file else { return }
        let frames = f.framesWritten
        var closeError = error
        do { try f.close() } catch { closeError = closeError ?? error.description }
        file = nil
        metadata.durationSeconds = seconds(frames)
        metadata.overflowFrames = overflowFrames
        metadata.state = state
        metadata.error = closeError
        try? metadata.write(to: RecordingMetadata.sidecarPath(for: path))
        finished.store(true, ordering: .releasing)
        if let closeError {
            emit(.failed(reason: closeError, durationSeconds: seconds(frames)))
        } else {
            emit(.stopped(durationSeconds: seconds(frames)))
        }
    }

    func seconds(_ frames: Int) -> Double { Double(frames) / Double(format.sampleRate) }

    func emit(_ e: RecordingEvent) { eventHandler(e) }

    static func iso(_ ns: Int64) -> String {
        RecordingMetadata.iso(Date(timeIntervalSince1970: Double(ns) / 1e9))
    }
}
