extension RTPPacket {
    /// The number of bytes `write` will produce for these parts.
    public static func serializedCount(
        csrcCount: Int, extensionDataCount: Int?, payloadCount: Int, paddingCount: Int
    ) -> Int {
        RTPHeader.fixedSize + 4 * csrcCount + (extensionDataCount.map { 4 + $0 } ?? 0) + payloadCount + paddingCount
    }

    /// Writes one RTP packet into `out` and returns its length in bytes. Allocation-free.
    ///
    /// The P, X and CC fields come from the arguments, not from `header`: `header.hasPadding`,
    /// `hasExtension` and `csrcCount` are ignored. `extensionData` must be a multiple of 4 bytes
    /// (use `RTPHeaderExtensionBuilder`); `paddingCount` is 0 or 1...255 and includes the count
    /// byte.
    @inlinable
    public static func write(
        header: RTPHeader,
        csrcs: [UInt32] = [],
        extensionProfile: UInt16 = 0,
        extensionData: UnsafeRawBufferPointer? = nil,
        payload: UnsafeRawBufferPointer,
        paddingCount: Int = 0,
        into out: UnsafeMutableRawBufferPointer
    ) throws(RTPSerializeError) -> Int {
        guard header.payloadType <= 127 else { throw .invalidField("payload type must be 0...127") }
        guard csrcs.count <= 15 else { throw .invalidField("at most 15 CSRCs") }
        guard (0...255).contains(paddingCount) else { throw .invalidField("padding must be 0...255 bytes") }
        if let ext = extensionData {
            guard ext.count % 4 == 0, ext.count / 4 <= 0xFFFF else {
                throw .invalidField("extension data must be a multiple of 4 bytes, at most 262140")
            }
        }
        let total = serializedCount(
            csrcCount: csrcs.count, extensionDataCount: extensionData?.count, payloadCount: payload.count,
            paddingCount: paddingCount)
        guard total <= out.count else { throw .bufferTooSmall(needed: total) }

        var b0: UInt8 = 0x80 | UInt8(csrcs.count)
        if paddingCount > 0 { b0 |= 0x20 }
        if extensionData != nil { b0 |= 0x10 }
        out[0] = b0
        out[1] = (header.marker ? 0x80 : 0) | header.payloadType
        BigEndianBytes.put16(out, 2, header.sequenceNumber)
        BigEndianBytes.put32(out, 4, header.timestamp)
        BigEndianBytes.put32(out, 8, header.ssrc)
        var at = RTPHeader.fixedSize
        for c in csrcs {
            BigEndianBytes.put32(out, at, c)
            at += 4
        }
        if let ext = extensionData {
            BigEndianBytes.put16(out, at, extensionProfile)
            BigEndianBytes.put16(out, at + 2, UInt16(ext.count / 4))
            at += 4
            if ext.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + ext.count)]).copyMemory(from: ext)
            }
            at += ext.count
        }
        if payload.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + payload.count)]).copyMemory(from: payload)
        }
        at += payload.count
        if paddingCount > 0 {
            for k in 0..<(paddingCount - 1) { out[at + k] = 0 }
            out[at + paddingCount - 1] = UInt8(paddingCount)
            at += paddingCount
        }
        return at
    }

    /// Serialises into a new array (convenience for tests and control paths; allocates).
    public static func serialize(
        header: RTPHeader, csrcs: [UInt32] = [], extensionProfile: UInt16 = 0, extensionData: [UInt8]? = nil,
        payload: [UInt8], paddingCount: Int = 0
    ) throws(RTPSerializeError) -> [UInt8] {
        let total = serializedCount(
            csrcCount: csrcs.count, extensionDataCount: extensionData?.count, payloadCount: payload.count,
            paddingCount: paddingCount)
        var out = [UInt8](repeating: 0, count: total)
        let ext = extensionData ?? []
        let hasExt = extensionData != nil
        let r = out.withUnsafeMutableBytes { o in
            ext.withUnsafeBytes { e in
                payload.withUnsafeBytes { p in
                    Result { () throws(RTPSerializeError) -> Int in
                        try write(
                            header: header, csrcs: csrcs, extensionProfile: extensionProfile,
                            extensionData: hasExt ? e : nil, payload: p, paddingCount: paddingCount, into: o)
                    }
                }
            }
        }
        _ = try r.get()
        return out
    }
}
