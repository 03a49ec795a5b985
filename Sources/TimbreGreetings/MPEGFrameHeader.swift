/// The first MPEG audio frame header of a file (after any ID3v2 tag), enough to tell Layer III
/// from Layers I/II and to report rate, channels and bit rate without decoding.
struct MPEGFrameHeader {
    var layer: Int  // 1, 2 or 3
    var sampleRate: Int
    var channels: Int
    var bitrateKbps: Int  // 0 for free format

    /// Searches the first `limit` bytes after the ID3v2 tag for a valid frame sync.
    static func find(in bytes: UnsafeRawBufferPointer, limit: Int = 8192) -> MPEGFrameHeader? {
        let r = ByteReader(bytes: bytes)
        var start = 0
        if r.matches("ID3", at: 0), let b6 = r.u8(6), let b7 = r.u8(7), let b8 = r.u8(8), let b9 = r.u8(9) {
            // Syncsafe size: 4 × 7 bits.
            start = 10 + (Int(b6 & 0x7F) << 21 | Int(b7 & 0x7F) << 14 | Int(b8 & 0x7F) << 7 | Int(b9 & 0x7F))
        }
        let end = min(bytes.count - 4, start + limit)
        guard start <= end else { return nil }
        for i in stride(from: start, through: end, by: 1) {
            if let h = parse(r, at: i) {
                // Demand a second frame right after the first when the bytes are there, so a
                // random 0xFFE pattern in non-MP3 data is not taken for a frame.
                if let length = h.frameLength, i + length + 4 <= bytes.count {
                    if parse(r, at: i + length) == nil { continue }
                }
                return h.header
            }
        }
        return nil
    }

    private static func parse(_ r: ByteReader, at i: Int) -> (header: MPEGFrameHeader, frameLength: Int?)? {
        guard let b0 = r.u8(i), let b1 = r.u8(i + 1), let b2 = r.u8(i + 2), let b3 = r.u8(i + 3) else { return nil }
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        let version = Int(b1 >> 3) & 3  // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
        let layerBits = Int(b1 >> 1) & 3
        let bitrateIndex = Int(b2 >> 4)
        let rateIndex = Int(b2 >> 2) & 3
        guard version != 1, layerBits != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let layer = 4 - layerBits
        let baseRates = [44100, 48000, 32000]
        let sampleRate = baseRates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2)
        let v1: [[Int]] = [
            [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
            [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        ]
        let v2: [[Int]] = [
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ]
        let kbps = (version == 3 ? v1 : v2)[layer - 1][bitrateIndex]
        let padding = Int(b2 >> 1) & 1
        let channels = (b3 >> 6) == 3 ? 1 : 2
        var length: Int? = nil
        if kbps > 0 {
            switch layer {
            case 1: length = (12 * kbps * 1000 / sampleRate + padding) * 4
            case 3 where version != 3: length = 72 * kbps * 1000 / sampleRate + padding
            default: length = 144 * kbps * 1000 / sampleRate + padding
            }
        }
        return (MPEGFrameHeader(layer: layer, sampleRate: sampleRate, channels: channels, bitrateKbps: kbps), length)
    }
}
