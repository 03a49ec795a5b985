import Foundation
import TimbreTestSupport

/// Runs the built `timbre` executable (next to the test bundle) as a child process.
enum TimbreProcess {
    static var executable: String { ChildProcess.timbreExecutable }

    typealias Output = ChildProcess.Output

    /// Runs `/bin/sh -c script` with `$TIMBRE` set to the executable; waits for it.
    static func shell(_ script: String) throws -> Output { try ChildProcess.shell(script) }

    static func run(_ arguments: [String]) throws -> Output { try ChildProcess.timbre(arguments) }

    /// ffmpeg's verdict: decodes the whole file to nowhere; returns its stderr (empty when clean).
    static func ffmpegDecodeErrors(_ path: String) throws -> (status: Int32, errors: String) {
        let o = try shell("ffmpeg -hide_banner -nostdin -v error -i '\(path)' -f null - 2>&1")
        return (o.status, o.stdout)
    }

    static func temporaryDirectory() throws -> String { try ChildProcess.scratchDirectory("timbre-rec") }
}
