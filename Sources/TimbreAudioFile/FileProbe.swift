#if canImport(Glibc)
import Glibc
#endif

/// Checks that a path is a readable regular file and reads its first bytes, mapping errno to
/// `AudioFileError` before libsndfile (whose messages are vaguer) ever sees the file.
enum FileProbe {
    static let prefixSize = 64 * 1024

    static func open(_ path: String) throws(AudioFileError) -> (prefix: [UInt8], size: Int) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            switch e {
            case ENOENT, ENOTDIR: throw .notFound(path: path)
            case EACCES, EPERM: throw .permissionDenied(path: path)
            default: throw .library(path: path, message: String(cString: strerror(e)))
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .library(path: path, message: String(cString: strerror(errno))) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        let size = Int(st.st_size)
        var prefix = [UInt8](repeating: 0, count: min(prefixSize, max(size, 0)))
        var got = 0
        while got < prefix.count {
            let n = prefix.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .library(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
        prefix.removeLast(prefix.count - got)
        return (prefix, size)
    }
}
