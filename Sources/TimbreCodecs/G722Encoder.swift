import TimbreCore

/// G.722 encoder at 64 kbit/s (ITU-T G.722 §3): 16 kHz PCM in, one octet per two samples out.
///
/// Bit-exact with libspandsp's `g722_encode` and ffmpeg's `adpcm_g722` encoder (the tests check
/// both). State — the QMF delay line and both sub-band predictors — carries from one call to the
/// next, so a stream may be fed in frames of any even length; `reset()` returns to the initial
/// state for a new RTP stream (new SSRC), as a fresh encoder would start.
///
/// Allocation-free after `init`; call from the media thread. A value type: copying an encoder
/// copies its state (and its delay line on the next write).
public struct G722Encoder: AudioEncoder, Sendable {
    public var descriptor: CodecDescriptor { .g722 }
    public let frameDuration: FrameDuration

    @usableFromInline var low = G722Band(initialDet: 32)
    @usableFromInline var high = G722Band(initialDet: 8)
    @usableFromInline var qmf = G722QMF()

    public init(frameDuration: FrameDuration = .ms20) { self.frameDuration = frameDuration }

    /// One octet per two samples of a `frameDuration` frame (160 bytes for 20 ms).
    public var maximumPayloadSize: Int { descriptor.samplesPerFrame(frameDuration) / 2 }

    /// Encodes `pcm` (16 kHz, any even length) into `payload`, returning `pcm.count / 2` bytes.
    /// Throws `invalidFrameLength` for an odd count (a G.722 octet codes a pair of samples) and
    /// `outputTooSmall` when `payload` is short; in both cases the state is untouched.
    public mutating func encode(
        _ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer
    ) throws(CodecError) -> Int {
        guard pcm.count % 2 == 0 else { throw .invalidFrameLength(pcm.count) }
        let octets = pcm.count / 2
        guard payload.count >= octets else { throw .outputTooSmall(needed: octets) }
        guard octets > 0, let base = payload.baseAddress else { return 0 }
        encodePairs(pcm.baseAddress!, octets: octets, into: base.assumingMemoryBound(to: UInt8.self))
        return octets
    }

    public mutating func reset() {
        low = G722Band(initialDet: 32)
        high = G722Band(initialDet: 8)
        qmf.reset()
    }

    @usableFromInline
    mutating func encodePairs(_ input: UnsafePointer<Int16>, octets: Int, into out: UnsafeMutablePointer<UInt8>) {
        var low = self.low, high = self.high
        var position = qmf.position
        G722Tables.packed.withUnsafeBufferPointer { tables in
            G722Tables.lowDecisionSearch.withUnsafeBufferPointer { levels in
                G722QMF.taps.withUnsafeBufferPointer { taps in
                    qmf.line.withUnsafeMutableBufferPointer { line in
                        let t = tables.baseAddress!
                        let search = G722LowQuantiser(levels.baseAddress!)
                        var cursor = G722QMFCursor(line: line.baseAddress!, position: position, taps: taps.baseAddress!)
                        for j in 0..<octets {
                            let (sum, difference) = cursor.step(input[2 &* j], input[2 &* j &+ 1])
                            let lowCode = Self.encodeLow(sum >> 14, &low, search, t)
                            let highCode = Self.encodeHigh(difference >> 14, &high, t)
                            out[j] = UInt8(truncatingIfNeeded: lowCode | highCode << 6)
                        }
                        position = cursor.position
                    }
                }
            }
        }
        qmf.position = position
        self.low = low
        self.high = high
    }

    /// Low band: 6-bit quantiser (QUANTL), 4-bit inverse quantiser for the predictor (INVQAL),
    /// scale adaptation and prediction. Returns the 6-bit code.
    @inlinable @inline(__always)
    static func encodeLow(
        _ x: Int32, _ band: inout G722Band, _ search: G722LowQuantiser, _ t: UnsafePointer<Int32>
    ) -> Int32 {
        // The standard limits e to 16 bits; only its sign and whether |e| reaches each decision
        // level (at most 2919·16384 ≫ 12 = 11676) matter, so ±16384 gives the same code and
        // keeps the magnitude ≤ 16383 for the 16-bit search.
        let e = min(max(x &- band.s, -16384), 16383)
        let sign = e >> 31
        let det = band.det
        let index = Int(sign & 32) | search.interval(magnitude: e ^ sign, det: det)
        let difference = (det &* t[G722Tables.lowCodeQM4Offset &+ index]) >> 15
        band.adaptScale(t[G722Tables.lowCodeScaleStepOffset &+ index], limit: 18432, shiftBase: 8, tables: t)
        band.update(difference: difference)
        return t[G722Tables.lowCodeOffset &+ index]
    }

    /// High band: 2-bit quantiser (QUANTH), inverse quantiser, adaptation and prediction.
    /// Returns the 2-bit code.
    @inlinable @inline(__always)
    static func encodeHigh(_ x: Int32, _ band: inout G722Band, _ t: UnsafePointer<Int32>) -> Int32 {
        let e = G722Band.saturate(x &- band.s)
        let magnitude = e ^ (e >> 31)
        let det = band.det
        let inner = ((magnitude &- ((564 &* det) >> 12)) >> 31) & 1  // 1 below the decision level
        let code = (~(e >> 31) & 2) | inner  // 0/1 negative outer/inner, 2/3 positive outer/inner
        let difference = (det &* t[G722Tables.qm2Offset &+ Int(code)]) >> 15
        band.adaptScale(t[G722Tables.highScaleStepOffset &+ Int(code)], limit: 22528, shiftBase: 10, tables: t)
        band.update(difference: difference)
        return code
    }
}
