/// What a greeting file holds, as far as its header and content tell.
///
/// Fields the file does not state are `nil` (a raw GSM file has no bits per sample; an unknown
/// file has nothing). `durationSeconds` comes from the audio actually present, not from a header
/// length, when the two disagree.
public struct GreetingFormat: Sendable, Codable, Equatable {
    public var container: GreetingContainer
    public var encoding: GreetingEncoding
    /// Samples per second per channel.
    public var sampleRate: Int?
    public var channels: Int?
    /// Bits per encoded sample (16 for PCM 16-bit, 8 for G.711); `nil` for frame-based codecs.
    public var bitsPerSample: Int?
    /// Encoded bit rate in kbit/s (128 for 8 kHz PCM16 mono, 64 for G.711, 13.2 for GSM 06.10).
    public var bitrateKbps: Double?
    /// Playing time in seconds.
    public var durationSeconds: Double?
    /// The whole file's size in bytes.
    public var sizeBytes: Int

    public init(
        container: GreetingContainer, encoding: GreetingEncoding, sampleRate: Int? = nil,
        channels: Int? = nil, bitsPerSample: Int? = nil, bitrateKbps: Double? = nil,
        durationSeconds: Double? = nil, sizeBytes: Int
    ) {
        self.container = container
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitsPerSample = bitsPerSample
        self.bitrateKbps = bitrateKbps
        self.durationSeconds = durationSeconds
        self.sizeBytes = sizeBytes
    }

    enum CodingKeys: String, CodingKey {
        case container, encoding, sampleRate, channels, bitsPerSample, bitrateKbps, durationSeconds, sizeBytes
    }

    /// Encodes every key, with `null` for unknown values, so JSON consumers see a fixed shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(container, forKey: .container)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(channels, forKey: .channels)
        try c.encode(bitsPerSample, forKey: .bitsPerSample)
        try c.encode(bitrateKbps, forKey: .bitrateKbps)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(sizeBytes, forKey: .sizeBytes)
    }
}
