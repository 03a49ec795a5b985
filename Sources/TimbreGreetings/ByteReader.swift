/// Bounds-checked little/big-endian reads over a byte buffer. Every read returns `nil` past the
/// end, so a lying header length can never index out of bounds or size an allocation.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    func u8(_ at: Int) -> UInt8? { at >= 0 && at < bytes.count ? bytes[at] : nil }

    func u16le(_ at: Int) -> UInt16? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    func u32le(_ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
            | UInt32(bytes[at + 3]) << 24
    }

    /// True when the four bytes at `at` are the ASCII `tag`.
    func matches(_ tag: StaticString, at: Int) -> Bool {
        let n = tag.utf8CodeUnitCount
        guard at >= 0, at + n <= bytes.count else { return false }
        let t = tag.utf8Start
        for i in 0..<n where bytes[at + i] != t[i] { return false }
        return true
    }
}
