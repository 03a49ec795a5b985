/// The Ogg Opus comment header (RFC 7845 §5.2): a vendor string and `NAME=value` comments,
/// Vorbis-comment style, all lengths 32-bit little-endian.
public struct OpusTags: Hashable, Sendable {
    public var vendor: String
    public var comments: [String]

    public init(vendor: String = "Timbre", comments: [String] = []) {
        self.vendor = vendor
        self.comments = comments
    }

    /// Parses and validates the header packet: every length must fit in the packet.
    public init(parsing packet: [UInt8]) throws(OggOpusError) {
        guard packet.starts(with: Array("OpusTags".utf8)) else { throw .badOpusTags("missing OpusTags magic") }
        var offset = 8
        func length() throws(OggOpusError) -> Int {
            guard packet.count - offset >= 4 else { throw .badOpusTags("length field truncated at byte \(offset)") }
            let n = Int(UInt32(packet[offset]) | UInt32(packet[offset + 1]) << 8
                | UInt32(packet[offset + 2]) << 16 | UInt32(packet[offset + 3]) << 24)
            offset += 4
            guard n <= packet.count - offset else { throw .badOpusTags("length \(n) exceeds the packet") }
            return n
        }
        let vendorLength = try length()
        vendor = String(decoding: packet[offset..<(offset + vendorLength)], as: UTF8.self)
        offset += vendorLength
        let count = try length() // bounded by the packet: each comment needs 4 bytes
        guard count <= (packet.count - offset) / 4 else { throw .badOpusTags("\(count) comments cannot fit") }
        comments = []
        comments.reserveCapacity(count)
        for _ in 0..<count {
            let n = try length()
            comments.append(String(decoding: packet[offset..<(offset + n)], as: UTF8.self))
            offset += n
        }
    }

    public var bytes: [UInt8] {
        var out = Array("OpusTags".utf8)
        let v = Array(vendor.utf8)
        out.appendLittleEndian(UInt32(v.count))
        out += v
        out.appendLittleEndian(UInt32(comments.count))
        for c in comments {
            let b = Array(c.utf8)
            out.appendLittleEndian(UInt32(b.count))
            out += b
        }
        return out
    }
}
