/// One packet read from an Ogg Opus stream.
public struct OggOpusPacket: Hashable, Sendable {
    public var bytes: [UInt8]
    /// The page's granule position when this packet is the last to complete on its page.
    public var granulePosition: Int64?
    /// Whether this is the last packet of the stream (last on the end-of-stream page).
    public var isEndOfStream: Bool
}

/// Reads an Ogg Opus stream (RFC 7845) pushed to it in chunks of any size: checks every page's
/// capture pattern, version and CRC, follows one logical stream (the first whose first packet
/// is an OpusHead; pages of other streams are skipped), reassembles packets across pages,
/// validates OpusHead and OpusTags, and hands out the audio packets.
///
/// Memory is bounded whatever the input: buffered bytes never exceed one page plus the last
/// chunk, and a packet larger than `maximumPacketSize` is an error.
public struct OggOpusReader {
    /// Largest packet accepted: generous for OpusTags with embedded pictures, far above any
    /// audio packet (at most 120 ms × 1275 bytes per 20 ms ≈ 7.7 KB, or 61 KB with padding).
    public var maximumPacketSize = 16 << 20

    public private(set) var head: OpusHead?
    public private(set) var tags: OpusTags?
    /// True once the end-of-stream page has been read; later input is ignored.
    public private(set) var isFinished = false

    private var buffer: [UInt8] = []
    private var consumedOffset = 0  // stream offset of buffer[0], for error messages
    private var serial: UInt32?
    private var nextSequence: UInt32 = 0
    private var partial: [UInt8] = []
    private var hasPartial = false
    private var ready: [OggOpusPacket] = []
    private var readyIndex = 0

    public init() {}

    /// Adds input bytes. Parses what it can; packets come out of `nextPacket()`.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws(OggOpusError) {
        if isFinished { return }
        buffer.append(contentsOf: bytes)
        var start = 0
        defer {
            buffer.removeFirst(start)
            consumedOffset += start
        }
        while !isFinished {
            let offset = consumedOffset + start
            let parsed = try buffer.withUnsafeBytes { all in
                Result { () throws(OggOpusError) in
                    try OggPage.parse(UnsafeRawBufferPointer(rebasing: all[start...]), offset: offset)
                }
            }.get()
            guard let (page, size) = parsed else { break }
            start += size
            try handle(page)
        }
    }

    public mutating func append(_ bytes: [UInt8]) throws(OggOpusError) {
        try bytes.withUnsafeBytes { b in Result { () throws(OggOpusError) in try append(b) } }.get()
    }

    /// The next audio packet, or nil when more input is needed (or the stream is finished).
    public mutating func nextPacket() -> OggOpusPacket? {
        guard readyIndex < ready.count else {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            return nil
        }
        defer { readyIndex += 1 }
        return ready[readyIndex]
    }

    /// Call at the end of input: throws if it ended inside a page or before end of stream.
    public func finish() throws(OggOpusError) {
        if !buffer.isEmpty { throw .truncatedPage(offset: consumedOffset) }
        if head == nil { throw .badOpusHead(consumedOffset == 0 ? "empty input" : "no Opus stream found") }
        if tags == nil || !isFinished { throw .truncatedStream }
    }

    private mutating func handle(_ page: OggPage) throws(OggOpusError) {
        if serial == nil {
            // Find the Opus stream: a beginning-of-stream page whose first packet is OpusHead.
            guard page.flags.contains(.beginningOfStream) else {
                throw .badOpusHead("first page is not a beginning-of-stream page")
            }
            guard page.body.starts(with: Array("OpusHead".utf8)) else { return }  // another codec's stream
            serial = page.serialNumber
            nextSequence = page.sequenceNumber
        }
        guard page.serialNumber == serial else { return }
        guard page.sequenceNumber == nextSequence else {
            throw .missingPage(expected: nextSequence, found: page.sequenceNumber)
        }
        nextSequence &+= 1

        var offset = 0
        var completedOnPage: [Int] = []  // indices into `ready` of packets completed here
        if page.flags.contains(.continuedPacket) != hasPartial {
            throw hasPartial ? .truncatedStream : .badOpusHead("stream starts inside a packet")
        }
        for lace in page.segmentTable {
            let n = Int(lace)
            partial += page.body[offset..<(offset + n)]
            offset += n
            hasPartial = true
            guard partial.count <= maximumPacketSize else { throw .packetTooLarge(partial.count) }
            if n < 255 {
                let before = ready.count
                try complete(partial)
                if ready.count > before { completedOnPage.append(ready.count - 1) }
                partial.removeAll(keepingCapacity: true)
                hasPartial = false
            }
        }
        if let last = completedOnPage.last, page.granulePosition >= 0 {
            ready[last].granulePosition = page.granulePosition
        }
        if page.flags.contains(.endOfStream) {
            if let last = completedOnPage.last { ready[last].isEndOfStream = true }
            isFinished = true
            if hasPartial { throw .truncatedStream }
        }
    }

    private mutating func complete(_ packet: [UInt8]) throws(OggOpusError) {
        if head == nil {
            let h = try OpusHead(parsing: packet)
            head = h
        } else if tags == nil {
            tags = try OpusTags(parsing: packet)
        } else {
            ready.append(OggOpusPacket(bytes: packet, granulePosition: nil, isEndOfStream: false))
        }
    }
}
