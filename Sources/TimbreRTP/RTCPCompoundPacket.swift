/// Parses and builds RTCP compound packets: one UDP datagram holding several RTCP packets back to
/// back (RFC 3550 §6.1).
///
/// RTCP is sent every few seconds, not per frame, so these values use arrays; parsing is still
/// bounded (`maximumPackets`) and never traps.
public enum RTCPCompoundPacket {
    /// Most packets accepted in one compound packet.
    public static let maximumPackets = 64

    /// Whether a datagram on a shared RTP/RTCP port is RTCP (RFC 5761 §4: the second byte, as
    /// an RTP marker + payload type, is 192...223 for RTCP types).
    public static func looksLikeRTCP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] >> 6 == 2 && (192...223).contains(bytes[1])
    }

    /// Parses every packet in `bytes`.
    ///
    /// - Parameter strict: also require the RFC 3550 A.2 rule that the first packet is an SR or
    ///   RR (reduced-size RTCP, RFC 5506, relaxes it, so it is off by default).
    public static func parse(_ bytes: UnsafeRawBufferPointer, strict: Bool = false) throws(RTCPParseError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        var index = 0
        let n = bytes.count
        guard n >= 4 else { throw .tooShort(n) }
        while offset < n {
            guard index < maximumPackets else { throw .tooManyPackets(limit: maximumPackets) }
            guard n - offset >= 4 else { throw .tooShort(n - offset) }
            let b0 = bytes[offset]
            let version = b0 >> 6
            guard version == 2 else { throw .unsupportedVersion(version) }
            let padded = b0 & 0x20 != 0
            let count = Int(b0 & 0x1F)
            let type = bytes[offset + 1]
            let length = 4 * (Int(BigEndianBytes.u16(bytes, offset + 2)) + 1)
            guard length <= n - offset else { throw .lengthPastEnd(packetIndex: index) }
            var bodyEnd = offset + length
            if padded {
                guard offset + length == n else { throw .paddingNotLast(packetIndex: index) }
                let pad = Int(bytes[bodyEnd - 1])
                guard pad > 0, pad <= length - 4 else { throw .invalidPadding(packetIndex: index) }
                bodyEnd -= pad
            }
            if strict, index == 0, type != RTCPPacket.senderReportType, type != RTCPPacket.receiverReportType {
                throw .firstPacketNotReport(type)
            }
            let body = offset + 4
            packets.append(try parseOne(bytes, type: type, count: count, body: body, end: bodyEnd, index: index))
            offset += length
            index += 1
        }
        return packets
    }

    /// Parses an array (convenience).
    public static func parse(_ bytes: [UInt8], strict: Bool = false) throws(RTCPParseError) -> [RTCPPacket] {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(RTCPParseError) in try parse(raw, strict: strict) }
        }
        return try r.get()
    }

    private static func parseOne(
        _ b: UnsafeRawBufferPointer, type: UInt8, count: Int, body: Int, end: Int, index: Int
    ) throws(RTCPParseError) -> RTCPPacket {
        switch type {
        case RTCPPacket.senderReportType:
            guard end - body >= 24 else { throw .reportTooShort(packetIndex: index) }
            let blocks = try reportBlocks(b, count: count, at: body + 24, end: end)
            return .senderReport(
                RTCPSenderReport(
                    ssrc: BigEndianBytes.u32(b, body),
                    ntpTimestamp: NTPTimestamp(seconds: BigEndianBytes.u32(b, body + 4), fraction: BigEndianBytes.u32(b, body + 8)),
                    rtpTimestamp: BigEndianBytes.u32(b, body + 12), packetCount: BigEndianBytes.u32(b, body + 16),
                    octetCount: BigEndianBytes.u32(b, body + 20), reports: blocks))
        case RTCPPacket.receiverReportType:
            guard end - body >= 4 else { throw .reportTooShort(packetIndex: index) }
            let blocks = try reportBlocks(b, count: count, at: body + 4, end: end)
            return .receiverReport(RTCPReceiverReport(ssrc: BigEndianBytes.u32(b, body), reports: blocks))
        case RTCPPacket.sourceDescriptionType:
            var chunks: [RTCPSourceDescription.Chunk] = []
            var at = body
            for _ in 0..<count {
                guard at + 4 <= end else { throw .sourceDescriptionPastEnd(packetIndex: index) }
                let ssrc = BigEndianBytes.u32(b, at)
                at += 4
                var items: [RTCPSourceDescription.Item] = []
                while true {
                    guard at < end else { throw .sourceDescriptionPastEnd(packetIndex: index) }
                    let itemType = b[at]
                    if itemType == 0 {  // end of list, then pad to the next 32-bit boundary
                        at = (at + 4) & ~3
                        guard at <= end else { throw .sourceDescriptionPastEnd(packetIndex: index) }
                        break
                    }
                    guard at + 2 <= end else { throw .sourceDescriptionPastEnd(packetIndex: index) }
                    let len = Int(b[at + 1])
                    guard at + 2 + len <= end else { throw .sourceDescriptionPastEnd(packetIndex: index) }
                    items.append(.init(type: itemType, value: Array(UnsafeRawBufferPointer(rebasing: b[(at + 2)..<(at + 2 + len)]))))
                    at += 2 + len
                }
                chunks.append(.init(ssrc: ssrc, items: items))
            }
            return .sourceDescription(RTCPSourceDescription(chunks: chunks))
        case RTCPPacket.goodbyeType:
            guard body + 4 * count <= end else { throw .goodbyePastEnd(packetIndex: index) }
            let ssrcs = (0..<count).map { BigEndianBytes.u32(b, body + 4 * $0) }
            var reason: String?
            let at = body + 4 * count
            if at < end {
                let len = Int(b[at])
                guard at + 1 + len <= end else { throw .goodbyePastEnd(packetIndex: index) }
                reason = String(decoding: UnsafeRawBufferPointer(rebasing: b[(at + 1)..<(at + 1 + len)]), as: UTF8.self)
            }
            return .goodbye(RTCPGoodbye(ssrcs: ssrcs, reason: reason))
        default:
            return .other(RTCPOpaquePacket(packetType: type, count: UInt8(count), body: Array(UnsafeRawBufferPointer(rebasing: b[body..<end]))))
        }
    }

    private static func reportBlocks(
        _ b: UnsafeRawBufferPointer, count: Int, at: Int, end: Int
    ) throws(RTCPParseError) -> [RTCPReportBlock] {
        guard at + count * RTCPReportBlock.size <= end else { throw .reportBlocksPastEnd(count: count) }
        // Anything after the blocks is a profile-specific extension, which we skip.
        return (0..<count).map { RTCPReportBlock(reading: b, at: at + $0 * RTCPReportBlock.size) }
    }

    // MARK: building

    /// The size in bytes of `packet` on the wire.
    public static func serializedCount(of packet: RTCPPacket) -> Int {
        switch packet {
        case .senderReport(let sr): 28 + RTCPReportBlock.size * sr.reports.count
        case .receiverReport(let rr): 8 + RTCPReportBlock.size * rr.reports.count
        case .sourceDescription(let sdes):
            4 + sdes.chunks.reduce(0) { sum, c in
                // ssrc + items + at least one null byte, padded to 4
                sum + ((4 + c.items.reduce(0) { $0 + 2 + $1.value.count } + 1 + 3) & ~3)
            }
        case .goodbye(let bye): 4 + 4 * bye.ssrcs.count + (bye.reason.map { ($0.utf8.count + 1 + 3) & ~3 } ?? 0)
        case .other(let o): 4 + o.body.count
        }
    }

    /// Writes `packets` back to back into `out`, returning the bytes written. Allocation-free
    /// apart from what the values already hold.
    public static func write(_ packets: [RTCPPacket], into out: UnsafeMutableRawBufferPointer) throws(RTCPSerializeError) -> Int {
        let total = packets.reduce(0) { $0 + serializedCount(of: $1) }
        guard total <= out.count else { throw .bufferTooSmall(needed: total) }
        var at = 0
        for p in packets {
            try validate(p)
            at = write(p, into: out, at: at)
        }
        return at
    }

    /// Serialises into a new array.
    public static func serialize(_ packets: [RTCPPacket]) throws(RTCPSerializeError) -> [UInt8] {
        let total = packets.reduce(0) { $0 + serializedCount(of: $1) }
        var out = [UInt8](repeating: 0, count: total)
        let r = out.withUnsafeMutableBytes { o in Result { () throws(RTCPSerializeError) in try write(packets, into: o) } }
        _ = try r.get()
        return out
    }

    private static func validate(_ p: RTCPPacket) throws(RTCPSerializeError) {
        switch p {
        case .senderReport(let sr): guard sr.reports.count <= 31 else { throw .invalidField("at most 31 report blocks") }
        case .receiverReport(let rr): guard rr.reports.count <= 31 else { throw .invalidField("at most 31 report blocks") }
        case .sourceDescription(let s):
            guard s.chunks.count <= 31 else { throw .invalidField("at most 31 SDES chunks") }
            for c in s.chunks {
                for i in c.items {
                    guard i.type != 0 else { throw .invalidField("SDES item type 0 is the terminator") }
                    guard i.value.count <= 255 else { throw .invalidField("SDES item longer than 255 bytes") }
                }
            }
        case .goodbye(let bye):
            guard bye.ssrcs.count <= 31 else { throw .invalidField("at most 31 BYE sources") }
            guard (bye.reason?.utf8.count ?? 0) <= 255 else { throw .invalidField("BYE reason longer than 255 bytes") }
        case .other(let o):
            guard o.count <= 31, o.body.count % 4 == 0 else { throw .invalidField("opaque RTCP body must be whole words, count ≤ 31") }
        }
        guard serializedCount(of: p) / 4 - 1 <= 0xFFFF else { throw .invalidField("RTCP packet longer than 65536 words") }
    }

    private static func header(_ out: UnsafeMutableRawBufferPointer, _ at: Int, count: Int, type: UInt8, size: Int) {
        out[at] = 0x80 | UInt8(count)
        out[at + 1] = type
        BigEndianBytes.put16(out, at + 2, UInt16(size / 4 - 1))
    }

    private static func write(_ p: RTCPPacket, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        let size = serializedCount(of: p)
        for k in start..<(start + size) { out[k] = 0 }
        var at = start + 4
        switch p {
        case .senderReport(let sr):
            header(out, start, count: sr.reports.count, type: RTCPPacket.senderReportType, size: size)
            BigEndianBytes.put32(out, at, sr.ssrc)
            BigEndianBytes.put32(out, at + 4, sr.ntpTimestamp.seconds)
            BigEndianBytes.put32(out, at + 8, sr.ntpTimestamp.fraction)
            BigEndianBytes.put32(out, at + 12, sr.rtpTimestamp)
            BigEndianBytes.put32(out, at + 16, sr.packetCount)
            BigEndianBytes.put32(out, at + 20, sr.octetCount)
            at += 24
            for r in sr.reports {
                r.write(into: out, at: at)
                at += RTCPReportBlock.size
            }
        case .receiverReport(let rr):
            header(out, start, count: rr.reports.count, type: RTCPPacket.receiverReportType, size: size)
            BigEndianBytes.put32(out, at, rr.ssrc)
            at += 4
            for r in rr.reports {
                r.write(into: out, at: at)
                at += RTCPReportBlock.size
            }
        case .sourceDescription(let s):
            header(out, start, count: s.chunks.count, type: RTCPPacket.sourceDescriptionType, size: size)
            for c in s.chunks {
                BigEndianBytes.put32(out, at, c.ssrc)
                at += 4
                for i in c.items {
                    out[at] = i.type
                    out[at + 1] = UInt8(i.value.count)
                    for (k, v) in i.value.enumerated() { out[at + 2 + k] = v }
                    at += 2 + i.value.count
                }
                at = (at + 4) & ~3  // null terminator(s) already zero
            }
        case .goodbye(let bye):
            header(out, start, count: bye.ssrcs.count, type: RTCPPacket.goodbyeType, size: size)
            for s in bye.ssrcs {
                BigEndianBytes.put32(out, at, s)
                at += 4
            }
            if let reason = bye.reason {
                out[at] = UInt8(reason.utf8.count)
                for (k, v) in reason.utf8.enumerated() { out[at + 1 + k] = v }
            }
        case .other(let o):
            header(out, start, count: Int(o.count), type: o.packetType, size: size)
            for (k, v) in o.body.enumerated() { out[at + k] = v }
        }
        return start + size
    }
}
