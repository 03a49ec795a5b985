/// One Ogg page (RFC 3533 §6): a header, a segment (lacing) table and a body of packet data.
///
/// Pages are values built and parsed on the file path (not per RTP frame), so they own arrays.
public struct OggPage: Hashable, Sendable {
    /// Header type flags.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The first packet on the page continues one from the previous page.
        public static let continuedPacket = Flags(rawValue: 0x01)
        /// First page of a logical stream.
        public static let beginningOfStream = Flags(rawValue: 0x02)
        /// Last page of a logical stream.
        public static let endOfStream = Flags(rawValue: 0x04)
    }

    /// Fixed header bytes before the segment table.
    public static let headerSize = 27
    /// Largest page: header, 255 lacing values, 255 × 255 body bytes.
    public static let maximumSize = headerSize + 255 + 255 * 255

    public var flags: Flags
    /// Codec-defined position; for Opus, 48 kHz samples up to the end of the last packet that
    /// completes on this page, or −1 when none does.
    public var granulePosition: Int64
    public var serialNumber: UInt32
    public var sequenceNumber: UInt32
    /// Lacing values: a packet is a run of 255s ended by one value below 255.
    public var segmentTable: [UInt8]
    public var body: [UInt8]

    public init(
        flags: Flags, granulePosition: Int64, serialNumber: UInt32, sequenceNumber: UInt32,
        segmentTable: [UInt8], body: [UInt8]
    ) {
        self.flags = flags
        self.granulePosition = granulePosition
        self.serialNumber = serialNumber
        self.sequenceNumber = sequenceNumber
        self.segmentTable = segmentTable
        self.body = body
    }

    /// The page's bytes with its CRC filled in.
    public func serialized() -> [UInt8] {
        precondition(segmentTable.count <= 255, "at most 255 segments per page")
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + segmentTable.count + body.count)
        out += Array("OggS".utf8)
        out.append(0)
        out.append(flags.rawValue)
        out.appendLittleEndian(UInt64(bitPattern: granulePosition))
        out.appendLittleEndian(serialNumber)
        out.appendLittleEndian(sequenceNumber)
        out.appendLittleEndian(UInt32(0))
        out.append(UInt8(segmentTable.count))
        out += segmentTable
        out += body
        let crc = OggCRC.checksum(out)
        for i in 0..<4 { out[22 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        return out
    }

    /// Parses one page at the start of `bytes`, checking the capture pattern, version and CRC.
    /// Returns nil when `bytes` does not yet hold the whole page (more input needed); the
    /// caller decides whether that means truncation. `offset` only labels errors.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, offset: Int = 0
    ) throws(OggOpusError) -> (page: OggPage, size: Int)? {
        if bytes.count < headerSize {
            // Reject garbage as early as possible, even in a short buffer.
            let pattern: [UInt8] = Array("OggS".utf8)
            for i in 0..<min(4, bytes.count) where bytes[i] != pattern[i] { throw .notOgg(offset: offset) }
            return nil
        }
        guard bytes[0] == 0x4F, bytes[1] == 0x67, bytes[2] == 0x67, bytes[3] == 0x53 else {
            throw .notOgg(offset: offset)
        }
        guard bytes[4] == 0 else { throw .unsupportedOggVersion(bytes[4]) }
        let segments = Int(bytes[26])
        guard bytes.count >= headerSize + segments else { return nil }
        var bodySize = 0
        for i in 0..<segments { bodySize += Int(bytes[headerSize + i]) }
        let size = headerSize + segments + bodySize
        guard bytes.count >= size else { return nil }
        let sequence = bytes.loadLittleEndian(UInt32.self, at: 18)
        let stored = bytes.loadLittleEndian(UInt32.self, at: 22)
        var crc = OggCRC.update(0, UnsafeRawBufferPointer(rebasing: bytes[0..<22]))
        crc = withUnsafeBytes(of: UInt32(0)) { OggCRC.update(crc, $0) }
        crc = OggCRC.update(crc, UnsafeRawBufferPointer(rebasing: bytes[26..<size]))
        guard crc == stored else { throw .badChecksum(pageSequence: sequence) }
        let page = OggPage(
            flags: Flags(rawValue: bytes[5]),
            granulePosition: Int64(bitPattern: bytes.loadLittleEndian(UInt64.self, at: 6)),
            serialNumber: bytes.loadLittleEndian(UInt32.self, at: 14),
            sequenceNumber: sequence,
            segmentTable: Array(bytes[headerSize..<(headerSize + segments)]),
            body: Array(bytes[(headerSize + segments)..<size])
        )
        return (page, size)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        for i in 0..<(T.bitWidth / 8) { append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var v: T = 0
        for i in 0..<(T.bitWidth / 8) { v |= T(truncatingIfNeeded: self[offset + i]) << (8 * i) }
        return v
    }
}
