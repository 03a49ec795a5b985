/// A call-quality estimate with the ITU-T G.107 E-model, reduced to the factors a media server
/// measures: one-way delay, packet loss and the codec's equipment impairment.
///
/// R = 93.2 − Id − Ie,eff (no echo or noise terms: the defaults of G.107 fold them into 93.2),
/// Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3), Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl),
/// and MOS from R by G.107's Annex B mapping.
public struct EModel: Sendable, Equatable {
    /// Equipment impairment Ie and packet-loss robustness Bpl (G.113 Appendix I values with
    /// loss concealment on).
    public struct CodecImpairment: Sendable, Equatable {
        public var ie: Double
        public var bpl: Double
        public static let g711 = CodecImpairment(ie: 0, bpl: 25.1)
        public static let g722 = CodecImpairment(ie: 0, bpl: 25.1)
        public static let opus = CodecImpairment(ie: 0, bpl: 30)

        public static func forCodec(_ id: String) -> CodecImpairment {
            switch id.lowercased() {
            case "g722": return .g722
            case "opus": return .opus
            default: return .g711
            }
        }
    }

    public var rFactor: Double
    public var mos: Double

    /// - Parameters:
    ///   - oneWayDelayMs: mouth-to-ear delay estimate (network RTT/2 plus jitter buffer plus packetisation).
    ///   - lossPercent: packet loss after the jitter buffer, 0...100.
    ///   - burstRatio: 1 for random loss, > 1 for bursty loss.
    public init(oneWayDelayMs: Double, lossPercent: Double, codec: CodecImpairment, burstRatio: Double = 1) {
        let d = max(0, oneWayDelayMs)
        let id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0)
        let ppl = min(max(lossPercent, 0), 100)
        let ieEff = codec.ie + (95 - codec.ie) * ppl / (ppl / max(burstRatio, 1) + codec.bpl)
        let r = min(max(93.2 - id - ieEff, 0), 100)
        rFactor = r
        if r <= 0 {
            mos = 1
        } else if r >= 100 {
            mos = 4.5
        } else {
            mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
        }
    }
}
