import Testing
import TimbreCodecs
import TimbreCore
import TimbreOpus

@testable import TimbreJitter

@Suite struct OpusRecoveryTests {
    @Test func singleLossesAreRecoveredFromTheNextPacketsFEC() throws {
        let entry = OpusCodec.registryEntry()
        var encoder = try entry.makeEncoder(EncoderOptions(frameDuration: .ms20, inbandFEC: true, expectedPacketLossPercent: 20))
        // The 8 kHz voice signal upsampled by repetition is enough for the encoder's speech mode.
        let voice = TestStreams.voice(seconds: 4)
        let pcm = voice.flatMap { [Int16](repeating: $0, count: 6) }
        var payloads: [[UInt8]] = []
        var out = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
        for f in 0..<(pcm.count / 960) {
            let n = try pcm[(f * 960)..<((f + 1) * 960)].withUnsafeBufferPointer { src in
                try out.withUnsafeMutableBytes { try encoder.encode(src, into: $0) }
            }
            payloads.append(Array(out[0..<n]))
        }
        var jb = JitterBuffer(
            configuration: JitterBufferConfiguration(
                sampleRate: .fullband, rtpClockRate: 48_000, mode: .fixed(milliseconds: 60), comfortNoisePayloadType: nil),
            decoder: try entry.makeDecoder())
        // A 60 ms buffer: the packet after a lost one is there when the loss is due.
        let trace = TestStreams.steadyTrace(frames: payloads.count) { seq, arrival in
            if seq % 20 == 10 { arrival = nil }
        }
        let sim = NetworkSimulator(trace: trace, outputSamples: 960, frameTicks: 960, firstTimestamp: 0)
        let r = sim.run(buffer: &jb, frames: payloads.count) { seq in
            JitterPacket(sequenceNumber: UInt16(seq), timestamp: UInt32(seq * 960), payloadType: 111, ssrc: 7, payload: payloads[seq])
        }
        let lost = payloads.count / 20
        #expect(r.statistics.packetsLost == lost)
        // libopus codes LBRR (FEC) only for frames it judges worth protecting; every lost frame
        // is either recovered from FEC or concealed by PLC, and most are recovered.
        #expect(r.statistics.fecRecoveredSamples + r.statistics.concealedSamples == lost * 960)
        #expect(r.statistics.fecRecoveredSamples >= lost / 2 * 960)
    }

    @Test func withoutFECTheDecodersPLCConceals() throws {
        let entry = OpusCodec.registryEntry()
        var encoder = try entry.makeEncoder(EncoderOptions(frameDuration: .ms20))
        let pcm = TestStreams.voice(seconds: 2).flatMap { [Int16](repeating: $0, count: 6) }
        var payloads: [[UInt8]] = []
        var out = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
        for f in 0..<(pcm.count / 960) {
            let n = try pcm[(f * 960)..<((f + 1) * 960)].withUnsafeBufferPointer { src in
                try out.withUnsafeMutableBytes { try encoder.encode(src, into: $0) }
            }
            payloads.append(Array(out[0..<n]))
        }
        var jb = JitterBuffer(
            configuration: JitterBufferConfiguration(sampleRate: .fullband, rtpClockRate: 48_000, comfortNoisePayloadType: nil),
            decoder: try entry.makeDecoder())
        // Lose two in a row: the second has no successor carrying it, so PLC fills it.
        let trace = TestStreams.steadyTrace(frames: payloads.count) { seq, arrival in
            if seq == 50 || seq == 51 { arrival = nil }
        }
        let sim = NetworkSimulator(trace: trace, outputSamples: 960, frameTicks: 960, firstTimestamp: 0)
        let r = sim.run(buffer: &jb, frames: payloads.count) { seq in
            JitterPacket(sequenceNumber: UInt16(seq), timestamp: UInt32(seq * 960), payloadType: 111, ssrc: 7, payload: payloads[seq])
        }
        #expect(r.statistics.packetsLost == 2)
        #expect(r.statistics.concealedSamples >= 960)
        #expect(r.statistics.concealmentEvents == 1)
        #expect(r.statistics.concealedSamples + r.statistics.fecRecoveredSamples >= 2 * 960)
    }

    @Test func frequentGapsKeepOnePacketMoreForFEC() throws {
        // Gaps in 5 % of packets: an FEC decoder's buffer absorbs one packet more, so the packet
        // after a gap is there when the lost frame is due; at 0.5 % (and never without FEC) not.
        func run(gapEvery: Int, decoder: any AudioDecoder) -> (before: Double, after: Double, keeps: Bool) {
            var jb = JitterBuffer(
                configuration: JitterBufferConfiguration(sampleRate: .fullband, rtpClockRate: 48_000, comfortNoisePayloadType: nil),
                decoder: decoder)
            let before = jb.jitterToAbsorbMilliseconds
            for i in 0..<1000 { jb.recordGap(i % gapEvery == 0) }
            return (before, jb.jitterToAbsorbMilliseconds, jb.keepsPacketForFEC)
        }
        let opus = OpusCodec.registryEntry()
        let frequent = run(gapEvery: 20, decoder: try opus.makeDecoder())
        #expect(frequent.keeps)
        #expect(frequent.after == frequent.before + 20)
        let rare = run(gapEvery: 200, decoder: try opus.makeDecoder())
        #expect(!rare.keeps)
        #expect(rare.after == rare.before)
        #expect(!run(gapEvery: 20, decoder: L16Decoder()).keeps)
    }
}
