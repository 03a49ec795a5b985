#if canImport(Glibc)
import Glibc
#endif
import Testing
import TimbreCodecs
import TimbreTestSupport

/// Frame boundaries, reset semantics, bad-input paths and round-trip quality, without oracles.
@Suite struct G722StreamTests {
    static let signal = SignalGenerator.sweep(from: 50, to: 7500, sampleRate: 16000, count: 6400, amplitude: 0.7)
        + SignalGenerator.noise(count: 3200, amplitude: 0.3, seed: 5)

    @Test(arguments: [2, 4, 160, 318, 320, 322, 640, 9600])
    func encoderStateCarriesAcrossAnyFrameSplit(frame: Int) throws {
        #expect(try g722Encode(Self.signal, frame: frame) == g722Encode(Self.signal, frame: Self.signal.count))
    }

    @Test(arguments: [1, 3, 80, 159, 160, 161, 4800])
    func decoderStateCarriesAcrossAnyFrameSplit(frame: Int) throws {
        let octets = try g722Encode(Self.signal)
        for mode in G722Decoder.Mode.allCases {
            #expect(try g722Decode(octets, mode: mode, frame: frame) == g722Decode(octets, mode: mode, frame: octets.count))
        }
    }

    /// A new RTP stream (new SSRC) must start as a fresh coder: after `reset()` the output equals
    /// a new instance's, and without it the old stream's state leaks into the new one.
    @Test func resetStartsANewStream() throws {
        let first = SignalGenerator.noise(count: 3200, amplitude: 0.8, seed: 11)
        var encoder = G722Encoder()
        _ = try g722Encode(first, encoder: &encoder)
        let continued = try g722Encode(Self.signal, encoder: &encoder)
        encoder.reset()
        let restarted = try g722Encode(Self.signal, encoder: &encoder)
        #expect(restarted == (try g722Encode(Self.signal)))
        #expect(continued != restarted)

        let octets = try g722Encode(Self.signal)
        var decoder = G722Decoder()
        _ = try g722Decode(try g722Encode(first), decoder: &decoder)
        let decodedContinued = try g722Decode(octets, decoder: &decoder)
        decoder.reset()
        #expect(try g722Decode(octets, decoder: &decoder) == g722Decode(octets))
        #expect(decodedContinued != (try g722Decode(octets)))
    }

    @Test func oddSampleCountIsRejectedAndStateIsUntouched() throws {
        var encoder = G722Encoder()
        var out = [UInt8](repeating: 0, count: 200)
        let odd = [Int16](repeating: 1000, count: 321)
        #expect(throws: CodecError.invalidFrameLength(321)) {
            try odd.withUnsafeBufferPointer { p in try out.withUnsafeMutableBytes { try encoder.encode(p, into: $0) } }
        }
        let short = [Int16](repeating: 1000, count: 320)
        #expect(throws: CodecError.outputTooSmall(needed: 160)) {
            try short.withUnsafeBufferPointer { p in
                try out.withUnsafeMutableBytes { try encoder.encode(p, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<100])) }
            }
        }
        #expect(try g722Encode(Self.signal, encoder: &encoder) == g722Encode(Self.signal))
    }

    @Test func shortDecodeOutputIsRejectedAndEmptyInputIsFine() throws {
        var decoder = G722Decoder()
        var pcm = [Int16](repeating: 0, count: 10)
        let payload = [UInt8](repeating: 0x55, count: 6)
        #expect(throws: CodecError.outputTooSmall(needed: 12)) {
            try payload.withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        }
        let none = try [UInt8]().withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        #expect(none == 0)
        #expect(try g722Encode([]) == [])
    }

    /// Coding quality: a 1 kHz tone through encode → decode (mode 1) keeps a high SNR once the
    /// QMF pair's delay (22 samples: two 24-tap filters) is aligned.
    @Test func roundTripSNRIsHighInEveryMode() throws {
        let tone = SignalGenerator.sine(frequency: 1000, sampleRate: 16000, count: 16000, amplitude: 0.5)
        let octets = try g722Encode(tone)
        let minimumSNR: [G722Decoder.Mode: Double] = [.kbps64: 35, .kbps56: 30, .kbps48: 24]
        for mode in G722Decoder.Mode.allCases {
            let decoded = try g722Decode(octets, mode: mode)
            let delay = 22
            var signal = 0.0, noise = 0.0
            for i in 1000..<(tone.count - delay) {
                let x = Double(tone[i]), y = Double(decoded[i + delay])
                signal += x * x
                noise += (x - y) * (x - y)
            }
            let snr = 10 * log10(signal / max(noise, 1))
            #expect(snr > minimumSNR[mode]!, "mode \(mode.rawValue): SNR \(snr) dB")
        }
    }
}
