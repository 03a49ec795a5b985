public import TimbreCodecs

extension CodecRegistry {
    /// Every codec Timbre has: the built-in G.711 u-law/A-law and G.722 from `TimbreCodecs`
    /// plus Opus (dynamic payload type 111).
    public static let standard: CodecRegistry = {
        var registry = CodecRegistry.builtIn
        registry.register(OpusCodec.registryEntry())
        return registry
    }()
}
