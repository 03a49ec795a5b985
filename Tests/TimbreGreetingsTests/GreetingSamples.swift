import Foundation
import TimbreTestSupport

/// Makes greeting test files in a fresh temporary directory with sox and ffmpeg (oracles we did
/// not write), plus byte surgery for the malformed cases.
struct GreetingSamples {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "timbre-greetings-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs a tool and fails if it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ToolFailed(command: ([tool] + arguments).joined(separator: " ")) }
        return p.terminationStatus
    }

    struct ToolFailed: Error { var command: String }

    /// A file made by sox from a speech sample: `sox speech-en-male-8k.wav <options> out`.
    func sox(_ name: String, from input: String = "speech-en-male-8k.wav", _ options: [String] = [], effects: [String] = []) throws -> String {
        let out = path(name)
        try Self.run("sox", [Fixtures.sampleAudio(input)] + options + [out] + effects)
        return out
    }

    /// A file made by ffmpeg from a speech sample.
    func ffmpeg(_ name: String, from input: String = "speech-en-male-8k.wav", _ options: [String]) throws -> String {
        let out = path(name)
        try Self.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", Fixtures.sampleAudio(input)] + options + [out])
        return out
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let out = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// The canonical 44-byte header of a PCM WAV, for hand-built files.
    static func wavHeader(formatTag: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 8000, bits: UInt16 = 16, dataSize: UInt32) -> [UInt8] {
        let blockAlign = channels * (bits / 8)
        var h: [UInt8] = []
        func u32(_ v: UInt32) { h += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        func u16(_ v: UInt16) { h += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        h += Array("RIFF".utf8); u32(36 &+ dataSize); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(formatTag); u16(channels); u32(rate)
        u32(rate * UInt32(blockAlign)); u16(blockAlign); u16(bits)
        h += Array("data".utf8); u32(dataSize)
        return h
    }

    /// Offset of the `data` chunk id in a WAV file's bytes.
    static func dataChunkOffset(_ b: [UInt8]) -> Int? {
        var i = 12
        while i + 8 <= b.count {
            let size = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
            if b[i] == 0x64, b[i + 1] == 0x61, b[i + 2] == 0x74, b[i + 3] == 0x61 { return i }
            i += 8 + size + (size & 1)
        }
        return nil
    }
}
