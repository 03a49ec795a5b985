import TimbreAudioFile
import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing the files `timbre` commands take, with every failure turned into a
/// one-line `CLIError` (exit 2).
enum AudioInput {
    /// Reads an audio file as mono 16-bit PCM at `rate` Hz. A file already mono at `rate` is
    /// returned untouched; otherwise it is mixed down and resampled with libsamplerate, and a
    /// note saying so goes to stderr. `accepting` lists other rates to keep as they are
    /// (Opus encodes 8/12/16/24 kHz natively).
    static func readMono(_ path: String, rate: Int, accepting: [Int] = []) throws -> (samples: [Int16], rate: Int) {
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: path) } catch { throw CLIError(error.description) }
        guard reader.channels > 0 else { throw CLIError("\(path): zero channels") }
        guard reader.sampleRate > 0 else { throw CLIError("\(path): zero sample rate") }
        var samples: [Int16]
        do { samples = reader.channels == 1 ? try reader.readAll() : try reader.readAllMono() } catch {
            throw CLIError(error.description)
        }
        let keep = reader.sampleRate == rate || accepting.contains(reader.sampleRate)
        let target = keep ? reader.sampleRate : rate
        if reader.channels != 1 || !keep {
            var steps: [String] = []
            if reader.channels != 1 { steps.append("mixing \(reader.channels) channels down to mono") }
            if !keep { steps.append("resampling \(reader.sampleRate) Hz to \(rate) Hz (libsamplerate)") }
            CLIEntryPoint.note("\(path): " + steps.joined(separator: ", "))
        }
        if !keep {
            do { samples = try Resampler.convert(samples, from: reader.sampleRate, to: rate) } catch {
                throw CLIError("\(path): cannot resample: \(error)")
            }
        }
        return (samples, target)
    }

    /// Writes 16-bit PCM WAV.
    static func writeWAV(_ samples: [Int16], to path: String, rate: Int, channels: Int = 1) throws {
        do { try AudioFileWriter.write(samples, to: path, sampleRate: rate, channels: channels) } catch {
            throw CLIError(error.description)
        }
    }

    /// Reads a whole file in chunks, handing each to `body`.
    static func readChunks(_ path: String, chunkSize: Int = 65_536, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let file = fopen(path, "rb") else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var st = stat()
        if fstat(fileno(file), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw CLIError("\(path): is a directory") }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, chunkSize, file) }
            if n > 0 { try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<n])) } }
            if n < chunkSize {
                if ferror(file) != 0 { throw CLIError("\(path): read error") }
                return
            }
        }
    }

    /// Reads a whole (raw codec) file.
    static func readBytes(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try readChunks(path) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Writes bytes to a file, replacing it.
    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else { throw CLIError("\(path): write failed") }
    }
}

extension CLIEntryPoint {
    /// An informational line on stderr (not an error): "timbre: <message>".
    static func note(_ message: String) { printError(message) }
}
