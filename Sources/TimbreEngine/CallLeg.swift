#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TimbreCodecs
import TimbreCore
import TimbreJitter
import TimbreRTP

/// One RTP endpoint: a UDP socket pair, the negotiated codec, a jitter buffer and encoder, and
/// the per-tick work of turning packets into a PCM frame and a PCM frame into packets.
///
/// Created on the control side, then owned by one media thread: every method below except the
/// `Sendable` snapshots is called from that thread only. All buffers are allocated when media is
/// (re)negotiated, never per tick.
public final class CallLeg: @unchecked Sendable {
    // @unchecked: handed to exactly one media thread through its command queue and used only there.
    public let id: UInt64
    public let rtp: UDPSocket
    public let rtcp: UDPSocket
    public let counters = LegCounters()
    public let ssrc: UInt32
    public let frameDuration: FrameDuration
    let configuration: EngineConfiguration

    public private(set) var media: NegotiatedMedia?
    /// What the per-packet path reads of `media`, copied out when it changes: reading through
    /// `media` copied the whole struct (its codec entry's strings and closures: a retain and a
    /// release each) for every packet.
    private struct PacketFacts {
        var payloadType: UInt8
        var telephoneEvent: UInt8?
        var comfortNoise: UInt8?
        var receives: Bool
        var sends: Bool
        var rtpClockRate: Int
        var ticksPerFrame: UInt32
    }
    private var facts: PacketFacts?
    /// Where RTP goes now: the signalled remote or the latched source.
    private(set) var remote: SocketAddress?
    private var remoteRTCP: SocketAddress?
    private var latchCandidate: SocketAddress?
    private var latchCount = 0
    private(set) var latched = false

    private var jitter: JitterBuffer?
    private var encoder: (any AudioEncoder)?
    private var dtmfDecoder = TelephoneEventDecoder()
    private var dtmfEncoder: TelephoneEventEncoder?
    private var pendingDigits: [UInt8] = []
    /// Packets still to send for the current RFC 4733 digit before it ends, and quiet frames
    /// (audio) still to send before the next digit starts.
    private var digitFramesLeft = 0
    private var digitGapFrames = 0
    /// How long each sent digit lasts and the pause between digits (Q.24 asks for at least
    /// 40 ms of each), in milliseconds.
    static let digitMilliseconds = 100
    static let interDigitMilliseconds = 60
    private var receiverStats = RTPReceiverStatistics()

