/// The Ogg page checksum (RFC 3533 §6): CRC-32 with generator polynomial 0x04C11DB7, MSB
/// first (not reflected), initial value 0 and no final XOR, over the whole page with the
/// checksum field set to zero. This is not the zlib/Ethernet CRC-32, which is reflected.
public enum OggCRC {
    /// The byte-at-a-time table, computed once.
    static let table: [UInt32] = (0..<256).map { index in
        var r = UInt32(index) << 24
        for _ in 0..<8 { r = r & 0x8000_0000 != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1 }
        return r
    }

    /// Continues a checksum over `bytes`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = (c << 8) ^ t[Int(UInt8(truncatingIfNeeded: c >> 24) ^ b)] }
        }
        return c
    }

    /// The checksum of `bytes` from the initial value 0.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
