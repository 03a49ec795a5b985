#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Scratch directories for tests that need real files, all under one directory per test
/// process that is removed when the process exits, so a test run leaves nothing in the
/// temporary directory however its tests end (suite values have no teardown to rely on).
public enum ScratchDirectory {
    /// `$TMPDIR/timbre-tests-<pid>`: this process's parent of every scratch directory.
    public static let root: String = {
        let root = NSTemporaryDirectory() + "timbre-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit {
            // Not captured: recomputed from the pid (an atexit handler is a C function pointer).
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "timbre-tests-\(getpid())")
        }
        return root
    }()

    /// A new, empty directory `root/<prefix>-<uuid>`.
    public static func make(_ prefix: String) -> String {
        let path = root + "/\(prefix)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
