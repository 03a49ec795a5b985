import TimbreCore

/// G.722 decoder (ITU-T G.722 §4): one octet in, two 16 kHz samples out, in mode 1, 2 or 3
/// (64, 56 or 48 kbit/s: modes 2 and 3 ignore the lowest 1 or 2 bits of each octet for the
/// low-band output).
///
/// Bit-exact with ffmpeg's `adpcm_g722` decoder and with libspandsp's `g722_decode` wherever the
/// two agree. On loud input the receive QMF can exceed 16 bits: the output is clamped to int16,
/// as ffmpeg and the ITU-T reference do (libspandsp 0.0.6 wraps around, a loud click). No delay is
/// trimmed: payload octet n gives output samples 2n and 2n+1.
///
/// Allocation-free after `init`; call from the media thread. `reset()` starts a new RTP stream.
public struct G722Decoder: AudioDecoder, Sendable {
    /// Bit rate mode (G.722 §1.3): how many low-band bits of each octet carry audio.
    public enum Mode: Int, Sendable, CaseIterable {
        /// 64 kbit/s, 6 low-band bits.
        case kbps64 = 1
        /// 56 kbit/s, 5 low-band bits (one auxiliary data bit).
        case kbps56 = 2
        /// 48 kbit/s, 4 low-band bits (two auxiliary data bits).
        case kbps48 = 3
    }

    public var descriptor: CodecDescriptor { .g722 }
    public let mode: Mode

    @usableFromInline var low = G722Band(initialDet: 32)
    @usableFromInline var high = G722Band(initialDet: 8)
    @usableFromInline var qmf = G722QMF()

    public init(mode: Mode = .kbps64) { self.mode = mode }

    /// Samples in the longest frame we packetise (60 ms at 16 kHz).
    public var maximumFrameSamples: Int { descriptor.samplesPerFrame(.ms60) }

    /// Decodes `payload` (any length) into `pcm`, returning `2 × payload.count` samples.
    /// Throws `outputTooSmall` (state untouched) when `pcm` is short.
    public mutating func decode(
        _ payload: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int {
        let samples = payload.count * 2
        guard pcm.count >= samples else { throw .outputTooSmall(needed: samples) }
        guard samples > 0, let base = payload.baseAddress else { return 0 }
        let codes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: payload.count)
        switch mode {
        case .kbps64: decodeOctets(codes, into: pcm.baseAddress!, lowOffset: G722Tables.qm6Offset, lowShift: 0)
        case .kbps56: decodeOctets(codes, into: pcm.baseAddress!, lowOffset: G722Tables.qm5Offset, lowShift: 1)
        case .kbps48: decodeOctets(codes, into: pcm.baseAddress!, lowOffset: G722Tables.qm4Offset, lowShift: 2)
        }
        return samples
    }

    public mutating func reset() {
        low = G722Band(initialDet: 32)
        high = G722Band(initialDet: 8)
        qmf.reset()
    }

    /// `lowOffset`/`lowShift` select the mode's low-band inverse quantiser in
    /// `G722Tables.packed`, read at `(code & 63) >> lowShift`.
    @usableFromInline
    mutating func decodeOctets(
        _ codes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<Int16>, lowOffset: Int, lowShift: Int
    ) {
        // The bands are copied into the innermost closure's locals so that LLVM keeps them in
        // registers: captured variables stay in memory, since the output stores might alias them.
        var lowBand = self.low, highBand = self.high
        var position = qmf.position
        G722Tables.packed.withUnsafeBufferPointer { tables in
            G722QMF.taps.withUnsafeBufferPointer { taps in
                qmf.line.withUnsafeMutableBufferPointer { line in
                    let t = tables.baseAddress!
                    let lowOutput = t + lowOffset
                    var cursor = G722QMFCursor(line: line.baseAddress!, position: position, taps: taps.baseAddress!)
                    var low = lowBand, high = highBand
                    for j in 0..<codes.count {
                        let code = Int(codes[j])
                        // Low band (INVQBL for the output, INVQAL for the predictor).
                        let lowDet = low.det
                        let lowOut = (lowDet &* lowOutput[(code & 63) &>> lowShift]) >> 15
                        let rLow = min(max(low.s &+ lowOut, -16384), 16383)
                        let top4 = (code >> 2) & 15
                        let lowDifference = (lowDet &* t[G722Tables.qm4Offset &+ top4]) >> 15
                        low.adaptScale(t[G722Tables.lowScaleStepOffset &+ top4], limit: 18432, shiftBase: 8, tables: t)
                        low.update(difference: lowDifference)
                        // High band.
                        let highCode = code >> 6
                        let highDifference = (high.det &* t[G722Tables.qm2Offset &+ highCode]) >> 15
                        let rHigh = min(max(high.s &+ highDifference, -16384), 16383)
                        high.adaptScale(t[G722Tables.highScaleStepOffset &+ highCode], limit: 22528, shiftBase: 10, tables: t)
                        high.update(difference: highDifference)
                        // Receive QMF: rL ± rH both fit in 16 bits (each is clamped to ±16384).
                        // sum ± difference = 2·odd / 2·even, so ≫ 12 is the standard's ≫ 11.
                        // Clamp, never wrap, as ffmpeg and the ITU-T reference do.
                        let (sum, difference) = cursor.step(
                            Int16(truncatingIfNeeded: rLow &+ rHigh), Int16(truncatingIfNeeded: rLow &- rHigh))
                        out[2 &* j] = SampleConversion.saturatingInt16((sum &+ difference) >> 12)
                        out[2 &* j &+ 1] = SampleConversion.saturatingInt16((sum &- difference) >> 12)
                    }
                    position = cursor.position
                    lowBand = low
                    highBand = high
                }
            }
        }
        qmf.position = position
        self.low = lowBand
        self.high = highBand
    }
}
