/// A RIFF/WAVE header parsed by hand (not by libsndfile), so that every lie in it can be named:
/// a truncated header, a data chunk longer than the file, a missing or malformed `fmt ` chunk.
///
/// Only the `fmt ` and `data` chunks matter; others are skipped by their declared size, checked
/// against the real file size first.
struct RIFFWaveHeader {
    var formatTag: UInt16 = 0
    var channels = 0
    var sampleRate = 0
    var byteRate = 0
    var blockAlign = 0
    var bitsPerSample = 0
    /// Offset of the first audio byte, and the size the `data` chunk declares.
    var dataOffset = 0
    var declaredDataSize = 0
    /// Audio bytes really present (declared size clipped to the file).
    var availableDataSize = 0
    var problems: [GreetingIssue] = []

    var encoding: GreetingEncoding {
        switch formatTag {
        case 1:
            switch bitsPerSample {
            case 8: .pcm8
            case 16: .pcm16
            case 24: .pcm24
            case 32: .pcm32
            default: .unknown
            }
        case 3: bitsPerSample == 64 ? .float64 : .float32
        case 6: .alaw
        case 7: .ulaw
        case 0x31: .gsm610
        case 0x50: .mp2
        case 0x55: .mp3
        case 2, 0x11: .adpcm
        default: .unknown
        }
    }

    /// Parses `bytes`, the whole file (or its first part when `fileSize` is larger).
    init(bytes: UnsafeRawBufferPointer, fileSize: Int) {
        let r = ByteReader(bytes: bytes)
        guard bytes.count >= 12, r.matches("RIFF", at: 0), r.matches("WAVE", at: 8) else {
            problems.append(GreetingIssue(.truncatedHeader, "The WAV header is shorter than its 12-byte RIFF preamble."))
            return
        }
        var offset = 12
        var sawFormat = false
        while true {
            guard let size32 = r.u32le(offset + 4) else {
                if !sawFormat {
                    problems.append(GreetingIssue(.truncatedHeader, "The file ends inside the WAV header, before the format chunk."))
                } else {
                    problems.append(GreetingIssue(.missingDataChunk, "The WAV file has no data chunk."))
                }
                return
            }
            let size = Int(size32)
            let body = offset + 8
            if r.matches("fmt ", at: offset) {
                guard size >= 16, let tag = r.u16le(body), let ch = r.u16le(body + 2), let rate = r.u32le(body + 4),
                    let br = r.u32le(body + 8), let ba = r.u16le(body + 12), let bits = r.u16le(body + 14)
                else {
                    problems.append(GreetingIssue(
                        size < 16 ? .invalidFormatChunk : .truncatedHeader,
                        size < 16 ? "The WAV format chunk is \(size) bytes, shorter than the 16 it must hold."
                            : "The file ends inside the WAV format chunk."))
                    return
                }
                formatTag = tag
                if tag == 0xFFFE, size >= 40, let sub = r.u16le(body + 24) { formatTag = sub }  // WAVE_FORMAT_EXTENSIBLE
                channels = Int(ch)
                sampleRate = Int(rate)
                byteRate = Int(br)
                blockAlign = Int(ba)
                bitsPerSample = Int(bits)
                sawFormat = true
                if channels == 0 || sampleRate == 0 || blockAlign == 0 {
                    problems.append(GreetingIssue(.invalidFormatChunk, "The WAV format chunk declares zero channels, rate or block size."))
                    return
                }
                if [1, 3, 6, 7].contains(formatTag), blockAlign != channels * ((bitsPerSample + 7) / 8) {
                    problems.append(GreetingIssue(.invalidFormatChunk,
                        "The WAV block size (\(blockAlign) bytes) does not match \(channels) channel(s) of \(bitsPerSample) bits."))
                    return
                }
            } else if r.matches("data", at: offset) {
                guard sawFormat else {
                    problems.append(GreetingIssue(.missingFormatChunk, "The WAV data chunk comes before any format chunk."))
                    return
                }
                dataOffset = body
                declaredDataSize = size
                let present = max(0, fileSize - body)
                availableDataSize = min(size, present)
                if size > present {
                    problems.append(GreetingIssue(.dataChunkExceedsFile,
                        "The WAV data chunk claims \(size) bytes but only \(present) follow it in the file (truncated or lying header)."))
                }
                return
            }
            // Skip another chunk (padded to even size), but never past the real end of file.
            let next = body + size + (size & 1)
            if next > fileSize || next <= offset {
                problems.append(GreetingIssue(sawFormat ? .missingDataChunk : .truncatedHeader,
                    sawFormat ? "The WAV file has no data chunk." : "A WAV header chunk runs past the end of the file."))
                return
            }
            offset = next
        }
    }
}
