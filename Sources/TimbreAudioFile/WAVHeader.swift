/// What the RIFF/WAVE header of a file says, read by walking its chunks ourselves.
///
/// libsndfile is lenient with a header that lies (a `data` chunk that claims more bytes than the
/// file holds is read up to the end without complaint). A telephony system must reject such a
/// file instead of silently accepting a cut recording, so we check the chunk sizes against the
/// real file size first. Nothing here allocates from a header length: only the bytes already
/// read are inspected.
public struct WAVHeader: Hashable, Sendable {
    /// WAVE format tag (1 PCM, 3 float, 6 A-law, 7 u-law, 0x31 GSM 6.10, 0xFFFE extensible).
    public var formatTag: UInt16
    public var channels: Int
    public var sampleRate: Int
    public var byteRate: Int
    public var blockAlign: Int
    public var bitsPerSample: Int
    /// Offset and declared size of the `data` chunk.
    public var dataOffset: Int
    public var declaredDataSize: Int
    /// Size of the file the header was read from.
    public var fileSize: Int

    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case notRIFF
        case missingFormatChunk
        case missingDataChunk
        case formatChunkTooShort(Int)
        case dataLargerThanFile(declared: Int, available: Int)
        case chunkPastEndOfFile(id: String, declared: Int, available: Int)
        case zeroChannels
        case zeroSampleRate

        public var description: String {
            switch self {
            case .notRIFF: return "not a RIFF/WAVE file"
            case .missingFormatChunk: return "no fmt chunk before the data"
            case .missingDataChunk: return "no data chunk"
            case .formatChunkTooShort(let n): return "fmt chunk is \(n) bytes, at least 16 expected"
            case .dataLargerThanFile(let d, let a):
                return "data chunk declares \(d) bytes but the file holds \(a)"
            case .chunkPastEndOfFile(let id, let d, let a):
                return "chunk '\(id)' declares \(d) bytes but only \(a) remain"
            case .zeroChannels: return "header declares zero channels"
            case .zeroSampleRate: return "header declares a sample rate of zero"
            }
        }
    }

    /// Whether `prefix` starts like a RIFF/WAVE file (so `parse` applies).
    public static func looksLikeWAV(_ prefix: some Collection<UInt8>) -> Bool {
        let b = Array(prefix.prefix(12))
        guard b.count == 12 else { return false }
        let riff = b[0..<4].elementsEqual("RIFF".utf8) || b[0..<4].elementsEqual("RF64".utf8)
        return riff && b[8..<12].elementsEqual("WAVE".utf8)
    }

    /// Parses the header from the first bytes of a file (`prefix`, typically up to 64 KiB) and
    /// the file's real size. A `data` chunk size of 0 or 0xFFFFFFFF (written by streaming tools
    /// before they know the length) counts as "to the end of the file".
    public static func parse(prefix: [UInt8], fileSize: Int) throws(Problem) -> WAVHeader {
        guard looksLikeWAV(prefix) else { throw .notRIFF }
        var offset = 12
        var fmt: (tag: UInt16, ch: Int, rate: Int, byteRate: Int, align: Int, bits: Int)?
        while offset + 8 <= prefix.count {
            let id = String(decoding: prefix[offset..<offset + 4], as: UTF8.self)
            let size = Int(le32(prefix, offset + 4))
            let bodyStart = offset + 8
            let available = max(0, fileSize - bodyStart)
            if id == "fmt " {
                guard size >= 16 else { throw .formatChunkTooShort(size) }
                guard bodyStart + 16 <= prefix.count else {
                    throw .chunkPastEndOfFile(id: id, declared: size, available: available)
                }
                let channels = Int(le16(prefix, bodyStart + 2))
                let rate = Int(le32(prefix, bodyStart + 4))
                guard channels > 0 else { throw .zeroChannels }
                guard rate > 0 else { throw .zeroSampleRate }
                fmt = (
                    le16(prefix, bodyStart), channels, rate, Int(le32(prefix, bodyStart + 8)),
                    Int(le16(prefix, bodyStart + 12)), Int(le16(prefix, bodyStart + 14))
                )
            } else if id == "data" {
                guard let f = fmt else { throw .missingFormatChunk }
                let streaming = size == 0 || size == 0xFFFF_FFFF
                if !streaming && size > available {
                    throw .dataLargerThanFile(declared: size, available: available)
                }
                return WAVHeader(
                    formatTag: f.tag, channels: f.ch, sampleRate: f.rate, byteRate: f.byteRate,
                    blockAlign: f.align, bitsPerSample: f.bits, dataOffset: bodyStart,
                    declaredDataSize: streaming ? available : size, fileSize: fileSize)
            }
            if size > available { throw .chunkPastEndOfFile(id: id, declared: size, available: available) }
            offset = bodyStart + size + (size & 1)  // chunks are padded to even sizes
        }
        if fmt == nil { throw .missingFormatChunk }
        throw offset + 8 > fileSize ? .missingDataChunk : .missingDataChunk
    }

    /// Playable duration implied by the data chunk, in seconds (0 when the block size is unknown).
    public var durationSeconds: Double {
        guard byteRate > 0 else { return 0 }
        return Double(declaredDataSize) / Double(byteRate)
    }
}

@inline(__always)
private func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }

@inline(__always)
private func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
