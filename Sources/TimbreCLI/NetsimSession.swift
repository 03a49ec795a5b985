import TimbreCodecs
import TimbreCore
import TimbreDSP
import TimbreJitter
import TimbreRTP

/// One `timbre netsim` run: the input encoded into 20 ms payloads, each sent as a real RTP packet
/// (serialised, then parsed again on "arrival"), replayed through a playout buffer.
struct NetsimSession {
    let descriptor: CodecDescriptor
    let entry: CodecRegistry.Entry
    let trace: NetworkTrace
    let payloads: [[UInt8]]
    let clockDriftPPM: Double
    /// RTP fields of the simulated sender; sequence and timestamp wrap within the first seconds.
    let ssrc: UInt32 = 0x5EED_1234
    let firstSequence: UInt16 = 0xFFC0
    let firstTimestamp: UInt32 = 0xFFFF_8000

    var frameSamples: Int { descriptor.samplesPerFrame(.ms20) }
    var frameTicks: Int { descriptor.rtpTicksPerFrame(.ms20) }

    init(codec entry: CodecRegistry.Entry, trace: NetworkTrace, input: (samples: [Int16], sampleRate: Int), clockDriftPPM: Double) throws {
        self.entry = entry
        descriptor = entry.descriptor
        self.trace = trace
        self.clockDriftPPM = clockDriftPPM
        let pcm = try NetsimSession.resample(input.samples, from: input.sampleRate, to: entry.descriptor.sampleRate.hertz)
        var encoder: any AudioEncoder
        do {
            encoder = try entry.makeEncoder(
                EncoderOptions(frameDuration: .ms20, inbandFEC: true, expectedPacketLossPercent: 10))
        } catch {
            throw CLIError("cannot create \(entry.descriptor.id) encoder: \(error)")
        }
        let n = entry.descriptor.samplesPerFrame(.ms20)
        let frames = (pcm.count + n - 1) / n
        var out = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
        var frame = [Int16](repeating: 0, count: n)
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(frames)
        for f in 0..<frames {
            for k in 0..<n { frame[k] = f * n + k < pcm.count ? pcm[f * n + k] : 0 }
            var written = 0
            var failure: CodecError?
            frame.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBytes { dst in
                    do throws(CodecError) {
                        written = try encoder.encode(src, into: dst)
                    } catch {
                        failure = error
                    }
                }
            }
            if let failure { throw CLIError("encoding frame \(f) failed: \(failure)") }
            payloads.append(Array(out[0..<written]))
        }
        self.payloads = payloads
    }

    /// The packet carrying frame `seq`, serialised to RTP bytes and parsed back.
    func packet(_ seq: Int) throws -> JitterPacket? {
        guard seq < payloads.count else { return nil }
        let header = RTPHeader(
            marker: seq == 0, payloadType: descriptor.payloadType,
            sequenceNumber: firstSequence &+ UInt16(truncatingIfNeeded: seq),
            timestamp: firstTimestamp &+ UInt32(truncatingIfNeeded: seq * frameTicks), ssrc: ssrc)
        do {
            let bytes = try RTPPacket.serialize(header: header, payload: payloads[seq])
            let parsed = try RTPPacket(parsing: bytes)
            return bytes.withUnsafeBytes { JitterPacket(rtp: parsed, bytes: $0) }
        } catch {
            throw CLIError("RTP round trip of packet \(seq) failed: \(error)")
        }
    }

    func run(_ kind: NetsimBufferKind) throws -> NetworkSimulator.Result {
        let sim = NetworkSimulator(
            trace: trace, outputSamples: frameSamples, periodMilliseconds: 20, frameTicks: frameTicks,
            firstTimestamp: Int64(firstTimestamp), clockDriftPPM: clockDriftPPM)
        let decoder: any AudioDecoder
        do {
            decoder = try entry.makeDecoder()
        } catch {
            throw CLIError("cannot create \(descriptor.id) decoder: \(error)")
        }
        switch kind {
        case .timbre(let mode):
            var buffer = JitterBuffer(
                configuration: JitterBufferConfiguration(
                    sampleRate: descriptor.sampleRate, rtpClockRate: descriptor.rtpClockRate, mode: mode,
                    comfortNoisePayloadType: descriptor.sampleRate.hertz == 8000 ? 13 : nil),
                decoder: decoder)
            return try sim.run(buffer: &buffer, frames: payloads.count, packet: packet)
        case .speexdsp:
            var buffer = SpeexPlayoutBuffer(
                decoder: decoder, sampleRate: descriptor.sampleRate.hertz, frameTicks: frameTicks,
                firstTimestamp: firstTimestamp)
            return try sim.run(buffer: &buffer, frames: payloads.count, packet: packet)
        }
    }

    /// Whole-signal resampling through the streaming libsamplerate resampler.
    static func resample(_ x: [Int16], from: Int, to: Int) throws -> [Int16] {
        if from == to { return x }
        do {
            let r = try Resampler(inputRate: from, outputRate: to, quality: .best, maximumInputFrames: 4800)
            var out: [Int16] = []
            out.reserveCapacity(x.count * to / from + 1024)
            var buf = [Int16](repeating: 0, count: r.maximumOutputFrames)
            var i = 0
            repeat {
                let end = min(x.count, i + 4800)
                let last = end == x.count
                let produced = try x[i..<end].withUnsafeBufferPointer { src in
                    try buf.withUnsafeMutableBufferPointer { try r.process(src, into: $0, endOfInput: last) }
                }
                out.append(contentsOf: buf[0..<produced])
                i = end
            } while i < x.count
            // Drain what the filter still holds.
            for _ in 0..<8 {
                let produced = try buf.withUnsafeMutableBufferPointer {
                    try r.process(UnsafeBufferPointer(start: nil, count: 0), into: $0, endOfInput: true)
                }
                if produced == 0 { break }
                out.append(contentsOf: buf[0..<produced])
            }
            return out
        } catch {
            throw CLIError("cannot resample \(from) Hz to \(to) Hz: \(error)")
        }
    }

    /// STATS.json: the webrtc-stats counters plus netsim's delay and concealment figures.
    static func statisticsJSON(_ r: NetworkSimulator.Result, session: NetsimSession, bufferName: String) -> String {
        let s = r.statistics
        let arrived = Set(session.trace.entries.filter { $0.arrivalMilliseconds != nil }.map(\.sequence))
        var fields: [(String, String)] = [
            ("codec", "\"\(session.descriptor.id)\""),
            ("jitterBuffer", "\"\(bufferName)\""),
            ("sampleRate", "\(session.descriptor.sampleRate.hertz)"),
            ("clockDriftPpm", number(session.clockDriftPPM)),
            ("framesSent", "\(session.payloads.count)"),
            ("framesArrived", "\(arrived.filter { $0 < session.payloads.count }.count)"),
            ("packetsReceived", "\(s.packetsReceived)"),
            ("packetsLost", "\(s.packetsLost)"),
            ("packetsDiscarded", "\(s.packetsDiscarded)"),
            ("packetsDuplicated", "\(s.packetsDuplicated)"),
            ("concealedSamples", "\(s.concealedSamples)"),
            ("concealmentEvents", "\(s.concealmentEvents)"),
            ("totalSamplesReceived", "\(s.totalSamplesReceived)"),
            ("insertedSamplesForDeceleration", "\(s.insertedSamplesForDeceleration)"),
            ("removedSamplesForAcceleration", "\(s.removedSamplesForAcceleration)"),
            ("jitterBufferDelay", number(s.jitterBufferDelay)),
            ("jitterBufferEmittedCount", "\(s.jitterBufferEmittedCount)"),
            ("jitterBufferTargetDelay", number(s.jitterBufferTargetDelay)),
            ("comfortNoiseSamples", "\(s.comfortNoiseSamples)"),
            ("fecRecoveredSamples", "\(s.fecRecoveredSamples)"),
            ("outputSamples", "\(r.output.count)"),
            ("concealedRatio", number(r.concealedRatio)),
            ("meanPlayoutDelayMs", number(r.meanPlayoutDelayMilliseconds)),
            ("p95PlayoutDelayMs", number(r.p95PlayoutDelayMilliseconds)),
        ]
        fields.sort { $0.0 < $1.0 }
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let scaled = (x * 1_000_000).rounded() / 1_000_000
        return "\(scaled)"
    }
}
