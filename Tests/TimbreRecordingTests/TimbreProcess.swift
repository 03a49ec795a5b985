import Foundation
import TimbreTestSupport

/// Runs the built `timbre` executable (next to the test bundle) as a child process.
enum TimbreProcess {
    static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let sibling = (exe as NSString).deletingLastPathComponent + "/timbre"
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return Fixtures.repositoryRoot + "/.build/debug/timbre"
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `/bin/sh -c script` with `$TIMBRE` set to the executable; waits for it.
    static func shell(_ script: String) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment
        env["TIMBRE"] = executable
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func run(_ arguments: [String]) throws -> Output {
        try shell("exec \"$TIMBRE\" " + arguments.map { "'\($0)'" }.joined(separator: " "))
    }

    /// ffmpeg's verdict: decodes the whole file to nowhere; returns its stderr (empty when clean).
    static func ffmpegDecodeErrors(_ path: String) throws -> (status: Int32, errors: String) {
        let o = try shell("ffmpeg -hide_banner -nostdin -v error -i '\(path)' -f null - 2>&1")
        return (o.status, o.stdout)
    }

    static func temporaryDirectory() throws -> String {
        let d = NSTemporaryDirectory() + "timbre-rec-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
