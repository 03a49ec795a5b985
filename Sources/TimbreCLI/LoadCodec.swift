import TimbreCodecs
import TimbreOpus

/// The four codecs `timbre load` streams, with what RTP and SDP need to know of each.
enum LoadCodec: String, CaseIterable {
    case pcmu, pcma, g722, opus

    /// What RTP and SDP need to know, from the codec's own descriptor (the registry's): SDP
    /// encoding name and rtpmap, the payload type we offer, the RTP clock (RFC 3551: G.722
    /// keeps 8000; RFC 7587: Opus 48000) and the PCM rate of encoder input and decoder output.
    var descriptor: CodecDescriptor { Self.descriptors[self]! }
    var encodingName: String { descriptor.encodingName }
    var payloadType: UInt8 { descriptor.payloadType }
    var rtpClockRate: Int { descriptor.rtpClockRate }
    var sampleRate: Int { descriptor.sampleRate.hertz }
    var rtpmap: String { descriptor.rtpmap }

    /// Samples of one 20 ms frame at `sampleRate`, and RTP ticks per frame.
    var frameSamples: Int { descriptor.samplesPerFrame(.ms20) }
    var ticksPerFrame: UInt32 { UInt32(descriptor.rtpTicksPerFrame(.ms20)) }

    private static let descriptors = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.registryEntry.descriptor) })

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
