#if canImport(Glibc)
import Glibc
#endif

/// Why a headset operation failed, with what the user can do about it.
public enum HeadsetIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The hidraw node exists but this user may not open it (EACCES/EPERM).
    case permissionDenied(path: String)
    /// The headset was unplugged (ENODEV; EIO/POLLHUP on a vanished node; ENOENT on open).
    case deviceGone(path: String)
    /// Any other system error: the operation, the path and errno.
    case system(operation: String, path: String, errno: Int32)
    /// `write` accepted fewer bytes than the report's declared length.
    case shortWrite(path: String, written: Int, expected: Int)

    /// Maps an errno from `operation` on `path`.
    public init(errno code: Int32, operation: String, path: String) {
        switch code {
        case EACCES, EPERM: self = .permissionDenied(path: path)
        case ENODEV, ENOENT, ENXIO, EIO: self = .deviceGone(path: path)
        default: self = .system(operation: operation, path: path, errno: code)
        }
    }

    public var description: String {
        switch self {
        case .permissionDenied(let path):
            "permission denied opening \(path): hidraw nodes are root-only by default. Install the udev rule "
                + "(sudo cp Sources/TimbreHeadset/udev/70-timbre-headsets.rules /etc/udev/rules.d/ && "
                + "sudo udevadm control --reload && sudo udevadm trigger), then unplug and re-plug the headset; "
                + "it grants the logged-in desktop user access (uaccess)"
        case .deviceGone(let path):
            "\(path) is gone: the headset was unplugged"
        case .system(let operation, let path, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        case .shortWrite(let path, let written, let expected):
            "write \(path): \(written) of \(expected) bytes written"
        }
    }
}
