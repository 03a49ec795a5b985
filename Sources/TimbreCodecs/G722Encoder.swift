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
            let t = tables.baseAddress!
            qmf.line.withUnsafeMutableBufferPointer { line in
                var cursor = G722QMFCursor(line: line.baseAddress!, position: position)
                for j in 0..<octets {
                    let (even, odd) = cursor.step(Int32(input[2 &* j]), Int32(input[2 &* j &+ 1]))
                    let lowCode = Self.encodeLow((even &+ odd) >> 14, &low, t)
                    let highCode = Self.encodeHigh((odd &- even) >> 14, &high, t)
                    out[j] = UInt8(truncatingIfNeeded: lowCode | highCode << 6)
                }
                position = cursor.position
            }
        }
        qmf.position = position
        self.low = low
        self.high = high
    }

    /// Low band: 6-bit quantiser (QUANTL), 4-bit inverse quantiser for the predictor (INVQAL),
    /// scale adaptation and prediction. Returns the 6-bit code.
    @inlinable @inline(__always)
    static func encodeLow(_ x: Int32, _ band: inout G722Band, _ t: UnsafePointer<Int32>) -> Int32 {
        let e = G722Band.saturate(x &- band.s)
        let magnitude = e ^ (e >> 31)  // e ≥ 0 ? e : −(e+1)
        let det = band.det
        // QUANTL: the interval is one more than the number of decision levels 1…29 at or below
        // the magnitude. The levels never fall with the index, so a branch-free binary search
        // finds that count in five steps (entries 30 and 31 repeat level 29; clamp after).
        let levels = t + G722Tables.lowDecisionOffset
        var below = 0
        below = Self.searchStep(below, 16, magnitude, det, levels)
        below = Self.searchStep(below, 8, magnitude, det, levels)
        below = Self.searchStep(below, 4, magnitude, det, levels)
        below = Self.searchStep(below, 2, magnitude, det, levels)
        below = Self.searchStep(below, 1, magnitude, det, levels)
        let interval = min(below, 29) &+ 1
        let code = t[G722Tables.lowCodeOffset &+ ((Int(e >> 31) & 32) | interval)]  // negative: 32…
        let top4 = Int(code >> 2)
        let difference = (det &* t[G722Tables.qm4Offset &+ top4]) >> 15
        band.adaptScale(t[G722Tables.lowScaleStepOffset &+ top4], limit: 18432, shiftBase: 8, tables: t)
        band.update(difference: difference)
        return code
    }

    /// One step of the quantiser's binary search: `below + size` if the magnitude reaches that
    /// level, else `below`. `(magnitude − level) >> 31` is −1 under the level: no branch.
    @inlinable @inline(__always)
    static func searchStep(_ below: Int, _ size: Int, _ magnitude: Int32, _ det: Int32, _ levels: UnsafePointer<Int32>) -> Int {
        let under = Int((magnitude &- ((levels[below &+ size] &* det) >> 12)) >> 31)
        return below &+ (size & ~under)
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
