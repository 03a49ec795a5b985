import CSpeexDSP
import TimbreCodecs
import TimbreJitter

/// speexdsp's jitter buffer (`speex/speex_jitter.h`) behind the same `PlayoutBuffer` seam as
/// Timbre's, for `timbre netsim --jitter-buffer speexdsp` and the peer harness: same trace, same
/// RTP packets, same decoder, same concealment for missing frames (Timbre's pitch-repetition
/// concealer for G.711/G.722, the decoder's PLC for Opus), so only the buffering differs.
///
/// The corresponding speexdsp calls are `jitter_buffer_init`, `jitter_buffer_put`,
/// `jitter_buffer_get`, `jitter_buffer_tick` and `jitter_buffer_destroy`. Not a real-time path:
/// this is a measuring peer.
struct SpeexPlayoutBuffer: PlayoutBuffer {
    final class Handle {
        let pointer: OpaquePointer
        init(step: Int32) { pointer = jitter_buffer_init(step) }
        deinit { jitter_buffer_destroy(pointer) }
    }

    private let handle: Handle
    private var decoder: any AudioDecoder
    private var concealer: Concealer
    private let frameTicks: Int
    private let firstTimestamp: UInt32
    private var payload = [UInt8](repeating: 0, count: 1500)
    private var decoded: [Int16]
    private var seen = Set<UInt16>()
    private var highest: Int64 = -1
    private var started = false
    private var concealing = false
    private(set) var statistics = JitterBufferStatistics()
    var bufferedPackets: Int {
        var count: Int32 = 0
        jitter_buffer_ctl(handle.pointer, JITTER_BUFFER_GET_AVAILABLE_COUNT, &count)
        return Int(count)
    }
    var pendingSamples: Int { 0 }

    init(decoder: any AudioDecoder, sampleRate: Int, frameTicks: Int, firstTimestamp: UInt32) {
        handle = Handle(step: Int32(frameTicks))
        self.decoder = decoder
        concealer = Concealer(sampleRate: sampleRate)
        self.frameTicks = frameTicks
        self.firstTimestamp = firstTimestamp
        decoded = [Int16](repeating: 0, count: max(decoder.maximumFrameSamples, sampleRate / 50))
    }

    mutating func deliver(_ packet: JitterPacket, arrivalTime: UInt64) {
        if seen.contains(packet.sequenceNumber) {
            statistics.packetsDuplicated += 1
            return
        }
        seen.insert(packet.sequenceNumber)
        statistics.packetsReceived += 1
        // Timestamps relative to the first packet, so speexdsp never sees a wrap.
        let relative = packet.timestamp &- firstTimestamp
        let index = Int64(relative) / Int64(frameTicks)
        highest = max(highest, index)
        var p = packet.payload
        p.withUnsafeMutableBytes { bytes in
            var jp = JitterBufferPacket()
            jp.data = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            jp.len = spx_uint32_t(bytes.count)
            jp.timestamp = spx_uint32_t(relative)
            jp.span = spx_uint32_t(frameTicks)
            jp.sequence = spx_uint16_t(packet.sequenceNumber)
            jp.user_data = 0
            jitter_buffer_put(handle.pointer, &jp)
        }
        started = true
    }

    mutating func pull(into out: UnsafeMutableBufferPointer<Int16>, now: UInt64) -> JitterBuffer.PullResult {
        guard started else {
            out.update(repeating: 0)
            return .init(activity: .notStarted, timestamp: nil)
        }
        var jp = JitterBufferPacket()
        var offset: spx_int32_t = 0
        let jb = handle.pointer
        let span = spx_int32_t(frameTicks)
        let rc = payload.withUnsafeMutableBytes { bytes -> Int32 in
            jp.data = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            jp.len = spx_uint32_t(bytes.count)
            return jitter_buffer_get(jb, &jp, span, &offset)
        }
        var activity = JitterBuffer.Activity.normal
        var timestamp: Int64?
        var produced = 0
        if rc == JITTER_BUFFER_OK {
            let length = Int(jp.len)
            produced = payload.withUnsafeBytes { bytes in
                decoded.withUnsafeMutableBufferPointer { pcm in
                    (try? decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), into: pcm)) ?? 0
                }
            }
            if produced > 0 {
                timestamp = Int64(firstTimestamp) + Int64(jp.timestamp)
            }
        }
        let n = out.count
        if produced >= n {
            decoded.withUnsafeMutableBufferPointer { pcm in
                if concealing { concealer.merge(into: UnsafeMutableBufferPointer(rebasing: pcm[0..<n])) }
                for k in 0..<n { out[k] = pcm[k] }
                concealer.record(UnsafeBufferPointer(rebasing: pcm[0..<n]))
            }
            concealing = false
            statistics.jitterBufferEmittedCount += n
        } else {
            activity = .concealed
            var own = 0
            if decoder.hasBuiltInConcealment {
                own = (try? decoder.conceal(samples: n, into: out)) ?? 0
            }
            if own < n { concealer.conceal(into: out) }
            if !concealing { statistics.concealmentEvents += 1 }
            concealing = true
            statistics.concealedSamples += n
            timestamp = nil
        }
        statistics.totalSamplesReceived += n
        statistics.packetsLost = max(0, Int(highest + 1) - statistics.packetsReceived)
        jitter_buffer_tick(handle.pointer)
        return .init(activity: activity, timestamp: timestamp)
    }
}
