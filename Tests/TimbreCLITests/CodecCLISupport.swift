import Foundation
import TimbreTestSupport

/// Runs the built `timbre` executable (next to the test bundle in the build products
/// directory) and external oracles, for the CLI tests.
enum CodecCLI {
    typealias Outcome = ChildProcess.Output

    /// The `timbre` binary beside this test process.
    static var executable: String { ChildProcess.timbreExecutable }

    static func timbre(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try ChildProcess.timbre(arguments, environment: environment)
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try ChildProcess.run(path, arguments, environment: environment)
    }

    static func tool(_ name: String, _ arguments: [String]) throws -> Outcome {
        try run("/usr/bin/" + name, arguments)
    }

    /// A fresh scratch directory for one test.
    static func scratch(_ name: String = #function) -> String {
        let dir = NSTemporaryDirectory() + "timbre-cli-tests-\(getpid())/" + name.filter { $0.isLetter || $0.isNumber }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Mono 16-bit samples of any audio file at `rate`, decoded by ffmpeg.
    static func ffmpegPCM(_ path: String, rate: Int, inputFormat: [String] = []) throws -> [Int16] {
        let o = try tool("ffmpeg", ["-v", "error"] + inputFormat + ["-i", path, "-f", "s16le", "-ac", "1", "-ar", "\(rate)", "-"])
        guard o.status == 0 else { throw CLIFailure(o.stderr) }
        return o.stdoutData.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
    }

    struct CLIFailure: Error { var message: String; init(_ m: String) { message = m } }

    static func json(_ outcome: Outcome) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: outcome.stdoutData) as? [String: Any])
    }

    static func snr(_ reference: [Int16], _ test: [Int16]) -> Double {
        var s = 0.0, n = 0.0
        for i in 0..<min(reference.count, test.count) {
            let r = Double(reference[i]), d = Double(test[i]) - r
            s += r * r
            n += d * d
        }
        return 10 * log10(s / max(n, 1e-9))
    }

    /// A canonical 44-byte-header WAV with the given header fields and `samples`.
    static func wav(rate: UInt32, channels: UInt16, samples: [Int16], declaredDataBytes: UInt32? = nil) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let dataBytes = UInt32(samples.count * 2)
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes)
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(rate)
        u32(rate * UInt32(max(channels, 1)) * 2); u16(max(channels, 1) * 2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(declaredDataBytes ?? dataBytes)
        samples.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }
}

import Testing
