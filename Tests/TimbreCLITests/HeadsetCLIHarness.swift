import Foundation
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `timbre` binary for the headset CLI tests.
enum HeadsetCLIHarness {
    /// `timbre` next to the test bundle (both are built by `swift build --build-tests`).
    static var binary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            // swift-testing may run from inside TimbrePackageTests.xctest on some layouts.
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent("timbre").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return Fixtures.repositoryRoot + "/.build/debug/timbre"
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func descriptorPath(_ name: String) -> String {
        Fixtures.repositoryRoot + "/Tests/TimbreHIDTests/Descriptors/\(name).bin"
    }

    static func json(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    static func temporaryFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "/timbre-hid-\(UUID().uuidString).txt"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
