import ArgumentParser
import TimbreHID

#if canImport(Glibc)
import Glibc
#endif

/// `--descriptor HEX | --file F`: a report descriptor as hex text or as raw bytes (what sysfs'
/// `report_descriptor` holds).
struct HeadsetDescriptorInput: ParsableArguments {
    @Option(name: .long, help: "The report descriptor as hex bytes (spaces allowed).")
    var descriptor: String?

    @Option(name: .long, help: "A file holding the raw report descriptor bytes (e.g. sysfs report_descriptor).")
    var file: String?

    func validate() throws {
        if (descriptor == nil) == (file == nil) {
            throw ValidationError("give exactly one of --descriptor HEX or --file F")
        }
    }

    /// The raw bytes.
    func bytes() throws -> [UInt8] {
        if let descriptor { return try HeadsetHex.parse(descriptor, what: "--descriptor") }
        let path = file ?? ""
        return try HeadsetFiles.read(path, limit: HIDDescriptorLimits.maxDescriptorBytes + 1)
    }

    /// Parsed descriptor and its telephony mapping; malformed input is a `CLIError` (exit 2).
    func controls() throws -> TelephonyControls {
        let raw = try bytes()
        do {
            return try TelephonyControls(descriptor: raw)
        } catch {
            throw CLIError("malformed report descriptor: \(error)")
        }
    }
}

/// Hex text ↔ bytes.
enum HeadsetHex {
    static func parse(_ text: String, what: String) throws -> [UInt8] {
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars where !(scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == ",") {
            guard let value = UInt8(String(scalar), radix: 16) else {
                throw CLIError("\(what): '\(scalar)' is not a hex digit")
            }
            digits.append(value)
        }
        guard digits.count % 2 == 0 else { throw CLIError("\(what): odd number of hex digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            bytes.append(digits[i] << 4 | digits[i + 1])
            i += 2
        }
        return bytes
    }

    static func string(_ bytes: [UInt8], separator: String = "") -> String {
        let digits = Array("0123456789abcdef")
        return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xF)]]) }.joined(separator: separator)
    }
}

/// Whole-file reads with a size bound and clear errors.
enum HeadsetFiles {
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            result += chunk[0..<n]
            guard result.count <= limit else { throw CLIError("\(path) is larger than \(limit) bytes") }
        }
        return result
    }
}

/// Minimal JSON text building with stable key order.
enum HeadsetJSON {
    static func string(_ s: String) -> String { JSONOutput.quote(s) }

    /// `{"k": v, ...}` from already-encoded values.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}

/// stdout lines, flushed so that `monitor` output reaches a pipe as it happens.
enum HeadsetOutput {
    static func line(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
