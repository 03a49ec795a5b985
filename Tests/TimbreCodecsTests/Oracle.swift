import Foundation

/// Runs the outside oracles — libspandsp through a tiny C program compiled here with `cc`, and
/// the `ffmpeg` and `sox` command-line tools — on byte buffers, through files in a scratch
/// directory. Tests that need an oracle are disabled, with the reason shown, when it is missing.
enum Oracle {
    enum Failure: Error, CustomStringConvertible {
        case toolFailed(String, Int32, String)
        var description: String {
            switch self {
            case .toolFailed(let tool, let status, let stderr): return "\(tool) exited \(status): \(stderr)"
            }
        }
    }

    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("timbre-codec-oracles-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The libspandsp helper's path, or nil when `cc` or libspandsp-dev is missing.
    static let spandspHelper: String? = {
        let source = scratch.appendingPathComponent("spandsp_oracle.c")
        let binary = scratch.appendingPathComponent("spandsp_oracle").path
        guard (try? spandspSource.write(to: source, atomically: true, encoding: .utf8)) != nil,
            let status = try? launch("/usr/bin/env", ["cc", "-O1", "-o", binary, source.path, "-lspandsp", "-lm"]).status,
            status == 0
        else { return nil }
        return binary
    }()

    static var hasSpandsp: Bool { spandspHelper != nil }
    static let hasFFmpeg: Bool = (try? launch("/usr/bin/env", ["ffmpeg", "-version"]).status) == 0
    static let hasSox: Bool = (try? launch("/usr/bin/env", ["sox", "--version"]).status) == 0

    /// Runs libspandsp operation `op` (see the C source) over `input`, fed in `chunk`-unit calls.
    static func spandsp(_ op: String, _ input: [UInt8], chunk: Int = 320) throws -> [UInt8] {
        try filter(spandspHelper!, [op, String(chunk)], input)
    }

    /// Runs `ffmpeg -loglevel error -y <inputArgs> -i IN <outputArgs> OUT`.
    static func ffmpeg(_ inputArgs: [String], _ outputArgs: [String], _ input: [UInt8]) throws -> [UInt8] {
        try withFiles(input) { i, o in ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"] + inputArgs + ["-i", i] + outputArgs + [o] }
    }

    /// Runs `sox <inputArgs> IN <outputArgs> OUT`.
    static func sox(_ inputArgs: [String], _ outputArgs: [String], _ input: [UInt8]) throws -> [UInt8] {
        try withFiles(input) { i, o in ["sox"] + inputArgs + [i] + outputArgs + [o] }
    }

    static func bytes(_ samples: [Int16]) -> [UInt8] {
        samples.withUnsafeBytes { Array($0) }
    }

    static func samples(_ bytes: [UInt8]) -> [Int16] {
        var out = [Int16](repeating: 0, count: bytes.count / 2)
        let count = out.count * 2
        out.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix(count)) }
        return out
    }

    /// Reads a WAV from `SampleAudio` as raw 16-bit mono PCM at `rate` through ffmpeg.
    static func pcm(wav path: String, rate: Int) throws -> [Int16] {
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        return samples(try ffmpeg([], ["-ac", "1", "-ar", String(rate), "-f", "s16le"], data))
    }

    // MARK: Plumbing

    private static func withFiles(_ input: [UInt8], _ command: (String, String) -> [String]) throws -> [UInt8] {
        let id = UUID().uuidString
        let inURL = scratch.appendingPathComponent("in-\(id)")
        let outURL = scratch.appendingPathComponent("out-\(id)")
        defer {
            try? FileManager.default.removeItem(at: inURL)
            try? FileManager.default.removeItem(at: outURL)
        }
        try Data(input).write(to: inURL)
        let args = command(inURL.path, outURL.path)
        let result = try launch("/usr/bin/env", args)
        guard result.status == 0 else { throw Failure.toolFailed(args[0], result.status, result.stderr) }
        return try Array(Data(contentsOf: outURL))
    }

