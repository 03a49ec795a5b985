/// Why an audio file could not be read or written. Each case carries the path so that a CLI can
/// print one self-explaining line.
public enum AudioFileError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case permissionDenied(path: String)
    case isDirectory(path: String)
    /// The bytes are not an audio format libsndfile or our RIFF inspection recognises.
    case notAudio(path: String, reason: String)
    /// The header promises more than the file holds, or is cut short.
    case truncated(path: String, reason: String)
    /// The header is inconsistent (zero channels, zero rate, impossible sizes).
    case invalidHeader(path: String, reason: String)
    /// A format or encoding we do not handle.
    case unsupported(path: String, reason: String)
    /// A write failed (disk full, I/O error); what was written before stays on disk.
    case writeFailed(path: String, reason: String)
    /// Any other libsndfile error, with its message.
    case library(path: String, message: String)

    public var path: String {
        switch self {
        case .notFound(let p), .permissionDenied(let p), .isDirectory(let p): return p
        case .notAudio(let p, _), .truncated(let p, _), .invalidHeader(let p, _), .unsupported(let p, _),
            .writeFailed(let p, _), .library(let p, _):
            return p
        }
    }

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file"
        case .permissionDenied(let p): return "\(p): permission denied"
        case .isDirectory(let p): return "\(p): is a directory"
        case .notAudio(let p, let r): return "\(p): not an audio file (\(r))"
        case .truncated(let p, let r): return "\(p): truncated audio file (\(r))"
        case .invalidHeader(let p, let r): return "\(p): invalid audio header (\(r))"
        case .unsupported(let p, let r): return "\(p): unsupported audio format (\(r))"
        case .writeFailed(let p, let r): return "\(p): write failed (\(r))"
        case .library(let p, let m): return "\(p): \(m)"
        }
    }
}
