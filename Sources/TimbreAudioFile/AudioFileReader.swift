import CSndFile
import TimbreCore

/// Reads an audio file through libsndfile as 16-bit PCM (or float), with clear errors.
///
/// Before libsndfile opens a WAV file its RIFF chunks are checked against the real file size
/// (`WAVHeader`), so a truncated file or a header that lies is an error, not a silently shorter
/// recording. Reads are bounded by the caller's buffer; nothing is allocated from a header value.
///
/// The corresponding libsndfile calls are `sf_open`, `sf_readf_short`, `sf_readf_float`,
/// `sf_seek` and `sf_close`. Not thread-safe; one reader per thread.
public final class AudioFileReader {
    public let path: String
    public let format: AudioFileFormat
    public let sampleRate: Int
    public let channels: Int
    /// Frames (samples per channel) libsndfile reports; for MP3 this is an estimate.
    public let frameCount: Int
    /// Size of the file on disk in bytes.
    public let fileSize: Int
    /// The RIFF header when the file is a WAV.
    public let wavHeader: WAVHeader?
    private var handle: OpaquePointer?

    /// Opens `path`, detecting the format from the content.
    public init(path: String) throws(AudioFileError) {
        let (prefix, size) = try FileProbe.open(path)
        self.path = path
        self.fileSize = size
        if size == 0 { throw .notAudio(path: path, reason: "empty file") }
        var header: WAVHeader?
        if WAVHeader.looksLikeWAV(prefix) {
            do {
                header = try WAVHeader.parse(prefix: prefix, fileSize: size)
            } catch {
                switch error {
                case .dataLargerThanFile, .chunkPastEndOfFile, .missingDataChunk:
                    throw .truncated(path: path, reason: error.description)
                default:
                    throw .invalidHeader(path: path, reason: error.description)
                }
            }
        }
        self.wavHeader = header
        var info = SF_INFO()
        guard let h = sf_open(path, Int32(SFM_READ), &info) else {
            let message = String(cString: sf_strerror(nil))
            throw AudioFileReader.classify(path: path, message: message, prefix: prefix)
        }
        guard info.channels > 0, info.samplerate > 0 else {
            sf_close(h)
            throw .invalidHeader(path: path, reason: "zero channels or sample rate")
        }
        handle = h
        format = AudioFileFormat(sndfileFormat: info.format)
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frameCount = Int(max(0, info.frames))
    }

    /// Opens a headerless file (raw PCM, raw GSM 06.10) whose format the caller knows.
    public init(path: String, raw: AudioFileFormat, sampleRate: Int, channels: Int = 1) throws(AudioFileError) {
        let (prefix, size) = try FileProbe.open(path)
        self.path = path
        self.fileSize = size
        self.wavHeader = nil
        guard let word = raw.sndfileFormat else { throw .unsupported(path: path, reason: raw.description) }
        var info = SF_INFO()
        info.format = word
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        guard let h = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioFileReader.classify(path: path, message: String(cString: sf_strerror(nil)), prefix: prefix)
        }
        handle = h
        format = raw
        self.sampleRate = sampleRate
        self.channels = channels
        frameCount = Int(max(0, info.frames))
    }

    deinit { if let handle { sf_close(handle) } }

    /// Duration in seconds from the frame count.
    public var durationSeconds: Double { Double(frameCount) / Double(sampleRate) }

    /// Reads up to `buffer.count / channels` interleaved frames; returns frames read (0 at end).
    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(AudioFileError) -> Int {
        guard let handle, let base = buffer.baseAddress else { return 0 }
        let frames = buffer.count / channels
        let n = sf_readf_short(handle, base, sf_count_t(frames))
        if n < 0 { throw .library(path: path, message: String(cString: sf_strerror(handle))) }
        return Int(n)
    }

    /// Reads up to `buffer.count / channels` interleaved float frames in [-1, 1].
    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioFileError) -> Int {
        guard let handle, let base = buffer.baseAddress else { return 0 }
        let frames = buffer.count / channels
        let n = sf_readf_float(handle, base, sf_count_t(frames))
        if n < 0 { throw .library(path: path, message: String(cString: sf_strerror(handle))) }
        return Int(n)
    }

    /// Reads the rest of the file, interleaved. Growth is by chunks actually read, never by a
    /// header-declared length.
    public func readAll() throws(AudioFileError) -> [Int16] {
        var out: [Int16] = []
        out.reserveCapacity(min(frameCount, 48_000 * 600) * channels)
        var chunk = [Int16](repeating: 0, count: 4096 * channels)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { (b) throws(AudioFileError) -> Int in
                try read(into: b)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<(n * channels)])
        }
        return out
    }

    /// Reads the rest of the file mixed down to mono (average of the channels, rounded).
    public func readAllMono() throws(AudioFileError) -> [Int16] {
        let all = try readAll()
        if channels == 1 { return all }
        let frames = all.count / channels
        var mono = [Int16](repeating: 0, count: frames)
        for f in 0..<frames {
            var sum = 0
            for c in 0..<channels { sum += Int(all[f * channels + c]) }
            mono[f] = Int16(clamping: (sum + (sum >= 0 ? channels / 2 : -channels / 2)) / channels)
        }
        return mono
    }

    /// Rewinds to the first frame.
    public func rewind() throws(AudioFileError) {
        guard let handle else { return }
        if sf_seek(handle, 0, SEEK_SET) < 0 {
            throw .library(path: path, message: String(cString: sf_strerror(handle)))
        }
    }

    /// Convenience: the whole file as mono samples plus its rate.
    public static func readMono(path: String) throws(AudioFileError) -> (samples: [Int16], sampleRate: Int) {
        let r = try AudioFileReader(path: path)
        return (try r.readAllMono(), r.sampleRate)
    }

    private static func classify(path: String, message: String, prefix: [UInt8]) -> AudioFileError {
        let m = message.lowercased()
        if m.contains("unknown format") || m.contains("not recognised") || m.contains("unrecognised")
            || m.contains("format not recognised") || m.contains("unsupported file type")
        {
            return .notAudio(path: path, reason: message)
        }
        if m.contains("truncated") || m.contains("short") || m.contains("end of file") {
            return .truncated(path: path, reason: message)
        }
        if m.contains("channel") { return .invalidHeader(path: path, reason: message) }
        if m.contains("unsupported") || m.contains("not supported") || m.contains("codec") {
            return .unsupported(path: path, reason: message)
        }
        if WAVHeader.looksLikeWAV(prefix) { return .invalidHeader(path: path, reason: message) }
        return .notAudio(path: path, reason: message)
    }
}
