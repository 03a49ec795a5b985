import Testing
import TimbreCodecs
import TimbreCore
import TimbreOpus
import TimbreTestSupport

@Suite struct OpusDecoderTests {
    @Test func decodesAtEveryTelephonyRate() throws {
        let speech = try OpusTestSupport.sample("speech-en-male-48k.wav", rate: 48_000)
        let encoder = try OpusEncoder(.init(bitrate: 32_000))
        let packets = try OpusTestSupport.encode(speech, with: encoder)
        for hertz in [8_000, 16_000, 24_000, 48_000] {
            let rate = SampleRate(hertz: hertz)
            let decoder = try OpusDecoder(sampleRate: rate)
            let decoded = try OpusTestSupport.decode(packets, with: decoder, frameSamples: hertz / 50)
            #expect(decoded.count == packets.count * hertz / 50)
            // Compared with the speech band-limited to the output rate by ffmpeg's resampler.
            let reference = try OpusTestSupport.sample("speech-en-male-48k.wav", rate: hertz)
            let delay = OpusTestSupport.bestDelay(reference, decoded, maxDelay: hertz / 50)
            #expect(OpusTestSupport.snr(reference, decoded, delay: delay) > 5, "at \(hertz) Hz")
        }
    }

    @Test func garbageIsALibraryErrorWithLibopusMessage() throws {
        let decoder = try OpusDecoder()
        var pcm = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
        // TOC code 3 with a frame count of 0 is invalid (RFC 6716 §3.2.5, R5).
        let bad: [UInt8] = [0x03, 0x00]
        do {
            _ = try bad.withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
            Issue.record("decoded an invalid packet")
        } catch {
            guard case .library(let code, let message) = error as? CodecError else { Issue.record("\(error)"); return }
            #expect(code == -4)  // OPUS_INVALID_PACKET
            #expect(message == "libopus: corrupted stream")
        }
        let empty: [UInt8] = []
        #expect(throws: CodecError.self) {
            try empty.withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        }
    }

    @Test func tooSmallOutputIsReportedBeforeDecoding() throws {
        let encoder = try OpusEncoder(.init())
        let decoder = try OpusDecoder()
        let packets = try OpusTestSupport.encode(SignalGenerator.sine(frequency: 300, sampleRate: 48_000, count: 960), with: encoder)
        var small = [Int16](repeating: 0, count: 480)
        #expect(throws: CodecError.outputTooSmall(needed: 960)) {
            try packets[0].withUnsafeBytes { p in try small.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        }
    }

    @Test func concealmentContinuesTheSignal() throws {
        let tone = SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 48_000)
        let encoder = try OpusEncoder(.init(bitrate: 32_000))
        let packets = try OpusTestSupport.encode(tone, with: encoder)
        let decoder = try OpusDecoder()
        #expect(decoder.hasBuiltInConcealment)
        var lossy: [[UInt8]?] = packets
        lossy[25] = nil
        let decoded = try OpusTestSupport.decode(lossy, with: decoder, frameSamples: 960)
        #expect(decoded.count == packets.count * 960)
        // PLC extends the tone rather than muting: the concealed frame carries energy.
        let concealed = decoded[(25 * 960)..<(26 * 960)]
        let rms = (concealed.reduce(0.0) { $0 + Double($1) * Double($1) } / 960).squareRoot()
        #expect(rms > 1_000)
        // Bad lengths: not a multiple of 2.5 ms, or longer than 120 ms.
        var pcm = [Int16](repeating: 0, count: 10_000)
        #expect(throws: CodecError.invalidFrameLength(7)) { try pcm.withUnsafeMutableBufferPointer { try decoder.conceal(samples: 7, into: $0) } }
        #expect(throws: CodecError.self) { try pcm.withUnsafeMutableBufferPointer { try decoder.conceal(samples: 9_600, into: $0) } }
    }

    @Test func inbandFECRecoversALostFrameBetterThanConcealment() throws {
        let speech = try OpusTestSupport.sample("speech-en-female-16k.wav", rate: 16_000)
        // FEC lives in SILK: a VOIP encoder at a speech bitrate with expected loss of 20 %.
        let encoder = try OpusEncoder(.init(
            sampleRate: .wideband, application: .voip, bitrate: 24_000, inbandFEC: true, expectedPacketLossPercent: 20))
        let packets = try OpusTestSupport.encode(speech, with: encoder)
        let withFEC = try packets.dropFirst().filter { try $0.withUnsafeBytes { try OpusPacket.hasInbandFEC($0) } }.count
        #expect(withFEC > packets.count / 2, "\(withFEC) of \(packets.count) packets carry FEC")

        let clean = try OpusTestSupport.decode(packets, with: OpusDecoder(sampleRate: .wideband), frameSamples: 320)
        var fecBetter = 0
        var trials = 0
        for lost in stride(from: 40, to: packets.count - 2, by: 23) {
            guard try packets[lost + 1].withUnsafeBytes({ try OpusPacket.hasInbandFEC($0) }) else { continue }
            let viaFEC = try decodeLosing(lost, packets, recover: true)
            let viaPLC = try decodeLosing(lost, packets, recover: false)
            let range = (lost * 320)..<((lost + 1) * 320)
            let fecError = OpusTestSupport.snr(Array(clean[range]), Array(viaFEC[range]))
            let plcError = OpusTestSupport.snr(Array(clean[range]), Array(viaPLC[range]))
            trials += 1
            if fecError > plcError { fecBetter += 1 }
        }
        #expect(trials >= 5)
        #expect(fecBetter * 10 >= trials * 8, "FEC beat PLC in \(fecBetter) of \(trials) losses")
    }

    @Test func packetsWithoutFECRecoverNothing() throws {
        let speech = try OpusTestSupport.sample("speech-zh-16k.wav", rate: 16_000)
        let encoder = try OpusEncoder(.init(sampleRate: .wideband, bitrate: 24_000))
        let packets = try OpusTestSupport.encode(speech, with: encoder)
        for p in packets { #expect(try !p.withUnsafeBytes { try OpusPacket.hasInbandFEC($0) }) }
        let decoder = try OpusDecoder(sampleRate: .wideband)
        var pcm = [Int16](repeating: 0, count: 320)
        let n = try packets[30].withUnsafeBytes { p in
            try pcm.withUnsafeMutableBufferPointer { try decoder.decodeRedundancy(from: p, samples: 320, into: $0) }
        }
        #expect(n == 0)
    }

    /// Decodes all packets at 16 kHz with packet `lost` missing, recovered from the next
    /// packet's FEC (`recover`) or concealed by PLC.
    private func decodeLosing(_ lost: Int, _ packets: [[UInt8]], recover: Bool) throws -> [Int16] {
        let decoder = try OpusDecoder(sampleRate: .wideband)
        var out: [Int16] = []
        var pcm = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
        for (i, packet) in packets.enumerated() {
            let n: Int
            if i == lost {
                n = recover
                    ? try packets[i + 1].withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decodeRedundancy(from: p, samples: 320, into: $0) } }
                    : try pcm.withUnsafeMutableBufferPointer { try decoder.conceal(samples: 320, into: $0) }
                #expect(n == 320)
            } else {
                n = try packet.withUnsafeBytes { p in try pcm.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
            }
            out += pcm[..<n]
        }
        return out
    }
}
