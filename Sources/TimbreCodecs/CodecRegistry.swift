import TimbreCore

/// Options a stream gives when it creates an encoder. Codecs ignore what does not apply.
public struct EncoderOptions: Hashable, Sendable {
    public var frameDuration: FrameDuration
    /// Target bitrate in bits per second (Opus), nil for the codec's default.
    public var bitrate: Int?
    /// Encoder complexity 0...10 (Opus).
    public var complexity: Int?
    /// Discontinuous transmission (Opus DTX).
    public var discontinuousTransmission: Bool
    /// In-band forward error correction (Opus).
    public var inbandFEC: Bool
    /// Expected packet loss in percent, which tunes FEC (Opus).
    public var expectedPacketLossPercent: Int

    public init(
        frameDuration: FrameDuration = .ms20, bitrate: Int? = nil, complexity: Int? = nil,
        discontinuousTransmission: Bool = false, inbandFEC: Bool = false, expectedPacketLossPercent: Int = 0
    ) {
        self.frameDuration = frameDuration
        self.bitrate = bitrate
        self.complexity = complexity
        self.discontinuousTransmission = discontinuousTransmission
        self.inbandFEC = inbandFEC
        self.expectedPacketLossPercent = expectedPacketLossPercent
    }
}

/// Finds codecs by id, RTP payload type or SDP encoding name, and makes their encoders/decoders.
///
/// A value: each module that provides codecs adds entries (`TimbreCodecs` the G.711/G.722 ones,
/// `TimbreOpus` Opus), and a service builds the registry it wants once at start-up.
public struct CodecRegistry: Sendable {
    public struct Entry: Sendable {
        public var descriptor: CodecDescriptor
        public var makeEncoder: @Sendable (EncoderOptions) throws(CodecError) -> any AudioEncoder
        public var makeDecoder: @Sendable () throws(CodecError) -> any AudioDecoder

        public init(
            descriptor: CodecDescriptor,
            makeEncoder: @escaping @Sendable (EncoderOptions) throws(CodecError) -> any AudioEncoder,
            makeDecoder: @escaping @Sendable () throws(CodecError) -> any AudioDecoder
        ) {
            self.descriptor = descriptor
            self.makeEncoder = makeEncoder
            self.makeDecoder = makeDecoder
        }
    }

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// Adds or replaces (same id) an entry.
    public mutating func register(_ entry: Entry) {
        entries.removeAll { $0.descriptor.id == entry.descriptor.id }
        entries.append(entry)
    }

    public var descriptors: [CodecDescriptor] { entries.map(\.descriptor) }

    /// By CLI/config id, case-insensitive ("pcmu", "G722").
    public func entry(id: String) -> Entry? {
        let key = id.lowercased()
        return entries.first { $0.descriptor.id == key }
    }

    /// By static RTP payload type (dynamic types are resolved through SDP, not here).
    public func entry(staticPayloadType pt: UInt8) -> Entry? {
        entries.first { $0.descriptor.isStaticPayloadType && $0.descriptor.payloadType == pt }
    }

    /// By SDP rtpmap encoding name and clock rate, case-insensitive as RFC 4566 requires.
    public func entry(encodingName: String, clockRate: Int) -> Entry? {
        let key = encodingName.lowercased()
        return entries.first {
            $0.descriptor.encodingName.lowercased() == key && $0.descriptor.rtpClockRate == clockRate
        }
    }
}