    /// PCM at the codec rate: what came in this tick, and what goes out.
    var inbound: [Int16] = []
    var outbound: [Int16] = []
    /// Encoder output and the packet being sent: raw buffers allocated once (an array in a
    /// class costs a uniqueness check on every mutable access, twice per packet).
    private let payloadScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
    private let packetScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1600, alignment: 16)
    private var sequence: UInt16
    private var timestamp: UInt32
    private var marker = true

    /// This tick's payload from the bridge's shared encoders, sent instead of encoding
    /// `outbound` (set by `EngineBridge.tick`, used once by `send`). Media thread only.
    var sharedPayload: UnsafeRawBufferPointer?
    /// In a bridge on its media thread (else its outbound audio is silence). Media thread only.
    var bridged = false
    /// Muted: what this leg sends into a bridge is silence.
    var muted = false
    /// Local hold: we send hold music (or silence) instead of the bridge's audio.
    var onHold = false
    var holdMusic: AudioSource?
    var player: AudioSource?
    var playbackID: UInt64 = 0

    private var lastMediaNanos: UInt64 = 0
    private var timedOut = false
    private var startedNanos: UInt64 = 0
    private var ticks: UInt64 = 0

    /// Snapshot of the jitter-buffer statistics, refreshed by the media thread each tick.
    public let jitterSnapshot = Mutex(JitterBufferStatistics())
    public let jitterDelaySnapshot = Mutex((target: 0.0, level: 0.0))

    init(id: UInt64, rtp: UDPSocket, rtcp: UDPSocket, configuration: EngineConfiguration) {
        self.id = id
        self.rtp = rtp
        self.rtcp = rtcp
        self.configuration = configuration
        self.frameDuration = configuration.ptime
        var g = SystemRandomNumberGenerator()
        ssrc = UInt32.random(in: 1...UInt32.max, using: &g)
        sequence = UInt16.random(in: 0...UInt16.max, using: &g)
        timestamp = UInt32.random(in: 0...UInt32.max, using: &g)
        pendingDigits.reserveCapacity(64)
    }

    deinit {
        payloadScratch.deallocate()
        packetScratch.deallocate()
    }

    /// PCM rate of this leg's codec (8 kHz before negotiation).
    public var sampleRate: SampleRate { media?.codec.descriptor.sampleRate ?? .narrowband }

    /// Installs (or replaces, on a re-offer) the negotiated media. Allocates; media thread only,
    /// between ticks.
    func apply(_ newMedia: NegotiatedMedia) {
        let codecChanged = media?.codec.descriptor.id != newMedia.codec.descriptor.id
            || media?.payloadType != newMedia.payloadType
        media = newMedia
        let descriptor = newMedia.codec.descriptor
        facts = PacketFacts(
            payloadType: newMedia.payloadType, telephoneEvent: newMedia.telephoneEventPayloadType,
            comfortNoise: newMedia.comfortNoisePayloadType, receives: newMedia.direction.receives,
            sends: newMedia.direction.sends, rtpClockRate: descriptor.rtpClockRate,
            ticksPerFrame: UInt32(descriptor.rtpTicksPerFrame(frameDuration)))
        if !latched || configuration.strictSource {
            remote = newMedia.remote
            remoteRTCP = newMedia.remoteRTCP
        }
        if codecChanged || jitter == nil {
            let d = newMedia.codec.descriptor
            let samples = d.samplesPerFrame(frameDuration)
            inbound = [Int16](repeating: 0, count: samples)
            outbound = [Int16](repeating: 0, count: samples)
            encoder = try? newMedia.codec.makeEncoder(encoderOptions)
            if let decoder = try? newMedia.codec.makeDecoder() {
                let jb = JitterBufferConfiguration(
                    sampleRate: d.sampleRate, rtpClockRate: d.rtpClockRate, packetDuration: frameDuration,
                    outputDuration: frameDuration, mode: configuration.jitterMode,
                    maximumPayloadBytes: configuration.maxPacketBytes,
                    comfortNoisePayloadType: newMedia.comfortNoisePayloadType)
                jitter = JitterBuffer(configuration: jb, decoder: decoder)
            }
            dtmfEncoder = TelephoneEventEncoder(ticksPerPacket: d.rtpTicksPerFrame(frameDuration))
            marker = true
        }
    }

    /// How this leg's encoders are configured (its own and a bridge's shared ones).
    var encoderOptions: EncoderOptions {
        EncoderOptions(
            frameDuration: frameDuration, bitrate: configuration.opusBitrate,
            complexity: configuration.opusComplexity, inbandFEC: configuration.opusFEC,
            expectedPacketLossPercent: configuration.opusFEC ? 10 : 0)
    }

    /// Queues RFC 4733 digits to send (after the current one).
    func sendDigits(_ digits: [UInt8]) {
        pendingDigits.append(contentsOf: digits.prefix(max(0, 64 - pendingDigits.count)))
    }

    // MARK: Receive

    /// Drains the sockets and feeds the jitter buffer. `now` is the media clock in nanoseconds
    /// (the tick's start), `clockOrigin` the media clock's zero in `CLOCK_MONOTONIC`
    /// nanoseconds (nil: kernel stamps are not used). With `readiness`, only sockets it reports as having received something are
    /// read.
    ///
    /// Packets carry their kernel arrival stamp into the jitter buffer and the RFC 3550 jitter,
    /// not the tick's time: the legs of a tick are read one after another, so a packet that came
    /// after the tick began but before its leg was read would otherwise look earlier than it
    /// was, and one that just missed the read would look a whole tick late together with its
    /// successor — the buffer's delay estimator then sees a clean network and keeps too little
    /// delay, and skips the packet that missed its read as late. (Without a stamp, the tick's
    /// time stands in.)
    func receive(now: UInt64, clockOrigin: UInt64? = nil, events: SPSCRingBuffer<EngineEvent>, readiness: SocketReadiness? = nil) {
        if startedNanos == 0 { startedNanos = now; lastMediaNanos = now }
        if readiness?.take(rtp.fd) ?? true {
            if receiveRTP(now: now, clockOrigin: clockOrigin, events: events) == rtp.batchSize { readiness?.markReady(rtp.fd) }
        }
        if readiness?.take(rtcp.fd) ?? true {
            if receiveRTCP(now: now) == rtcp.batchSize { readiness?.markReady(rtcp.fd) }
        }
        let timeoutNanos = UInt64(configuration.rtpTimeoutSeconds) * 1_000_000_000
        if !timedOut, facts != nil, now > lastMediaNanos + timeoutNanos {
            timedOut = true
            _ = events.push(.rtpTimeout(leg: id, seconds: configuration.rtpTimeoutSeconds))
        }
    }

    /// One batch from the RTP socket into the jitter buffer; returns how many datagrams came.
    private func receiveRTP(now: UInt64, clockOrigin: UInt64?, events: SPSCRingBuffer<EngineEvent>) -> Int {
        let maxBytes = configuration.maxPacketBytes
        return rtp.receiveTimestampedBatch { bytes, source, truncated, stamp in
            counters.add(counters.packetsIn)
            counters.add(counters.bytesIn, bytes.count)
            if truncated || bytes.count > maxBytes {
                counters.add(counters.malformed)
                return
            }
            guard let packet = try? RTPPacket(parsing: bytes) else {
                counters.add(counters.malformed)
                return
            }
            guard let media = facts else { return }
            let pt = packet.header.payloadType
            let known = pt == media.payloadType || pt == media.telephoneEvent || pt == media.comfortNoise
            if !known {
                counters.add(counters.unknownPayloadType)
                return
            }
            if !acceptSource(source, events: events) {
                counters.add(counters.foreignSource)
                return
            }
            lastMediaNanos = now
            if timedOut {
                timedOut = false
                _ = events.push(.rtpResumed(leg: id))
            }
            if !media.receives { return }
            let arrival = Self.arrival(stamp: stamp, clockOrigin: clockOrigin, now: now)
            let arrivalTicks = UInt32(truncatingIfNeeded: arrival / 1_000_000 * UInt64(media.rtpClockRate) / 1000)
            if pt != media.telephoneEvent {
                _ = receiverStats.receive(
                    ssrc: packet.header.ssrc, sequenceNumber: packet.header.sequenceNumber,
                    timestamp: packet.header.timestamp, arrival: arrivalTicks)
            }
            let payload = packet.payload(in: bytes)
            if pt == media.telephoneEvent {
                if let ev = try? TelephoneEvent(parsing: payload) {
                    let update = dtmfDecoder.receive(marker: packet.header.marker, timestamp: packet.header.timestamp, event: ev)
                    if let ended = update.ended { reportDigit(ended, clockRate: media.rtpClockRate, events: events) }
                }
                return
            }
            _ = jitter?.insert(
                sequenceNumber: packet.header.sequenceNumber, timestamp: packet.header.timestamp,
                marker: packet.header.marker, payloadType: pt, ssrc: packet.header.ssrc, payload: payload,
                arrivalTime: arrival)
        }
    }

    /// A kernel arrival stamp on the media clock, or `now` without one (or without an origin, or
    /// with one from before the clock began).
    @inline(__always)
    static func arrival(stamp: UInt64?, clockOrigin: UInt64?, now: UInt64) -> UInt64 {
        guard let stamp, let clockOrigin, stamp >= clockOrigin else { return now }
        return stamp - clockOrigin
    }

    /// One batch from the RTCP socket; returns how many datagrams came.
    private func receiveRTCP(now: UInt64) -> Int {
        rtcp.receiveBatch { bytes, source, truncated in
            counters.add(counters.rtcpIn)
            guard !truncated, let packets = try? RTCPCompoundPacket.parse(bytes) else {
                counters.add(counters.malformed)
                return
            }
            noteRTCP(packets, now: now)
        }
    }

    /// Symmetric RTP latching with probation: the first source that sends two consecutive valid
    /// packets becomes the remote (NAT'd phones send from another port than they signal).
    /// With `strictSource` only the signalled address is accepted.
    private func acceptSource(_ source: SocketAddress, events: SPSCRingBuffer<EngineEvent>) -> Bool {
        if source == remote { return true }
        if configuration.strictSource { return false }
        if latched { return false }
        if latchCandidate == source {
            latchCount += 1
        } else {
            latchCandidate = source
            latchCount = 1
        }
        if latchCount >= 2 {
            latched = true
            remote = source
            remoteRTCP = SocketAddress(ip: source.ip, port: source.port &+ 1)
            _ = events.push(.sourceLatched(leg: id, address: source))
            return true
        }
        return remote == nil
    }

    private func reportDigit(_ ev: TelephoneEventDecoder.DigitEvent, clockRate: Int, events: SPSCRingBuffer<EngineEvent>) {
        guard let digit = ev.digit else { return }
        counters.add(counters.dtmfReceived)
        let ch = Character(digit.description)
        _ = events.push(.dtmf(leg: id, digit: ch, durationMs: ev.durationMilliseconds(clockRate: clockRate)))
    }

    private func noteRTCP(_ packets: [RTCPPacket], now: UInt64) {
        for p in packets {
            switch p {
            case .senderReport(let sr):
                receiverStats.noteSenderReport(sr, arrivalMiddle32: ntpNow().middle32)
                noteBlocks(sr.reports, now: now)
            case .receiverReport(let rr):
                noteBlocks(rr.reports, now: now)
            default:
                break
            }
        }
    }

    private func noteBlocks(_ blocks: [RTCPReportBlock], now: UInt64) {
        for b in blocks where b.ssrc == ssrc {
            counters.remoteLost.store(Int(b.cumulativeLost), ordering: .relaxed)
            counters.remoteJitterTicks.store(Int(b.jitter), ordering: .relaxed)
            if let rtt = b.roundTripSeconds(arrivalMiddle32: ntpNow().middle32) {
                counters.roundTripMicros.store(Int(rtt * 1_000_000), ordering: .relaxed)
            }
        }
    }

    /// Fills `inbound` with this tick's audio (silence when muted or nothing negotiated).
    func pullAudio(now: UInt64) {
        // Mutated in place through the optional: a `var` copy would share the buffer's
        // storage with `jitter`, so every mutation would copy its arrays (an allocation and a
        // memmove per tick — seen in a profile under load).
        // (Even `jitter != nil` copies the whole optional struct here: optional chaining only
        // borrows it.)
        var pulled = false
        inbound.withUnsafeMutableBufferPointer { buffer in
            if jitter?.pull(into: buffer, now: now) != nil { pulled = true }
        }
        guard pulled else { return }
        if muted { inbound.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        ticks &+= 1
        if ticks % 25 == 0, let stats = jitter?.statistics, let target = jitter?.targetDelayMilliseconds,
            let level = jitter?.bufferLevelMilliseconds
        {
            jitterSnapshot.withLockIfAvailable { $0 = stats }
            jitterDelaySnapshot.withLockIfAvailable { $0 = (target, level) }
            counters.lost.store(Int(receiverStats.cumulativeLost), ordering: .relaxed)
            counters.jitterTicks.store(Int(receiverStats.jitter), ordering: .relaxed)
        }
    }

    // MARK: Send

    /// Encodes `outbound` (or a DTMF event, hold music, a playback) and sends one packet.
    func send(now: UInt64, events: SPSCRingBuffer<EngineEvent>) {
        let shared = sharedPayload
        sharedPayload = nil
        guard let media = facts, media.sends, let remote else { return }
        let ticksPerFrame = media.ticksPerFrame
        let ownAudio = onHold || player != nil
        if onHold {
            if let music = holdMusic {
                _ = outbound.withUnsafeMutableBufferPointer { music.read(into: $0) }
            } else {
                outbound.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
        } else if let p = player {
            let finished = outbound.withUnsafeMutableBufferPointer { p.read(into: $0) }
            if finished {
                player = nil
                _ = events.push(.playbackFinished(leg: id, playback: playbackID))
            }
        }
        // RFC 4733 digits replace audio packets while they play: one packet per tick, the event
        // ended after `digitMilliseconds` (three end packets), then a pause before the next.
        if let te = media.telephoneEvent, var enc = dtmfEncoder {
            if !enc.isBusy {
                if digitGapFrames > 0 {
                    digitGapFrames -= 1
                } else if !pendingDigits.isEmpty {
                    let digit = pendingDigits.removeFirst()
                    _ = enc.start(event: digit, timestamp: timestamp)
                    digitFramesLeft = max(2, Self.digitMilliseconds / frameDuration.milliseconds)
                }
            }
            if enc.isBusy {
                if digitFramesLeft > 0 {
                    digitFramesLeft -= 1
                    if digitFramesLeft == 0 { enc.stop() }
                }
                if let pkt = enc.nextPacket() {
                    let ev = pkt.event
                    let header = RTPHeader(marker: pkt.marker, payloadType: te, sequenceNumber: sequence, timestamp: pkt.timestamp, ssrc: ssrc)
                    var body: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &body) { _ = try? ev.write(into: $0) }
                    withUnsafeBytes(of: &body) { transmit(header: header, payload: $0, to: remote) }
                    sequence &+= 1
                }
                if !enc.isBusy { digitGapFrames = max(1, Self.interDigitMilliseconds / frameDuration.milliseconds) }
                dtmfEncoder = enc
                timestamp &+= ticksPerFrame
                return
            }
            dtmfEncoder = enc
        }
        // The bridge's shared payload is what this leg would have encoded from `outbound`
        // (unless hold music or a playback replaced it). Otherwise encoded in place (see
        // `pullAudio`): a copy of a value-type encoder would share its storage and copy it on
        // the first mutation, every packet.
        let payload: UnsafeRawBufferPointer
        if let shared, !ownAudio {
            payload = shared
        } else {
            var encoded: Int?  // nil: no encoder yet; negative: the encoder failed (sent as DTX)
            outbound.withUnsafeBufferPointer { pcm in
                do { encoded = try encoder?.encode(pcm, into: payloadScratch) } catch { encoded = -1 }
            }
            guard let n = encoded else { return }
            payload = UnsafeRawBufferPointer(rebasing: payloadScratch[0..<max(0, n)])
        }
        if payload.count > 0 {
            let header = RTPHeader(marker: marker, payloadType: media.payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc)
            transmit(header: header, payload: payload, to: remote)
            sequence &+= 1
            marker = false
        } else {
            marker = true  // DTX: the next packet after silence starts a talkspurt
        }
        timestamp &+= ticksPerFrame
    }

    private func transmit(header: RTPHeader, payload: UnsafeRawBufferPointer, to remote: SocketAddress) {
        let length = (try? RTPPacket.write(header: header, payload: payload, into: packetScratch)) ?? 0
        guard length > 0 else { return }
        let ok = rtp.send(UnsafeRawBufferPointer(rebasing: packetScratch[0..<length]), to: remote)
        if ok {
            counters.add(counters.packetsOut)
            counters.add(counters.bytesOut, length)
        } else {
            counters.add(counters.sendFailures)
        }
    }

    /// Sends RTCP: a sender report with our report block, or a BYE when `goodbye`.
    func sendRTCP(now: UInt64, goodbye: Bool = false) {
        guard let target = remoteRTCP ?? remote.map({ SocketAddress(ip: $0.ip, port: $0.port &+ 1) }) else { return }
        let ntp = ntpNow()
        var blocks: [RTCPReportBlock] = []
        if let b = receiverStats.makeReportBlock(nowMiddle32: ntp.middle32) { blocks.append(b) }
        var packets: [RTCPPacket] = [
            .senderReport(RTCPSenderReport(
                ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: timestamp,
                packetCount: UInt32(truncatingIfNeeded: counters.packetsOut.load(ordering: .relaxed)),
                octetCount: UInt32(truncatingIfNeeded: counters.bytesOut.load(ordering: .relaxed)), reports: blocks)),
            .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: ssrc, cname: "timbred-\(id)")])),
        ]
        if goodbye { packets.append(.goodbye(RTCPGoodbye(ssrcs: [ssrc], reason: "hang up"))) }
        guard let bytes = try? RTCPCompoundPacket.serialize(packets) else { return }
        if bytes.withUnsafeBytes({ rtcp.send($0, to: target) }) { counters.add(counters.rtcpOut) }
    }
}

/// The wall clock as an NTP timestamp, for RTCP sender reports and LSR/DLSR round trips.
func ntpNow() -> NTPTimestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return NTPTimestamp(secondsSince1900: Double(ts.tv_sec) + Double(NTPTimestamp.unixEpochOffset) + Double(ts.tv_nsec) / 1e9)
}
