import TimbreCodecs
import TimbreCore
import TimbreTestSupport

@testable import TimbreJitter

#if canImport(Glibc)
import Glibc
#endif

/// L16 (RFC 3551 §4.5.11, big-endian 16-bit PCM) at 8 kHz: a real, lossless payload format, so a
/// test can compare what the jitter buffer played with what was sent sample for sample.
struct L16Decoder: AudioDecoder {
    var descriptor = CodecDescriptor(
        id: "l16", encodingName: "L16", sampleRate: .narrowband, rtpClockRate: 8000, payloadType: 96,
        isStaticPayloadType: false)
    var maximumFrameSamples: Int { 960 }

    func decode(_ payload: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        guard payload.count % 2 == 0 else { throw .invalidPayload("odd L16 length") }
        let n = payload.count / 2
        guard n <= pcm.count else { throw .outputTooSmall(needed: n) }
        for i in 0..<n { pcm[i] = Int16(bitPattern: UInt16(payload[2 * i]) << 8 | UInt16(payload[2 * i + 1])) }
        return n
    }

    mutating func reset() {}
}

enum TestStreams {
    static let frame = 160  // 20 ms at 8 kHz

    /// A voiced, speech-like test signal: harmonics of a slowly gliding 120–180 Hz pitch with a
    /// syllable-rate envelope, 8 kHz.
    static func voice(seconds: Double, seed: UInt64 = 1) -> [Int16] {
        let n = Int(seconds * 8000)
        var phase = 0.0
        return (0..<n).map { i in
            let t = Double(i) / 8000
            let f0 = 150 + 30 * sin(2 * .pi * 0.7 * t)
            phase += 2 * .pi * f0 / 8000
            var v = 0.0
            for h in 1...6 { v += sin(Double(h) * phase) / Double(h) }
            let envelope = 0.55 + 0.45 * sin(2 * .pi * 3 * t)
            return Int16(v * envelope * 6000)
        }
    }

    static func payload(_ signal: [Int16], frame index: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 * frame)
        for k in 0..<frame {
            let s = index * frame + k < signal.count ? signal[index * frame + k] : 0
            let u = UInt16(bitPattern: s)
            bytes.append(UInt8(u >> 8))
            bytes.append(UInt8(u & 0xFF))
        }
        return bytes
    }

    static func packet(_ signal: [Int16], _ index: Int, ssrc: UInt32 = 0x1234, seq0: UInt16 = 65500, ts0: UInt32 = 4_294_960_000) -> JitterPacket {
        JitterPacket(
            sequenceNumber: seq0 &+ UInt16(truncatingIfNeeded: index), timestamp: ts0 &+ UInt32(index * frame),
            marker: index == 0, payloadType: 96, ssrc: ssrc, payload: payload(signal, frame: index))
    }

    static func buffer(mode: JitterBufferMode = .adaptiveDefault, capacity: Int = 200) -> JitterBuffer {
        JitterBuffer(
            configuration: JitterBufferConfiguration(
                sampleRate: .narrowband, rtpClockRate: 8000, mode: mode, capacityPackets: capacity),
            decoder: L16Decoder())
    }

    /// Runs `trace` over `signal` through a fresh adaptive buffer.
    static func simulate(
        _ trace: NetworkTrace, signal: [Int16], mode: JitterBufferMode = .adaptiveDefault, driftPPM: Double = 0
    ) -> NetworkSimulator.Result {
        var jb = buffer(mode: mode)
        let sim = NetworkSimulator(
            trace: trace, outputSamples: frame, frameTicks: frame, firstTimestamp: 0, clockDriftPPM: driftPPM)
        return sim.run(buffer: &jb) { seq in
            seq * frame < signal.count ? packet(signal, seq, seq0: 0, ts0: 0) : nil
        }
    }

    /// A trace with constant delay `delay` ms plus optional per-packet edits.
    static func steadyTrace(frames: Int, delay: Double = 30, edit: (Int, inout Double?) -> Void = { _, _ in }) -> NetworkTrace {
        NetworkTrace(entries: (0..<frames).map { seq in
            var arrival: Double? = Double(seq) * 20 + delay
            edit(seq, &arrival)
            return .init(sequence: seq, sendMilliseconds: Double(seq) * 20, arrivalMilliseconds: arrival)
        })
    }

    /// Best normalised correlation of `played` against `reference` over shifts up to `maxShift`.
    static func bestAlignment(_ played: ArraySlice<Int16>, in reference: [Int16], shifts: ClosedRange<Int>) -> (shift: Int, correlation: Double) {
        var best = (shift: 0, correlation: -2.0)
        for shift in shifts {
            var xy = 0.0, xx = 0.0, yy = 0.0
            for (k, p) in played.enumerated() {
                let r = shift + k < reference.count ? Double(reference[shift + k]) : 0
                xy += Double(p) * r
                xx += Double(p) * Double(p)
                yy += r * r
            }
            let c = xx > 0 && yy > 0 ? xy / (xx.squareRoot() * yy.squareRoot()) : 0
            if c > best.correlation { best = (shift, c) }
        }
        return best
    }
}
