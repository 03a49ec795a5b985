import TimbreCodecs

/// Writes an Ogg Opus stream (RFC 7845): OpusHead on its own first page (beginning of
/// stream), OpusTags on the next page(s), then audio packets gathered into pages of at most
/// `maximumPageDuration` 48 kHz samples, each page's granule position the 48 kHz sample count
/// (pre-skip included) at the end of its last packet, and the end-of-stream flag on the last
/// page, whose granule trims the padding of the final frame.
///
/// Bytes accumulate in `output`; take them with `takeOutput()` as often as you like. This is
/// the file path, not the RTP path: pages are built with arrays.
public struct OggOpusWriter {
    public let head: OpusHead
    public let serialNumber: UInt32
    /// Audio per page, in 48 kHz samples (default 1 s, as opusenc's default delay).
    public var maximumPageDuration: Int

    public private(set) var output: [UInt8] = []
    private var sequence: UInt32 = 0
    /// 48 kHz samples of all audio packets appended so far, pre-skip included.
    private var granule: Int64 = 0
    private var pendingSegments: [UInt8] = []
    private var pendingBody: [UInt8] = []
    private var pendingDuration = 0
    private var finished = false

    public init(head: OpusHead, tags: OpusTags = OpusTags(), serialNumber: UInt32, maximumPageDuration: Int = 48_000) {
        self.head = head
        self.serialNumber = serialNumber
        self.maximumPageDuration = maximumPageDuration
        writeHeaderPacket(head.bytes, flags: .beginningOfStream)
        writeHeaderPacket(tags.bytes, flags: [])
    }

    /// Appends one Opus packet (as `opus_encode` returned it); its duration comes from its
    /// table of contents. Throws for an empty or malformed packet.
    public mutating func append(packet: UnsafeRawBufferPointer) throws(OggOpusError) {
        precondition(!finished, "append after finish")
        let duration: Int
        do { duration = try OpusPacket.sampleCount(packet, sampleRate: 48_000) } catch { throw .badAudioPacket(error) }
        // An Opus packet is at most 120 ms of 1275-byte frames: far below one page's 65,025 bytes.
        guard packet.count < 255 * 255 else { throw .packetTooLarge(packet.count) }
        let segments = packet.count / 255 + 1
        if !pendingSegments.isEmpty
            && (pendingSegments.count + segments > 255 || pendingDuration >= maximumPageDuration)
        {
            flushPage(endOfStream: false, granulePosition: granule)
        }
        pendingSegments += repeatElement(255, count: packet.count / 255)
        pendingSegments.append(UInt8(packet.count % 255))
        pendingBody += packet
        pendingDuration += duration
        granule += Int64(duration)
    }

    public mutating func append(packet: [UInt8]) throws(OggOpusError) {
        try packet.withUnsafeBytes { p in Result { () throws(OggOpusError) in try append(packet: p) } }.get()
    }

    /// Writes the last page with the end-of-stream flag. `originalSampleCount48k` is how many
    /// 48 kHz samples of real input the packets hold: the final granule becomes pre-skip plus
    /// that, so a decoder drops the zero padding of the last frame (RFC 7845 §4.4).
    public mutating func finish(originalSampleCount48k: Int? = nil) {
        precondition(!finished, "finish called twice")
        finished = true
        var last = granule
        if let n = originalSampleCount48k {
            last = min(granule, Int64(head.preSkip + n))
            // The final page's granule may trim, but not below where its packets start.
            last = max(last, granule - Int64(pendingDuration))
        }
        flushPage(endOfStream: true, granulePosition: last)
    }

    /// Returns the bytes written so far and forgets them.
    public mutating func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    private mutating func flushPage(endOfStream: Bool, granulePosition: Int64) {
        let page = OggPage(
            flags: endOfStream ? .endOfStream : [], granulePosition: granulePosition,
            serialNumber: serialNumber, sequenceNumber: sequence,
            segmentTable: pendingSegments, body: pendingBody)
        output += page.serialized()
        sequence &+= 1
        pendingSegments.removeAll(keepingCapacity: true)
        pendingBody.removeAll(keepingCapacity: true)
        pendingDuration = 0
    }

    /// A header packet on pages of its own (granule 0), split across pages when it needs more
    /// than 255 segments (large OpusTags).
    private mutating func writeHeaderPacket(_ packet: [UInt8], flags: OggPage.Flags) {
        var remaining = packet[...]
        var first = true
        while true {
            var table: [UInt8] = []
            var body: [UInt8] = []
            while table.count < 255 {
                let n = min(255, remaining.count)
                table.append(UInt8(n))
                body += remaining.prefix(n)
                remaining = remaining.dropFirst(n)
                if n < 255 { break }
            }
            let ends = table.last.map { $0 < 255 } ?? true
            var pageFlags: OggPage.Flags = first ? flags : []
            if !first { pageFlags.insert(.continuedPacket) }
            let page = OggPage(
                flags: pageFlags, granulePosition: ends ? 0 : -1, serialNumber: serialNumber,
                sequenceNumber: sequence, segmentTable: table, body: body)
            output += page.serialized()
            sequence &+= 1
            first = false
            if ends { return }
        }
    }
}
