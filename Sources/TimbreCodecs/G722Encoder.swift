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
        encodePairs(pcm, into: base.assumingMemoryBound(to: UInt8.self))
        return octets
    }

    public mutating func reset() {
        low = G722Band(initialDet: 32)
        high = G722Band(initialDet: 8)
        qmf.reset()
    }

    @inlinable
    mutating func encodePairs(_ pcm: UnsafeBufferPointer<Int16>, into out: UnsafeMutablePointer<UInt8>) {
        let input = pcm.baseAddress!
        let octets = pcm.count / 2
        var low = self.low, high = self.high
        let position = qmf.line.withUnsafeMutableBufferPointer { line in
            var cursor = G722QMFCursor(line: line.baseAddress!, position: qmf.position)
            for j in 0..<octets {
                let (even, odd) = cursor.step(Int32(input[2 &* j]), Int32(input[2 &* j &+ 1]))
                let xLow = (even &+ odd) >> 14
                let xHigh = (odd &- even) >> 14
                let code = Self.encodeLow(xLow, &low) | Self.encodeHigh(xHigh, &high) << 6
                out[j] = code
            }
            return cursor.position
        }
        qmf.position = position
        self.low = low
        self.high = high
    }

    /// Low band: 6-bit quantiser (QUANTL), 4-bit inverse quantiser for the predictor (INVQAL),
    /// scale adaptation and prediction. Returns the 6-bit code.
    @inlinable @inline(__always)
    static func encodeLow(_ x: Int32, _ band: inout G722Band) -> UInt8 {
        let e = G722Band.saturate(x &- band.s)
        let magnitude = e ^ (e >> 31)  // e ≥ 0 ? e : −(e+1)
        let det = band.det
        var interval = 1
        while interval < 30, magnitude >= (G722Tables.read(G722Tables.lowDecision, interval) &* det) >> 12 {
            interval &+= 1
        }
        let code = e < 0
            ? G722Tables.read(G722Tables.lowNegativeCode, interval)
            : G722Tables.read(G722Tables.lowPositiveCode, interval)
        let top4 = Int(code >> 2)
        let difference = (det &* G722Tables.read(G722Tables.qm4, top4)) >> 15
        band.adaptScale(G722Tables.read(G722Tables.lowScaleStep, top4), limit: 18432, shiftBase: 8)
        band.update(difference: difference)
        return code
    }

    /// High band: 2-bit quantiser (QUANTH), inverse quantiser, adaptation and prediction.
    /// Returns the 2-bit code.
    @inlinable @inline(__always)
    static func encodeHigh(_ x: Int32, _ band: inout G722Band) -> UInt8 {
        let e = G722Band.saturate(x &- band.s)
        let magnitude = e ^ (e >> 31)
        let det = band.det
        let outer = magnitude >= (564 &* det) >> 12
        let code: UInt8 = e < 0 ? (outer ? 0 : 1) : (outer ? 2 : 3)
        let difference = (det &* G722Tables.read(G722Tables.qm2, Int(code))) >> 15
        band.adaptScale(G722Tables.read(G722Tables.highScaleStep, Int(code)), limit: 22528, shiftBase: 10)
        band.update(difference: difference)
        return code
    }
}