    private static func filter(_ executable: String, _ args: [String], _ input: [UInt8]) throws -> [UInt8] {
        let id = UUID().uuidString
        let inURL = scratch.appendingPathComponent("in-\(id)")
        let outURL = scratch.appendingPathComponent("out-\(id)")
        defer {
            try? FileManager.default.removeItem(at: inURL)
            try? FileManager.default.removeItem(at: outURL)
        }
        try Data(input).write(to: inURL)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let result = try launch(executable, args, stdin: inURL, stdout: outURL)
        guard result.status == 0 else { throw Failure.toolFailed(executable, result.status, result.stderr) }
        return try Array(Data(contentsOf: outURL))
    }

    @discardableResult
    static func launch(_ executable: String, _ args: [String], stdin: URL? = nil, stdout: URL? = nil) throws
        -> (status: Int32, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        let errURL = scratch.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardError = errHandle
        process.standardOutput = try stdout.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? errHandle.close()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stderr)
    }

    /// The libspandsp harness: `spandsp_oracle OP [CHUNK] < IN > OUT`.
    static let spandspSource = #"""
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <stdint.h>
    #include <spandsp.h>

    static unsigned char *slurp(size_t *n) {
        size_t cap = 1 << 16, len = 0, r;
        unsigned char *b = malloc(cap);
        while ((r = fread(b + len, 1, cap - len, stdin)) > 0) {
            len += r;
            if (len == cap) b = realloc(b, cap *= 2);
        }
        *n = len;
        return b;
    }

    int main(int argc, char **argv) {
        if (argc < 2) return 2;
        const char *op = argv[1];
        int chunk = argc > 2 ? atoi(argv[2]) : 320;
        size_t n;
        unsigned char *in = slurp(&n);
        if (!strcmp(op, "ulaw-enc") || !strcmp(op, "alaw-enc")) {
            size_t m = n / 2;
            const int16_t *x = (const int16_t *) in;
            uint8_t *y = malloc(m + 1);
            for (size_t i = 0; i < m; i++) y[i] = op[0] == 'u' ? linear_to_ulaw(x[i]) : linear_to_alaw(x[i]);
            fwrite(y, 1, m, stdout);
        } else if (!strcmp(op, "ulaw-dec") || !strcmp(op, "alaw-dec")) {
            int16_t *y = malloc(2 * n + 2);
            for (size_t i = 0; i < n; i++) y[i] = op[0] == 'u' ? ulaw_to_linear(in[i]) : alaw_to_linear(in[i]);
            fwrite(y, 2, n, stdout);
        } else if (!strcmp(op, "g722-enc")) {
            g722_encode_state_t *s = g722_encode_init(NULL, 64000, 0);
            size_t m = n / 2, done = 0, out = 0;
            const int16_t *x = (const int16_t *) in;
            uint8_t *y = malloc(m + 1);
            while (done < m) {
                int len = (int) ((m - done) < (size_t) chunk ? (m - done) : (size_t) chunk);
                out += g722_encode(s, y + out, x + done, len);
                done += len;
            }
            fwrite(y, 1, out, stdout);
        } else if (!strncmp(op, "g722-dec", 8)) {
            int mode = atoi(op + 8);
            int rate = mode == 2 ? 56000 : mode == 3 ? 48000 : 64000;
            g722_decode_state_t *s = g722_decode_init(NULL, rate, 0);
            int16_t *y = malloc(4 * n + 4);
            size_t done = 0, out = 0;
            while (done < n) {
                int len = (int) ((n - done) < (size_t) chunk ? (n - done) : (size_t) chunk);
                out += g722_decode(s, y + out, in + done, len);
                done += len;
            }
            fwrite(y, 2, out, stdout);
        } else {
            return 2;
        }
        return 0;
    }
    """#
}
