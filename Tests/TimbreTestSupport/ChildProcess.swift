import Foundation

/// Runs a program to completion and collects what it wrote: the built `timbre`, `timbred`, or
/// an oracle (sox, ffmpeg, soxi).
///
/// Both pipes are drained at once (stderr on its own thread), so a child that writes a lot to
/// one of them can never block on a full pipe while the other is being read.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var stdoutData: Data
        /// The stderr lines (the CLI contract: exactly one on a usage or input error).
        public var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// Runs `path` with `arguments`; `environment` is added to this process's environment.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stderrData = Collected()
        let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = stderrData.wait()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self), stdoutData: stdout)
    }

    /// Runs `/bin/sh -c script` with `$TIMBRE` set to the built `timbre`.
    public static func shell(_ script: String, environment: [String: String] = [:]) throws -> Output {
        try run("/bin/sh", ["-c", script], environment: environment.merging(["TIMBRE": timbreExecutable]) { a, _ in a })
    }

    /// The built `timbre` and `timbred`: beside the test bundle (debug or release, whichever
    /// `swift test` built), else `.build/debug`.
    public static let timbreExecutable = product("timbre")
    public static let timbredExecutable = product("timbred")

    public static func timbre(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try run(timbreExecutable, arguments, environment: environment)
    }

    /// A new, empty scratch directory whose name starts with `prefix`.
    public static func scratchDirectory(_ prefix: String) throws -> String {
        let directory = NSTemporaryDirectory() + "\(prefix)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func product(_ name: String) -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test executable may sit inside an .xctest bundle: walk up to the products directory.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Fixtures.repositoryRoot + "/.build/debug/" + name
    }

    /// Data handed from the stderr reader thread.
    final class Collected: @unchecked Sendable {
        private let condition = NSCondition()
        private var data: Data?

        func set(_ value: Data) {
            condition.lock()
            data = value
            condition.signal()
            condition.unlock()
        }

        func wait() -> Data {
            condition.lock()
            defer { condition.unlock() }
            while data == nil { condition.wait() }
            return data ?? Data()
        }
    }
}
