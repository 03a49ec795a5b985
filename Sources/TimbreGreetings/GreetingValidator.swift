import CSndFile
#if canImport(Glibc)
import Glibc
#endif

/// Checks greeting files against a `GreetingProfile`.
///
/// Order matters and is part of the contract: the file size is checked first (from `fstat`,
/// before a byte is decoded); the container is sniffed from the content, never the name; the
/// header is parsed by hand with every length checked against the real file size; only a file
/// whose structure is sound is decoded (by libsndfile) to find empty, silent or clipped audio.
/// Memory use is bounded by the profile's size limit (or `absoluteMaximumBytes`), never by a
/// length a header states.
public struct GreetingValidator: Sendable {
    public var profile: GreetingProfile

    /// The most any profile may accept: larger files are reported without being read.
    public static let absoluteMaximumBytes = 64 * 1024 * 1024
    /// Bytes read for sniffing a file too large to validate fully.
    static let sniffBytes = 64 * 1024

    public init(profile: GreetingProfile = .yeastar) { self.profile = profile }

    /// An input/output failure (missing file, a directory, no permission): not a verdict on the
    /// file's content, so the CLI exits 2 rather than 1.
    public enum Error: Swift.Error, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case notARegularFile(path: String)
        case readFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let p, let r): "cannot open \(p): \(r)"
            case .notARegularFile(let p): "\(p) is not a regular file"
            case .readFailed(let p, let r): "cannot read \(p): \(r)"
            }
        }
    }

    /// Validates one file.
    public func validate(path: String) throws(Error) -> GreetingReport {
        let (bytes, size) = try Self.readBounded(path: path, limit: min(profile.maximumSizeBytes ?? Self.absoluteMaximumBytes, Self.absoluteMaximumBytes))
        return bytes.withUnsafeBytes { validate(path: path, bytes: $0, fileSize: size) }
    }

    private func validate(path: String, bytes: UnsafeRawBufferPointer, fileSize: Int) -> GreetingReport {
        var problems: [GreetingIssue] = []
        var warnings: [GreetingIssue] = []
        let ext = Self.fileExtension(of: path)
        func report(_ format: GreetingFormat) -> GreetingReport {
            GreetingReport(file: path, profile: profile.name, format: format, problems: problems, warnings: warnings)
        }
        if fileSize == 0 {
            problems.append(GreetingIssue(.fileEmpty, "The file is empty (0 bytes)."))
            return report(GreetingFormat(container: .unknown, encoding: .unknown, sizeBytes: 0))
        }
        let container = Self.sniff(bytes, fileSize: fileSize)
        if !profile.extensions.contains(ext.lowercased()) {
            problems.append(GreetingIssue(.unsupportedFileType,
                "The file name extension \(ext.isEmpty ? "(none)" : "." + ext) is not one profile \(profile.name) accepts (\(profile.extensions.map { "." + $0 }.joined(separator: ", ")))."))
        }
        if let claimed = GreetingContainer(fileExtension: ext), container != .unknown, claimed != container {
            problems.append(GreetingIssue(.extensionMismatch,
                "The name says .\(ext) but the content is \(container.rawValue.uppercased())."))
        }
        let limit = min(profile.maximumSizeBytes ?? Self.absoluteMaximumBytes, Self.absoluteMaximumBytes)
        let tooLarge = fileSize > limit
        if tooLarge {
            problems.append(GreetingIssue(.fileTooLarge,
                "The file is \(fileSize) bytes; profile \(profile.name) accepts at most \(limit) bytes."))
        }
        var format = GreetingFormat(container: container, encoding: .unknown, sizeBytes: fileSize)
        var structuralProblem = false
        switch container {
        case .wav:
            let h = RIFFWaveHeader(bytes: bytes, fileSize: fileSize)
            format.encoding = h.encoding
            if h.sampleRate > 0 {
                format.sampleRate = h.sampleRate
                format.channels = h.channels
                format.bitsPerSample = h.bitsPerSample
                format.bitrateKbps = Double(h.byteRate) * 8 / 1000
                if h.byteRate > 0, h.dataOffset > 0 {
                    format.durationSeconds = Double(h.availableDataSize) / Double(h.byteRate)
                }
            }
            structuralProblem = !h.problems.isEmpty
            // A lying data size only matters when the sniffed prefix held the whole file.
            problems += h.problems.filter { !(tooLarge && $0.code == .dataChunkExceedsFile) }
            if !structuralProblem, h.declaredDataSize == 0 {
                problems.append(GreetingIssue(.emptyAudio, "The WAV data chunk holds no audio."))
                structuralProblem = true
            }
        case .gsm:
            format.encoding = .gsm610
            format.sampleRate = 8000
            format.channels = 1
            format.bitrateKbps = 13.2
            let frames = fileSize / 33
            format.durationSeconds = Double(frames) * 0.02
            if !tooLarge {
                if fileSize % 33 != 0 {
                    problems.append(GreetingIssue(.gsmPartialFrame,
                        "The GSM file is \(fileSize) bytes, not a whole number of 33-byte frames (\(fileSize % 33) bytes left over)."))
                    structuralProblem = true
                }
                var bad = 0
                var firstBad = -1
                for f in 0..<frames where bytes[f * 33] >> 4 != 0xD {
                    if firstBad < 0 { firstBad = f }
                    bad += 1
                }
                if bad > 0 {
                    problems.append(GreetingIssue(.gsmBadFrameSignature,
                        "\(bad) of \(frames) GSM frames lack the 0xD signature nibble (first: frame \(firstBad))."))
                    structuralProblem = true
                }
            }
        case .mp3:
            if let m = MPEGFrameHeader.find(in: bytes) {
                format.encoding = m.layer == 3 ? .mp3 : m.layer == 2 ? .mp2 : .mp1
                format.sampleRate = m.sampleRate
                format.channels = m.channels
                format.bitrateKbps = m.bitrateKbps > 0 ? Double(m.bitrateKbps) : nil
            }
        case .unknown:
            problems.append(GreetingIssue(.unrecognisedContent, "The content is not a recognised audio file."))
            structuralProblem = true
        case .flac, .ogg, .aiff, .au:
            break
        }
        if container != .unknown, !profile.formats.contains(where: { $0.container == container }) {
            problems.append(GreetingIssue(.unsupportedFileType,
                "\(container.rawValue.uppercased()) files are not accepted by profile \(profile.name)."))
            structuralProblem = true
        }
        if tooLarge || structuralProblem {
            return report(format)
        }
        // Decode: proves the audio is decodable, gives its true duration and levels.
        do {
            let source = try SoundFileSource(path: path, rawGSM: container == .gsm)
            if format.sampleRate == nil || container == .mp3 || container == .flac || container == .ogg {
                format.sampleRate = source.sampleRate
                format.channels = source.channels
            }
            if format.encoding == .unknown { format.encoding = Self.encoding(libsndfileFormat: source.format) }
            let stats = LevelStatistics.measure(source)
            if stats.frames == 0 {
                problems.append(GreetingIssue(.emptyAudio, "The file decodes to no audio at all."))
            }
            if let e = stats.error, stats.frames == 0 || container == .mp3 && stats.frames == 0 {
                problems.append(GreetingIssue(.undecodableAudio, "The audio cannot be decoded: \(e)."))
            }
            if container != .wav || format.durationSeconds == nil {
                format.durationSeconds = Double(stats.frames) / Double(source.sampleRate)
            }
            if stats.frames > 0 {
                if stats.peak < 33 {
                    warnings.append(GreetingIssue(.silentAudio, "The audio is silent (peak below -60 dBFS)."))
                } else if stats.clippedFraction >= 0.005 {
                    warnings.append(GreetingIssue(.clippedAudio,
                        "The audio is heavily clipped (\(Self.percent(stats.clippedFraction)) of samples stuck at full scale)."))
                }
            }
        } catch {
            problems.append(GreetingIssue(.undecodableAudio, "The audio cannot be decoded (\(Self.describe(error)))."))
            return report(format)
        }
        matchRules(format, into: &problems)
        return report(format)
    }

    /// Compares the detected format with the profile's rules for its container.
    private func matchRules(_ f: GreetingFormat, into problems: inout [GreetingIssue]) {
        let forContainer = profile.formats.filter { $0.container == f.container }
        guard !forContainer.isEmpty else { return }
        let forEncoding = forContainer.filter { $0.encoding == f.encoding }
        guard !forEncoding.isEmpty else {
            problems.append(GreetingIssue(.unsupportedEncoding,
                "\(f.container.rawValue.uppercased()) encoding \(f.encoding.rawValue) is not accepted by profile \(profile.name) (accepted: \(forContainer.map(\.encoding.rawValue).joined(separator: ", ")))."))
            return
        }
        if forEncoding.contains(where: { ($0.sampleRate == nil || $0.sampleRate == f.sampleRate) && ($0.channels == nil || $0.channels == f.channels) && ($0.bitsPerSample == nil || $0.bitsPerSample == f.bitsPerSample) }) {
            return
        }
        let rule = forEncoding[0]
        if let r = rule.sampleRate, r != f.sampleRate {
            problems.append(GreetingIssue(.unsupportedSampleRate,
                "The sample rate is \(f.sampleRate.map { "\($0) Hz" } ?? "unknown"); profile \(profile.name) needs \(r) Hz for \(f.encoding.rawValue)."))
        }
        if let c = rule.channels, c != f.channels {
            problems.append(GreetingIssue(.unsupportedChannels,
                "The file has \(f.channels.map(String.init) ?? "unknown") channels; profile \(profile.name) needs \(c == 1 ? "mono" : "\(c) channels")."))
        }
        if let b = rule.bitsPerSample, b != f.bitsPerSample {
            problems.append(GreetingIssue(.unsupportedBitsPerSample,
                "Samples are \(f.bitsPerSample.map(String.init) ?? "unknown") bits; profile \(profile.name) needs \(b) bits for \(f.encoding.rawValue)."))
        }
    }

    // MARK: - Sniffing

    /// The container the bytes really are.
    static func sniff(_ bytes: UnsafeRawBufferPointer, fileSize: Int) -> GreetingContainer {
        let r = ByteReader(bytes: bytes)
        if r.matches("RIFF", at: 0) && r.matches("WAVE", at: 8) { return .wav }
        if (r.matches("RIFX", at: 0) || r.matches("RF64", at: 0)) && r.matches("WAVE", at: 8) { return .wav }
        if r.matches("fLaC", at: 0) { return .flac }
        if r.matches("OggS", at: 0) { return .ogg }
        if r.matches("FORM", at: 0) && (r.matches("AIFF", at: 8) || r.matches("AIFC", at: 8)) { return .aiff }
        if r.matches(".snd", at: 0) { return .au }
        if let b = r.u8(0), b >> 4 == 0xD {
            // Raw GSM 06.10 has no magic: every 33-byte frame starts with 0xD. Call it GSM when
            // most frame starts agree (the validator then names any frame that doesn't).
            let frames = min(bytes.count, fileSize) / 33
            var hits = 0
            for f in 0..<frames where bytes[f * 33] >> 4 == 0xD { hits += 1 }
            if frames == 0 || hits * 10 >= frames * 9 { return .gsm }
        }
        if r.matches("ID3", at: 0) || MPEGFrameHeader.find(in: bytes, limit: 4096) != nil { return .mp3 }
        return .unknown
    }

    static func fileExtension(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    static func encoding(libsndfileFormat f: Int32) -> GreetingEncoding {
        switch Int(f & 0xFFFF) {
        case Int(SF_FORMAT_PCM_S8), Int(SF_FORMAT_PCM_U8): .pcm8
        case Int(SF_FORMAT_PCM_16): .pcm16
        case Int(SF_FORMAT_PCM_24): .pcm24
        case Int(SF_FORMAT_PCM_32): .pcm32
        case Int(SF_FORMAT_FLOAT): .float32
        case Int(SF_FORMAT_DOUBLE): .float64
        case Int(SF_FORMAT_ALAW): .alaw
        case Int(SF_FORMAT_ULAW): .ulaw
        case Int(SF_FORMAT_GSM610): .gsm610
        case Int(SF_FORMAT_VORBIS): .vorbis
        case Int(SF_FORMAT_OPUS): .opus
        case Int(SF_FORMAT_MPEG_LAYER_III): .mp3
        case Int(SF_FORMAT_MPEG_LAYER_II): .mp2
        case Int(SF_FORMAT_MPEG_LAYER_I): .mp1
        case Int(SF_FORMAT_IMA_ADPCM), Int(SF_FORMAT_MS_ADPCM): .adpcm
        default: .unknown
        }
    }

    static func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func describe(_ error: SoundFileSource.OpenError) -> String {
        switch error { case .unreadable(let why): why }
    }

    // MARK: - Reading

    /// Reads the whole file when it is at most `limit` bytes, else its first `sniffBytes`.
    /// Returns the bytes and the real size from `fstat`.
    static func readBounded(path: String, limit: Int) throws(Error) -> ([UInt8], Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .readFailed(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }
        let size = Int(st.st_size)
        let want = size > limit ? min(size, sniffBytes) : size
        var bytes = [UInt8](repeating: 0, count: want)
        var got = 0
        while got < want {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, want - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
        if got < want { bytes.removeLast(want - got) }
        return (bytes, got < want ? got : size)
    }
}
