import Foundation
import TimbreAudioFile

/// Fixes a recording left behind by a crashed process (of any Timbre version).
///
/// - WAV: the audio bytes are all there but the RIFF and `data` sizes may be stale (or 0, or
///   0xFFFFFFFF). The sizes are recomputed from the real file length (rounded down to whole
///   frames, a torn last frame is cut off), the `fact` sample count is fixed when present, and
///   the header is rewritten in place with `pwrite` + `fsync`: no audio is copied or lost.
/// - FLAC and Ogg Opus: the frames/pages written before the kill are complete except the
///   last, and decoders (libsndfile, ffmpeg) play them; repair decodes the readable prefix with
///   libsndfile and rewrites it as a finished file (true length in STREAMINFO / final page)
///   via a temporary file and `rename`.
/// - The sidecar JSON, if any, gets the true duration and `state: "repaired"`.
public enum RecordingRepair {
    public struct Result: Sendable, Equatable {
        /// Frames (samples per channel) the repaired file holds.
        public var frames: Int
        public var sampleRate: Int
        /// True when anything was changed.
        public var changed: Bool
        public var summary: String
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case cannotOpen(String)
        case notRepairable(String)

        public var description: String {
            switch self {
            case .cannotOpen(let why): why
            case .notRepairable(let why): why
            }
        }
    }

    public static func repair(path: String) throws(Failure) -> Result {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw .cannotOpen("\(path) is not a regular file") }
        let size = Int(st.st_size)
        var head = [UInt8](repeating: 0, count: min(size, 4096))
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard got == head.count, head.count >= 12 else { throw .notRepairable("\(path): too short to be a recording (\(size) bytes)") }
        let result: Result
        if head[0...3] == [0x52, 0x49, 0x46, 0x46], head[8...11] == [0x57, 0x41, 0x56, 0x45] {
            result = try repairWAV(fd: fd, head: head, fileSize: size, path: path)
        } else if head[0...3] == Array("fLaC".utf8)[...] || head[0...3] == Array("OggS".utf8)[...] {
            result = try rewrite(path: path, isFLAC: head[0] == 0x66)
        } else {
            throw .notRepairable("\(path): not a WAV, FLAC or Ogg recording")
        }
        updateSidecar(for: path, result: result)
        return result
    }

    private static func u32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
    }

    private static func le32(_ v: Int) -> [UInt8] {
        let x = UInt32(truncatingIfNeeded: v)
        return [UInt8(x & 0xFF), UInt8(x >> 8 & 0xFF), UInt8(x >> 16 & 0xFF), UInt8(x >> 24)]
    }

    private static func repairWAV(fd: Int32, head: [UInt8], fileSize: Int, path: String) throws(Failure) -> Result {
        var offset = 12
        var blockAlign = 0
        var sampleRate = 0
        var factOffset: Int?
        var dataOffset: Int?
        while offset + 8 <= head.count {
            let id = String(decoding: head[offset..<offset + 4], as: UTF8.self)
            let size = u32(head, offset + 4)
            if id == "fmt ", offset + 24 <= head.count {
                sampleRate = u32(head, offset + 12)
                blockAlign = Int(head[offset + 20]) | Int(head[offset + 21]) << 8
            } else if id == "fact" {
                factOffset = offset + 8
            } else if id == "data" {
                dataOffset = offset
                break
            }
            // libsndfile writes fmt/fact/PEAK before data, all with true sizes from the start.
            offset += 8 + size + (size & 1)
        }
        guard let d = dataOffset, blockAlign > 0, sampleRate > 0 else {
            throw .notRepairable("\(path): WAV header has no readable fmt/data chunks")
        }
        let audioStart = d + 8
        let frames = max(0, fileSize - audioStart) / blockAlign
        let dataSize = frames * blockAlign
        guard dataSize <= Int(UInt32.max) - audioStart else { throw .notRepairable("\(path): over 4 GiB, too large for WAV") }
        let newFileSize = audioStart + dataSize
        var changed = false
        if newFileSize != fileSize {
            guard ftruncate(fd, off_t(newFileSize)) == 0 else { throw .cannotOpen("cannot truncate \(path): \(String(cString: strerror(errno)))") }
            changed = true
        }
        var patches: [(Int, [UInt8])] = [(4, le32(newFileSize - 8)), (d + 4, le32(dataSize))]
        if let f = factOffset, f + 4 <= d { patches.append((f, le32(frames))) }
        for (at, bytes) in patches {
            if Array(head[at..<at + 4]) == bytes { continue }
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4, off_t(at)) }
            guard n == 4 else { throw .cannotOpen("cannot write \(path): \(String(cString: strerror(errno)))") }
            changed = true
        }
        fsync(fd)
        let summary = changed
            ? "repaired: \(frames) frames (\(seconds(frames, sampleRate)) s); data size \(u32(head, d + 4)) → \(dataSize) bytes"
            : "already valid: \(frames) frames (\(seconds(frames, sampleRate)) s)"
        return Result(frames: frames, sampleRate: sampleRate, changed: changed, summary: summary)
    }

    /// Decodes what libsndfile can read and writes it back as a finished file of the same format.
    private static func rewrite(path: String, isFLAC: Bool) throws(Failure) -> Result {
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: path) } catch { throw .notRepairable("\(path): \(error)") }
        let channels = reader.channels
        let rate = reader.sampleRate
        let tmp = path + ".repair.tmp"
        do {
            let writer = try AudioFileWriter(path: tmp, format: isFLAC ? .flac16 : .oggOpus, sampleRate: rate, channels: channels)
            var buffer = [Int16](repeating: 0, count: 4096 * channels)
            var frames = 0
            while true {
                // A torn last frame/page ends the read with an error: keep what came before it.
                let n: Int
                do { n = try buffer.withUnsafeMutableBufferPointer { (b) throws(AudioFileError) in try reader.read(into: b) } } catch { break }
                if n <= 0 { break }
                try buffer.withUnsafeBufferPointer { (b) throws(AudioFileError) in try writer.write(UnsafeBufferPointer(rebasing: b[0..<(n * channels)])) }
                frames += n
            }
            try writer.close()
            guard rename(tmp, path) == 0 else { throw AudioFileError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
            return Result(frames: frames, sampleRate: rate, changed: true,
                summary: "rewrote \(frames) readable frames (\(seconds(frames, rate)) s) as a finished \(isFLAC ? "FLAC" : "Ogg Opus") file")
        } catch {
            unlink(tmp)
            throw .notRepairable("\(path): \(error)")
        }
    }

    private static func seconds(_ frames: Int, _ rate: Int) -> String {
        let ms = frames * 1000 / max(rate, 1)
        return "\(ms / 1000).\(String(ms % 1000 + 1000).dropFirst())"
    }

    private static func updateSidecar(for path: String, result: Result) {
        let sidecar = RecordingMetadata.sidecarPath(for: path)
        guard var m = try? RecordingMetadata.read(from: sidecar), m.state == "recording" || result.changed else { return }
        m.durationSeconds = Double(result.frames) / Double(result.sampleRate)
        if m.state == "recording" { m.state = "repaired" }
        try? m.write(to: sidecar)
    }
}
