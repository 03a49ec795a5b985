/// Where an RTP header extension lies in a parsed buffer, and how to read its RFC 8285 elements.
///
/// RFC 8285 defines two forms, told apart by the 16-bit "defined by profile" field: one-byte
/// headers (0xBEDE; ids 1...14, 1...16 data bytes) and two-byte headers (0x100 in the top 12
/// bits, 4 application bits below; ids 1...255, 0...255 data bytes). Any other profile value is an
/// opaque extension that this type exposes only as bytes.
public struct RTPHeaderExtension: Hashable, Sendable {
    /// The 16-bit field before the length ("defined by profile").
    public var profile: UInt16
    /// Byte offset of the extension data (after its 4-byte header) in the parsed buffer.
    public var dataOffset: Int
    /// Length of the extension data in bytes (a multiple of 4).
    public var dataCount: Int

    public init(profile: UInt16, dataOffset: Int, dataCount: Int) {
        self.profile = profile
        self.dataOffset = dataOffset
        self.dataCount = dataCount
    }

    /// The RFC 8285 one-byte header profile value.
    public static let oneByteProfile: UInt16 = 0xBEDE
    /// The RFC 8285 two-byte header profile value, with the application bits zero.
    public static let twoByteProfile: UInt16 = 0x1000

    /// Which element encoding the profile field announces.
    public enum Form: Hashable, Sendable {
        case oneByte
        /// Two-byte form; `appBits` are the low 4 bits of the profile field.
        case twoByte(appBits: UInt8)
        /// Not an RFC 8285 extension.
        case other
    }

    public var form: Form {
        if profile == Self.oneByteProfile { return .oneByte }
        if profile & 0xFFF0 == Self.twoByteProfile { return .twoByte(appBits: UInt8(profile & 0x0F)) }
        return .other
    }

    /// The raw extension data within `bytes` (the buffer the packet was parsed from).
    public func data(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        precondition(bytes.count >= dataOffset + dataCount, "data(in:) needs the buffer the packet was parsed from")
        return UnsafeRawBufferPointer(rebasing: bytes[dataOffset..<(dataOffset + dataCount)])
    }

    /// Calls `body` with each RFC 8285 element's id and data, in order, skipping padding.
    ///
    /// Throws `.extensionElementPastEnd` when an element's length runs past the block; elements
    /// before it have already been delivered. In the one-byte form id 15 is reserved and ends
    /// processing (RFC 8285 §4.2). Does nothing for `.other` forms. Allocation-free.
    @inlinable
    public func forEachElement(
        in bytes: UnsafeRawBufferPointer, _ body: (_ id: UInt8, _ data: UnsafeRawBufferPointer) -> Void
    ) throws(RTPParseError) {
        precondition(bytes.count >= dataOffset + dataCount, "forEachElement needs the buffer the packet was parsed from")
        let end = dataOffset + dataCount
        var i = dataOffset
        switch form {
        case .other:
            return
        case .oneByte:
            while i < end {
                let b = bytes[i]
                let id = b >> 4
                if id == 0 {  // padding byte
                    i += 1
                    continue
                }
                if id == 15 { return }
                let length = Int(b & 0x0F) + 1
                guard i + 1 + length <= end else { throw .extensionElementPastEnd }
                body(id, UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(i + 1 + length)]))
                i += 1 + length
            }
        case .twoByte:
            while i < end {
                let id = bytes[i]
                if id == 0 {
                    i += 1
                    continue
                }
                guard i + 2 <= end else { throw .extensionElementPastEnd }
                let length = Int(bytes[i + 1])
                guard i + 2 + length <= end else { throw .extensionElementPastEnd }
                body(id, UnsafeRawBufferPointer(rebasing: bytes[(i + 2)..<(i + 2 + length)]))
                i += 2 + length
            }
        }
    }
}

/// Writes RFC 8285 header extension elements into a caller-provided buffer, for
/// `RTPPacket.write(... extensionData:)`. Allocation-free.
public struct RTPHeaderExtensionBuilder {
    /// The element encoding to use.
    public enum Form: Hashable, Sendable {
        case oneByte
        case twoByte(appBits: UInt8)
    }

    public let form: Form
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    /// Builds into `buffer`, which must outlive the builder's use of `finish()`.
    public init(form: Form, buffer: UnsafeMutableRawBufferPointer) {
        self.form = form
        self.buffer = buffer
    }

    /// The profile field to send with these elements.
    public var profile: UInt16 {
        switch form {
        case .oneByte: RTPHeaderExtension.oneByteProfile
        case .twoByte(let bits): RTPHeaderExtension.twoByteProfile | UInt16(bits & 0x0F)
        }
    }

    /// Appends one element. One-byte form: id 1...14 and 1...16 data bytes; two-byte form: id
    /// 1...255 and 0...255 data bytes.
    public mutating func append(id: UInt8, data: UnsafeRawBufferPointer) throws(RTPSerializeError) {
        let headerBytes: Int
        switch form {
        case .oneByte:
            guard (1...14).contains(id) else { throw .invalidField("one-byte extension id must be 1...14") }
            guard (1...16).contains(data.count) else { throw .invalidField("one-byte extension data must be 1...16 bytes") }
            headerBytes = 1
        case .twoByte:
            guard id != 0 else { throw .invalidField("two-byte extension id must be 1...255") }
            guard data.count <= 255 else { throw .invalidField("two-byte extension data must be 0...255 bytes") }
            headerBytes = 2
        }
        let needed = used + headerBytes + data.count
        guard needed <= buffer.count else { throw .bufferTooSmall(needed: needed) }
        if headerBytes == 1 {
            buffer[used] = id << 4 | UInt8(data.count - 1)
        } else {
            buffer[used] = id
            buffer[used + 1] = UInt8(data.count)
        }
        for k in 0..<data.count { buffer[used + headerBytes + k] = data[k] }
        used = needed
    }

    /// Appends one element from an array (convenience, for control paths).
    public mutating func append(id: UInt8, bytes: [UInt8]) throws(RTPSerializeError) {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(RTPSerializeError) in try append(id: id, data: raw) }
        }
        try r.get()
    }

    /// Pads the elements with zero bytes to a 32-bit boundary and returns the extension data.
    public mutating func finish() throws(RTPSerializeError) -> UnsafeRawBufferPointer {
        let padded = (used + 3) & ~3
        guard padded <= buffer.count else { throw .bufferTooSmall(needed: padded) }
        while used < padded {
            buffer[used] = 0
            used += 1
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<used])
    }
}
