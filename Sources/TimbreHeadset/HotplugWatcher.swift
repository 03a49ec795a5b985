#if canImport(Glibc)
import Glibc
#endif

/// Hot-plug notification through inotify on the dev directory (hidraw nodes appear, vanish, and get
/// their permissions from udev after creation) and on sysfs' hidraw class directory. The watcher only
/// says "something changed"; the monitor rescans, which also catches events it missed.
public final class HotplugWatcher {
    public let fileDescriptor: Int32

    public init(directories: [String]) throws(HeadsetIOError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw HeadsetIOError(errno: errno, operation: "inotify_init1", path: "") }
        fileDescriptor = fd
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO | IN_MOVED_FROM)
        for directory in directories {
            // A missing directory is not an error (sysfs class dirs do not exist without hidraw).
            _ = inotify_add_watch(fd, directory, mask)
        }
    }

    deinit { _ = close(fileDescriptor) }

    /// Drains pending notifications; true when there were any.
    public func drain() -> Bool {
        var any = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                any = true
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return any
        }
    }
}
