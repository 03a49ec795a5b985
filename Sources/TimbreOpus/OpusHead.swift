/// The Ogg Opus identification header (RFC 7845 §5.1), the first packet of the stream.
public struct OpusHead: Hashable, Sendable {
    /// Encapsulation version; the major part (upper 4 bits) must be 0.
    public var version: UInt8
    /// Output channels, 1...255.
    public var channels: Int
    /// 48 kHz samples to discard from the decoder output at the start: the encoder's delay.
    public var preSkip: Int
    /// The original input rate in Hz (informational; 0 = unknown). Playback is at any rate.
    public var inputSampleRate: Int
    /// Gain to apply on decode, in 1/256 dB (Q7.8).
    public var outputGain: Int16
    /// 0: mono/stereo in one stream; 1/255: multistream with a mapping table.
    public var mappingFamily: UInt8
    /// For families other than 0: streams, coupled (stereo) streams, and the channel table.
    public var streamCount: Int
    public var coupledStreamCount: Int
    public var channelMapping: [UInt8]

    public init(channels: Int, preSkip: Int, inputSampleRate: Int, outputGain: Int16 = 0) {
        precondition((1...2).contains(channels), "mapping family 0 carries 1 or 2 channels")
        self.version = 1
        self.channels = channels
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
        self.mappingFamily = 0
        self.streamCount = 1
        self.coupledStreamCount = channels - 1
        self.channelMapping = []
    }

    /// Parses and validates the header packet.
    public init(parsing packet: [UInt8]) throws(OggOpusError) {
        guard packet.count >= 19 else { throw .badOpusHead("\(packet.count) bytes, need at least 19") }
        guard packet.starts(with: Array("OpusHead".utf8)) else { throw .badOpusHead("missing OpusHead magic") }
        version = packet[8]
        guard version >> 4 == 0 else { throw .badOpusHead("unsupported version \(version)") }
        channels = Int(packet[9])
        guard channels > 0 else { throw .badOpusHead("zero channels") }
        preSkip = Int(UInt16(packet[10]) | UInt16(packet[11]) << 8)
        inputSampleRate = Int(UInt32(packet[12]) | UInt32(packet[13]) << 8 | UInt32(packet[14]) << 16 | UInt32(packet[15]) << 24)
        outputGain = Int16(bitPattern: UInt16(packet[16]) | UInt16(packet[17]) << 8)
        mappingFamily = packet[18]
        if mappingFamily == 0 {
            guard channels <= 2 else { throw .badOpusHead("mapping family 0 with \(channels) channels") }
            streamCount = 1
            coupledStreamCount = channels - 1
            channelMapping = []
        } else {
            guard packet.count >= 21 + channels else { throw .badOpusHead("channel mapping table truncated") }
            streamCount = Int(packet[19])
            coupledStreamCount = Int(packet[20])
            channelMapping = Array(packet[21..<(21 + channels)])
            guard streamCount > 0, coupledStreamCount <= streamCount, streamCount + coupledStreamCount <= 255 else {
                throw .badOpusHead("\(streamCount) streams with \(coupledStreamCount) coupled")
            }
            for m in channelMapping where m != 255 && Int(m) >= streamCount + coupledStreamCount {
                throw .badOpusHead("channel mapping entry \(m) out of range")
            }
        }
    }

    /// The header packet's bytes.
    public var bytes: [UInt8] {
        var out = Array("OpusHead".utf8)
        out.append(version)
        out.append(UInt8(channels))
        out.appendLittleEndian(UInt16(clamping: preSkip))
        out.appendLittleEndian(UInt32(clamping: inputSampleRate))
        out.appendLittleEndian(outputGain)
        out.append(mappingFamily)
        if mappingFamily != 0 {
            out.append(UInt8(streamCount))
            out.append(UInt8(coupledStreamCount))
            out += channelMapping
        }
        return out
    }
}
