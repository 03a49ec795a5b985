import Testing
import TimbreCodecs
import TimbreCore
import TimbreOpus
import TimbreTestSupport

@Suite struct OpusEncoderTests {
    @Test func speechRoundTripAt48kHzKeepsTheWaveform() throws {
        let speech = try OpusTestSupport.sample("speech-en-female-48k.wav", rate: 48_000)
        let encoder = try OpusEncoder(.init(application: .audio, bitrate: 64_000, complexity: 10))
        let decoder = try OpusDecoder()
        let packets = try OpusTestSupport.encode(speech, with: encoder)
        let decoded = try OpusTestSupport.decode(packets, with: decoder, frameSamples: 960)
        #expect(decoded.count == packets.count * 960)
        // libopus delays by its lookahead; at 64 kbit/s CELT keeps the waveform closely.
        let delay = OpusTestSupport.bestDelay(speech, decoded, maxDelay: 600)
        #expect(delay == encoder.lookahead48k)
        let snr = OpusTestSupport.snr(speech, decoded, delay: delay)
        #expect(snr > 10, "SNR \(snr) dB")
    }

    @Test func lowerBitrateCostsQualityAndBytes() throws {
        let speech = try OpusTestSupport.sample("speech-en-male-16k.wav", rate: 16_000)
        var results: [(bytes: Int, snr: Double)] = []
        for bitrate in [12_000, 48_000] {
            let encoder = try OpusEncoder(.init(sampleRate: .wideband, application: .audio, bitrate: bitrate))
            let decoder = try OpusDecoder(sampleRate: .wideband)
            let packets = try OpusTestSupport.encode(speech, with: encoder)
            let decoded = try OpusTestSupport.decode(packets, with: decoder, frameSamples: 320)
            results.append((packets.reduce(0) { $0 + $1.count }, OpusTestSupport.snr(speech, decoded, delay: encoder.lookahead48k / 3)))
        }
        #expect(results[0].bytes < results[1].bytes / 2)
        #expect(results[0].snr < results[1].snr)
        // Average bitrate close to the target (VBR): 4.5 s of speech.
        let seconds = 4.5
        #expect(abs(Double(results[1].bytes * 8) / seconds - 48_000) < 12_000)
    }

    @Test func cbrMakesEveryPacketTheSameSize() throws {
        let speech = try OpusTestSupport.sample("speech-fr-48k.wav", rate: 48_000)
        let encoder = try OpusEncoder(.init(bitrate: 32_000, variableBitrate: false))
        let packets = try OpusTestSupport.encode(speech, with: encoder)
        // 32 kbit/s × 20 ms = 80 bytes.
        #expect(Set(packets.map(\.count)) == [80])
    }

    @Test func dtxSkipsSilence() throws {
        let encoder = try OpusEncoder(.init(discontinuousTransmission: true))
        var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
        let silence = [Int16](repeating: 0, count: 960)
        var sizes: [Int] = []
        for _ in 0..<50 {
            sizes.append(try silence.withUnsafeBufferPointer { s in try payload.withUnsafeMutableBytes { try encoder.encode(s, into: $0) } })
        }
        // After a short hangover, most silent frames need not be sent.
        #expect(sizes.filter { $0 == 0 }.count > 30)
        #expect(sizes[0] > 0)
    }

    @Test func everyFrameDurationAndRateEncodesOneFrame() throws {
        for rate in OpusEncoder.supportedSampleRates {
            for duration in FrameDuration.allCases {
                let encoder = try OpusEncoder(.init(sampleRate: rate, frameDuration: duration))
                let pcm = SignalGenerator.sine(frequency: 440, sampleRate: rate.hertz, count: encoder.frameSampleCount)
                var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
                let n = try pcm.withUnsafeBufferPointer { p in try payload.withUnsafeMutableBytes { try encoder.encode(p, into: $0) } }
                #expect(n > 0 && n <= encoder.maximumPayloadSize)
                let samples48k = try payload.withUnsafeBytes { try OpusPacket.sampleCount(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                #expect(samples48k == duration.milliseconds * 48)
            }
        }
    }

    @Test func stereoEncodesInterleavedFrames() throws {
        let encoder = try OpusEncoder(.init(channels: 2, application: .audio, bitrate: 64_000))
        let decoder = try OpusDecoder(channels: 2)
        let left = SignalGenerator.sine(frequency: 500, sampleRate: 48_000, count: 48_000)
        let right = SignalGenerator.sine(frequency: 1_500, sampleRate: 48_000, count: 48_000, amplitude: 0.25)
        let interleaved = (0..<48_000).flatMap { [left[$0], right[$0]] }
        let packets = try OpusTestSupport.encode(interleaved, with: encoder)
        let decoded = try OpusTestSupport.decode(packets, with: decoder, frameSamples: 960)
        #expect(decoded.count == 48_000 * 2)
        let l = stride(from: 0, to: decoded.count, by: 2).map { decoded[$0] }
        let r = stride(from: 1, to: decoded.count, by: 2).map { decoded[$0] }
        #expect(OpusTestSupport.snr(left, l, delay: encoder.lookahead48k) > 15)
        #expect(OpusTestSupport.snr(right, r, delay: encoder.lookahead48k) > 10)
    }

    @Test func badSettingsAreTypedErrors() {
        #expect(throws: CodecError.self) { try OpusEncoder(.init(sampleRate: .cd)) }
        #expect(throws: CodecError.self) { try OpusEncoder(.init(channels: 3)) }
        #expect(throws: CodecError.self) { try OpusEncoder(.init(bitrate: 1_000)) }
        #expect(throws: CodecError.self) { try OpusEncoder(.init(complexity: 11)) }
        #expect(throws: CodecError.self) { try OpusEncoder(.init(expectedPacketLossPercent: 101)) }
        #expect(throws: CodecError.self) { try OpusDecoder(sampleRate: SampleRate(hertz: 22_050)) }
    }

    @Test func wrongFrameLengthAndTinyOutputAreTypedErrors() throws {
        let encoder = try OpusEncoder(.init(bitrate: 64_000, variableBitrate: false))
        var payload = [UInt8](repeating: 0, count: 10)
        let short = [Int16](repeating: 0, count: 959)
        #expect(throws: CodecError.invalidFrameLength(959)) {
            try short.withUnsafeBufferPointer { s in try payload.withUnsafeMutableBytes { try encoder.encode(s, into: $0) } }
        }
        // No room at all for a packet.
        let frame = SignalGenerator.noise(count: 960)
        #expect(throws: CodecError.outputTooSmall(needed: encoder.maximumPayloadSize)) {
            try frame.withUnsafeBufferPointer { s in try payload.withUnsafeMutableBytes { try encoder.encode(s, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<0])) } }
        }
    }

    @Test func runtimeBitrateChangeTakesEffect() throws {
        let encoder = try OpusEncoder(.init(bitrate: 16_000))
        #expect(encoder.currentBitrate == 16_000)
        try encoder.setBitrate(40_000)
        #expect(encoder.currentBitrate == 40_000)
        #expect(throws: CodecError.self) { try encoder.setBitrate(600_000) }
        try encoder.setExpectedPacketLoss(percent: 30)
        #expect(throws: CodecError.self) { try encoder.setExpectedPacketLoss(percent: -1) }
    }
}
