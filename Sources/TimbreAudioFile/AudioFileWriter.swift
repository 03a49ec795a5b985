import CSndFile
import TimbreCore

/// Writes an audio file through libsndfile from 16-bit PCM (or float) frames.
///
/// `updateHeader()` rewrites the RIFF/WAV sizes on disk to match what has been written so far
/// (`SFC_UPDATE_HEADER_NOW`): a recorder calls it periodically so that a killed process leaves a
/// valid file. Write errors (disk full) are reported with libsndfile's message and leave what was
/// already written in place.
///
/// The corresponding libsndfile calls are `sf_open`, `sf_writef_short`, `sf_writef_float`,
/// `sf_command` and `sf_close`. Not thread-safe; one writer per thread.
public final class AudioFileWriter {
    public let path: String
    public let format: AudioFileFormat
    public let sampleRate: Int
    public let channels: Int
    /// Frames written so far.
    public private(set) var framesWritten: Int = 0
    private var handle: OpaquePointer?

    /// Creates (truncates) `path`.
    public init(path: String, format: AudioFileFormat, sampleRate: Int, channels: Int = 1) throws(AudioFileError) {
        self.path = path
        self.format = format
        self.sampleRate = sampleRate
        self.channels = channels
        guard sampleRate > 0, channels > 0 else {
            throw .invalidHeader(path: path, reason: "sample rate and channels must be positive")
        }
        guard let word = format.sndfileFormat else { throw .unsupported(path: path, reason: format.description) }
        var info = SF_INFO()
        info.format = word
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        guard sf_format_check(&info) != 0 else {
            throw .unsupported(path: path, reason: "\(format) at \(sampleRate) Hz, \(channels) ch")
        }
        guard let h = sf_open(path, Int32(SFM_WRITE), &info) else {
            let message = String(cString: sf_strerror(nil))
            if message.lowercased().contains("permission") { throw .permissionDenied(path: path) }
            throw .library(path: path, message: message)
        }
        handle = h
    }

    deinit { if let handle { sf_close(handle) } }

    /// Writes interleaved frames (`samples.count / channels`).
    public func write(_ samples: UnsafeBufferPointer<Int16>) throws(AudioFileError) {
        guard let handle else { throw .writeFailed(path: path, reason: "writer is closed") }
        guard let base = samples.baseAddress, samples.count > 0 else { return }
        let frames = samples.count / channels
        let n = sf_writef_short(handle, base, sf_count_t(frames))
        if n > 0 { framesWritten += Int(n) }
        if n != frames { throw .writeFailed(path: path, reason: String(cString: sf_strerror(handle))) }
    }

    /// Writes interleaved float frames in [-1, 1].
    public func write(_ samples: UnsafeBufferPointer<Float>) throws(AudioFileError) {
        guard let handle else { throw .writeFailed(path: path, reason: "writer is closed") }
        guard let base = samples.baseAddress, samples.count > 0 else { return }
        let frames = samples.count / channels
        let n = sf_writef_float(handle, base, sf_count_t(frames))
        if n > 0 { framesWritten += Int(n) }
        if n != frames { throw .writeFailed(path: path, reason: String(cString: sf_strerror(handle))) }
    }

    /// Convenience for arrays.
    public func write(_ samples: [Int16]) throws(AudioFileError) {
        try samples.withUnsafeBufferPointer { (b) throws(AudioFileError) in try write(b) }
    }

    /// Rewrites the header sizes on disk to cover everything written so far.
    public func updateHeader() {
        guard let handle else { return }
        sf_command(handle, Int32(SFC_UPDATE_HEADER_NOW), nil, 0)
    }

    /// Flushes libsndfile's buffers to the file.
    public func flush() {
        guard let handle else { return }
        sf_write_sync(handle)
    }

    /// Finishes the file (final header) and releases it. Further writes fail.
    public func close() throws(AudioFileError) {
        guard let h = handle else { return }
        handle = nil
        let rc = sf_close(h)
        if rc != 0 { throw .writeFailed(path: path, reason: String(cString: sf_error_number(rc))) }
    }

    /// Convenience: writes `samples` (mono unless `channels` says otherwise) to `path` in one call.
    public static func write(
        _ samples: [Int16], to path: String, sampleRate: Int, channels: Int = 1, format: AudioFileFormat = .wavPCM16
    ) throws(AudioFileError) {
        let w = try AudioFileWriter(path: path, format: format, sampleRate: sampleRate, channels: channels)
        try w.write(samples)
        try w.close()
    }
}
