import TimbreCodecs
import TimbreOpus

/// The four codecs `timbre load` streams, with what RTP and SDP need to know of each.
enum LoadCodec: String, CaseIterable {
    case pcmu, pcma, g722, opus

    /// SDP encoding name (rtpmap) and the payload type we offer.
    var encodingName: String {
        switch self {
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        case .g722: "G722"
        case .opus: "opus"
        }
    }

    var payloadType: UInt8 {
        switch self {
        case .pcmu: 0
        case .pcma: 8
        case .g722: 9
        case .opus: 111
        }
    }

    /// The RTP clock (RFC 3551: G.722 keeps 8000 for historical reasons; RFC 7587: Opus 48000).
    var rtpClockRate: Int { self == .opus ? 48_000 : 8_000 }

    /// PCM rate of encoder input and decoder output.
    var sampleRate: Int {
        switch self {
        case .pcmu, .pcma: 8_000
        case .g722: 16_000
        case .opus: 48_000
        }
    }

    var rtpmap: String { self == .opus ? "opus/48000/2" : "\(encodingName)/8000" }

    /// Samples of one 20 ms frame at `sampleRate`, and RTP ticks per frame.
    var frameSamples: Int { sampleRate / 50 }
    var ticksPerFrame: UInt32 { UInt32(rtpClockRate / 50) }

    static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    init(parsing text: String, option: String) throws {
        guard let c = LoadCodec(rawValue: text.lowercased()) else {
            throw CLIError("\(option): unknown codec '\(text)' (expected \(LoadCodec.names))")
        }
        self = c
    }

    /// The codec an rtpmap encoding name stands for.
    init?(encodingName: String) {
        guard let c = LoadCodec.allCases.first(where: { $0.encodingName.lowercased() == encodingName.lowercased() }) else { return nil }
        self = c
    }

    /// Timbre's own codec implementation of this codec.
    var registryEntry: CodecRegistry.Entry {
        if self == .opus { return OpusCodec.registryEntry() }
        return CodecRegistry.builtIn.entry(id: rawValue)!
    }
}
