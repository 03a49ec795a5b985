extension CodecRegistry.Entry {
    /// G.711 u-law, payload type 0.
    public static let pcmu = CodecRegistry.Entry(
        descriptor: .pcmu,
        makeEncoder: { options throws(CodecError) in PCMUEncoder(frameDuration: options.frameDuration) },
        makeDecoder: { () throws(CodecError) in PCMUDecoder() })

    /// G.711 A-law, payload type 8.
    public static let pcma = CodecRegistry.Entry(
        descriptor: .pcma,
        makeEncoder: { options throws(CodecError) in PCMAEncoder(frameDuration: options.frameDuration) },
        makeDecoder: { () throws(CodecError) in PCMADecoder() })

    /// G.722 at 64 kbit/s, payload type 9; decoders made here run in mode 1 (64 kbit/s).
    public static let g722 = CodecRegistry.Entry(
        descriptor: .g722,
        makeEncoder: { options throws(CodecError) in G722Encoder(frameDuration: options.frameDuration) },
        makeDecoder: { () throws(CodecError) in G722Decoder(mode: .kbps64) })
}

extension CodecRegistry {
    /// The codecs this module implements in Swift: PCMU (0), PCMA (8) and G.722 (9).
    /// `TimbreOpus` adds Opus to a copy of this registry.
    public static let builtIn = CodecRegistry([.pcmu, .pcma, .g722])
}
