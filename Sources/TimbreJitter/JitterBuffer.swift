public import TimbreCodecs
import TimbreCore

/// An adaptive jitter buffer for one incoming audio stream, in the manner of WebRTC NetEq.
///
/// Packets go in with `insert` as they arrive; the playout clock calls `pull` every 10 or 20 ms.
/// Inside: a bounded `PacketBuffer`, a `TargetDelayEstimator` following the network's delay
/// variation, a decision per decoded packet (normal, accelerate, preemptive expand, merge) and
/// for missing audio (conceal, comfort noise, in-band FEC), and the executors: `TimeStretcher`
/// (WSOLA), `Concealer` (G.711 Appendix I style) or the decoder's own PLC, `ComfortNoise`.
///
/// Timing policy: when nothing is buffered the buffer conceals *without* advancing its playout
/// position, so packets that were only late (a Wi-Fi stall, a 4G handover) are still played and
/// the delay grows; accelerate then wins it back. (A single late packet whose successor is already
/// in time is skipped instead, so one late packet does not raise the delay; see `catchUp`.) When
/// later packets are waiting but the next one is missing, it conceals for as long as the gap lasts
/// and moves on, declaring the packet lost; a packet arriving after its slot was passed is
/// discarded as late.
///
/// Delay policy (adaptive mode): the playout delay is steered directly, as the time between a
/// packet's earliest possible arrival and the pull that decodes it (`delayExcessMilliseconds`),
/// against the estimator's jitter quantile, and changed only in pauses.
///
/// Real-time contract: every buffer is allocated in `init`. `insert` and `pull` allocate nothing,
/// take no lock and make no system call; the decoder is called once per packet through
/// `any AudioDecoder`. Call both from the media thread only.
public struct JitterBuffer {
    /// What produced the samples of a pull.
    public enum Activity: Hashable, Sendable {
        /// Playout has not begun (nothing received yet, or initial buffering): silence.
        case notStarted
        case normal
        case accelerated
        case preemptiveExpanded
        case concealed
        case merged
        case comfortNoise
        case fecRecovered
    }

    public struct PullResult: Hashable, Sendable {
        /// The last playout action taken to fill this pull.
        public var activity: Activity
        /// Extended RTP timestamp of the first sample when it is decoded audio, else nil.
        public var timestamp: Int64?

        public init(activity: Activity, timestamp: Int64?) {
            self.activity = activity
            self.timestamp = timestamp
        }
    }

    /// What `insert` did with a packet.
    public enum InsertResult: Hashable, Sendable {
        case stored
        case duplicate
        /// Arrived after its playout slot had passed.
        case late
        /// Payload larger than `maximumPayloadBytes`, or the buffer was full of newer packets.
        case rejected
        /// Stored as the first packet of a restarted stream (new SSRC or timestamp jump).
        case resynchronised
        /// Far from the stream's timeline; held as a candidate until a second packet confirms a jump.
        case suspect
    }

    public let configuration: JitterBufferConfiguration
    public private(set) var statistics = JitterBufferStatistics()
    private var decoder: any AudioDecoder
    private var packets: PacketBuffer
    private var estimator = TargetDelayEstimator()
    private var stretcher: TimeStretcher
    private var concealer: Concealer
    private var noise = ComfortNoise()
    private var sync: SyncBuffer
    private var decodeScratch: [Int16]
    private var stretchScratch: [Int16]
    private var fillScratch: [Int16]
    private var recentSequences: [Int64]

    let outputSamples: Int
    let packetTicks: Int
    // Stream state.
    private var ssrc: UInt32?
    private var started = false
    /// Extended RTP timestamp of the next audio to decode.
    private var nextTimestamp: Int64 = 0
    /// Extended sequence number of the last packet decoded.
    private var lastSequence: Int64 = 0
    private var haveLastSequence = false
    private var highestSequence: Int64 = 0
    private var baseSequence: Int64 = 0
    private var sessionReceived = 0
    private var lostInEarlierSessions = 0
    private var referenceTimestamp: Int64 = 0
    /// RTP ticks of audio synthesised since the last packet decoded.
    private var coveredTicks: Int64 = 0
    private var inDTX = false
    private var lastTransit: Double?
    private var suspectTransit: Double?
    private var filteredLevel: Double = 0
    /// Consecutive decoded frames below the stretcher's quiet level: the delay changes only once
    /// a pause has lasted `pauseFramesBeforeStretching` frames.
    private var quietRun = 0
    private var lastOutputConcealed = false
    /// The underrun hold ran out while this stretch was being concealed (a stall, not one late
    /// packet): the packet that ends it is played late rather than skipped.
    private var stalled = false
    /// Share of decoded packets that followed a sequence gap (exponentially weighted).
    private var gapRate = 0.0
    private var keepingForFEC = false
    /// Time of the pull in progress, nanoseconds.
    private var now: UInt64 = 0

    /// Quiet decoded frames in a row, beyond which the delay may change (the fifth quiet frame
    /// in a row, 100 ms into a pause at 20 ms packets, is the first that may be stretched).
    static let pauseFramesBeforeStretching = 4
    /// How far above the upper level limit (ms) voiced speech is accelerated too.
    static let voicedAccelerateExcessMilliseconds = 200.0
    /// Before the estimator has seen the network, playout starts this long after the first
    /// packet's arrival would allow.
    static let initialJitterMilliseconds = 20.0
    /// Slack beyond the jitter to absorb that is kept before a whole pull period is given up, so
    /// the delay does not go down and up again as the estimate wavers around a period boundary.
    static let slackHysteresisMilliseconds = 5.0
    /// Gap rate (per packet) above which an FEC decoder's buffer keeps one more packet (and
    /// below half of which it stops).
    static let gapRateForFEC = 0.02
    /// Forgetting of the gap rate per decoded packet (a memory of about 500 packets, 10 s).
    static let gapRateForgetting = 0.998

    /// - Parameters:
    ///   - decoder: decodes this stream's payloads; owned by the buffer from now on.
    public init(configuration: JitterBufferConfiguration, decoder: any AudioDecoder) {
        self.configuration = configuration
        self.decoder = decoder
        let rate = configuration.sampleRate.hertz
        outputSamples = configuration.outputDuration.samples(at: configuration.sampleRate)
        packetTicks = configuration.rtpClockRate * configuration.packetDuration.milliseconds / 1000
        packets = PacketBuffer(
            capacity: max(1, configuration.capacityPackets),
            maximumPayloadBytes: max(1, configuration.maximumPayloadBytes))
        stretcher = TimeStretcher(sampleRate: rate)
        concealer = Concealer(sampleRate: rate)
        let maxDecoded = max(decoder.maximumFrameSamples, configuration.packetDuration.samples(at: configuration.sampleRate))
        decodeScratch = Array(repeating: 0, count: maxDecoded)
        stretchScratch = Array(repeating: 0, count: maxDecoded + stretcher.maximumLag + 1)
        fillScratch = Array(repeating: 0, count: outputSamples)
        sync = SyncBuffer(capacity: maxDecoded + stretcher.maximumLag + 3 * outputSamples)
        recentSequences = Array(repeating: Int64.min, count: 1024)
    }

    // MARK: Derived quantities

    /// The delay the buffer currently aims for, in milliseconds.
    public var targetDelayMilliseconds: Double {
        switch configuration.mode {
        case .fixed(let ms):
            return Double(ms)
        case .adaptive(let low, let high):
            let packetMs = Double(configuration.packetDuration.milliseconds)
            let t = estimator.jitterMilliseconds + packetMs
            return min(Double(high), max(Double(low), t))
        }
    }

    /// Audio buffered ahead of the playout point (packets not yet decoded plus decoded samples),
    /// in milliseconds.
    public var bufferLevelMilliseconds: Double {
        var ticks: Int64 = 0
        if let latest = packets.latestTimestamp(), started {
            ticks = max(0, latest + Int64(packetTicks) - nextTimestamp)
        } else if let latest = packets.latestTimestamp(), let first = packets.earliest() {
            ticks = latest + Int64(packetTicks) - packets.slots[first].timestamp
        }
        return ticksToMilliseconds(ticks) + samplesToMilliseconds(sync.count)
    }

    /// Packets waiting in the buffer.
    public var bufferedPackets: Int { packets.count }

    /// Decoded samples waiting to be pulled.
    public var pendingSamples: Int { sync.count }

    @inline(__always)
    func ticksToMilliseconds(_ ticks: Int64) -> Double { Double(ticks) * 1000 / Double(configuration.rtpClockRate) }
    @inline(__always)
    func samplesToMilliseconds(_ n: Int) -> Double { Double(n) * 1000 / Double(configuration.sampleRate.hertz) }
    @inline(__always)
    func samplesToTicks(_ n: Int) -> Int64 {
        Int64(n) * Int64(configuration.rtpClockRate) / Int64(configuration.sampleRate.hertz)
    }

    // MARK: Insert

    /// Takes a packet that arrived at `arrivalTime` (nanoseconds on the receiver's clock).
    /// The payload is copied; allocation-free.
    @discardableResult
    public mutating func insert(_ packet: JitterPacket, arrivalTime: UInt64) -> InsertResult {
        packet.payload.withUnsafeBytes {
            insert(
                sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker,
                payloadType: packet.payloadType, ssrc: packet.ssrc, payload: $0, arrivalTime: arrivalTime)
        }
    }

    /// The allocation-free form of `insert(_:arrivalTime:)`, for a payload still in the receive
    /// buffer.
    @discardableResult
    public mutating func insert(
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, payloadType: UInt8, ssrc: UInt32,
        payload: UnsafeRawBufferPointer, arrivalTime: UInt64
    ) -> InsertResult {
        var restarted = false
        if self.ssrc != ssrc {
            if self.ssrc != nil { resynchronise() }
            self.ssrc = ssrc
            startSession(sequenceNumber: sequenceNumber, timestamp: timestamp)
            restarted = self.statistics.resynchronisations > 0 && started
        }
        let ts = WrapAround.unwrap(timestamp, near: referenceTimestamp)
        let seq = WrapAround.unwrap(sequenceNumber, near: highestSequence)
        let arrivalMs = Double(arrivalTime) / 1_000_000
        let transit = arrivalMs - ticksToMilliseconds(ts)

        // Timestamp jump: two packets in a row far off the timeline, agreeing with each other.
        if let last = lastTransit, abs(transit - last) > Double(configuration.resyncThresholdMilliseconds) {
            if let suspect = suspectTransit, abs(transit - suspect) < 200 {
                resynchronise()
                startSession(sequenceNumber: sequenceNumber, timestamp: timestamp)
                suspectTransit = nil
                return insert(
                    sequenceNumber: sequenceNumber, timestamp: timestamp, marker: marker,
                    payloadType: payloadType, ssrc: ssrc, payload: payload, arrivalTime: arrivalTime) == .rejected
                    ? .rejected : .resynchronised
            }
            suspectTransit = transit
            statistics.packetsDiscarded += 1
            return .suspect
        }
        suspectTransit = nil

        let slot = Int(UInt64(bitPattern: seq) & UInt64(recentSequences.count - 1))
        if recentSequences[slot] == seq {
            statistics.packetsDuplicated += 1
            return .duplicate
        }
        recentSequences[slot] = seq
        statistics.packetsReceived += 1
        sessionReceived += 1
        if seq > highestSequence { highestSequence = seq }
        if seq < baseSequence { baseSequence = seq }
        if ts > referenceTimestamp { referenceTimestamp = ts }
        lastTransit = transit
        estimator.update(transitMilliseconds: transit)

        if started && ts < nextTimestamp {
            statistics.packetsDiscarded += 1
            return .late
        }
        switch packets.insert(
            timestamp: ts, sequence: seq, marker: marker, payloadType: payloadType, payload: payload,
            arrival: arrivalTime)
        {
        case .stored: return restarted ? .resynchronised : .stored
        case .storedEvicting:
            statistics.packetsDiscarded += 1
            return .stored
        case .duplicate:
            statistics.packetsDuplicated += 1
            statistics.packetsReceived -= 1
            sessionReceived -= 1
            return .duplicate
        case .rejected:
            statistics.packetsDiscarded += 1
            return .rejected
        }
    }

    private mutating func startSession(sequenceNumber: UInt16, timestamp: UInt32) {
        let seq = Int64(sequenceNumber)
        highestSequence = seq
        baseSequence = seq
        sessionReceived = 0
        referenceTimestamp = Int64(timestamp)
        lastTransit = nil
        haveLastSequence = false
        for i in recentSequences.indices { recentSequences[i] = Int64.min }
        if started {
            // Play the new stream from its first packet; what is already decoded plays out first.
            nextTimestamp = referenceTimestamp
            coveredTicks = 0
        }
    }

    /// Drops the old stream's packets and decoder state; the sync buffer plays out.
    private mutating func resynchronise() {
        lostInEarlierSessions += sessionLost
        statistics.resynchronisations += 1
        estimator.restartTimeline()
        packets.removeAll()
        decoder.reset()
        concealer.end()
        inDTX = false
    }

    private var sessionLost: Int {
        sessionReceived == 0 ? 0 : max(0, Int(highestSequence - baseSequence + 1) - sessionReceived)
    }

    private mutating func updateLost() {
        statistics.packetsLost = lostInEarlierSessions + sessionLost
    }

    // MARK: Playout (called by `pull`)

    var hasStarted: Bool { started }
    var syncCount: Int { sync.count }
    mutating func setNow(_ t: UInt64) { now = t }

    /// Tracks the buffer level once per pull in fixed mode (a one-pole filter, time constant ≈ 10
    /// pulls), so that starving shows up even when no packet is there to decode. Adaptive mode
    /// steers the playout delay instead (`delayExcess`) and skips this.
    mutating func updateFilteredLevel() {
        guard case .fixed = configuration.mode else { return }
        filteredLevel = 0.9 * filteredLevel + 0.1 * bufferLevelMilliseconds
    }

    /// Initial buffering. Fixed mode starts once the buffered span reaches the target; adaptive
    /// mode once the earliest packet has waited long enough that packets delayed by the jitter
    /// the estimator expects (at least `initialJitterMilliseconds` before it has seen much) are
    /// still in time.
    func shouldStart() -> Bool {
        guard let first = packets.earliest() else { return false }
        if case .adaptive = configuration.mode {
            let wanted = max(jitterToAbsorbMilliseconds, Self.initialJitterMilliseconds)
            return slackMilliseconds(timestamp: packets.slots[first].timestamp) + 0.001 >= wanted
                || bufferLevelMilliseconds > wanted + Double(configuration.packetDuration.milliseconds)
        }
        return bufferLevelMilliseconds + 0.001 >= min(targetDelayMilliseconds, Double(configuration.capacityPackets) * ticksToMilliseconds(Int64(packetTicks)))
    }

    /// How long after the earliest possible arrival (its send time plus the network's base
    /// delay) the audio at `timestamp` is being decoded, in milliseconds: any packet whose
    /// relative delay is below this arrives in time.
    func slackMilliseconds(timestamp: Int64) -> Double {
        Double(now) / 1e6 - ticksToMilliseconds(timestamp) - estimator.minimumTransitMilliseconds
    }

    /// The relative delay the playout must absorb (the target less the packet being played).
    var jitterToAbsorbMilliseconds: Double {
        let jitter = targetDelayMilliseconds - Double(configuration.packetDuration.milliseconds)
        return jitter + (keepsPacketForFEC ? Double(configuration.packetDuration.milliseconds) : 0)
    }

    /// With in-band FEC (Opus), the packet after a gap carries the gap's last frame, but only if
    /// it is already here when that frame is due. When gaps are frequent, adaptive mode keeps one
    /// more packet so that it is: one frame recovered per gap is worth a packet of delay then,
    /// and not when gaps are rare (an outage, isolated Wi-Fi loss). Hysteresis keeps a rate near
    /// the limit from moving the delay up and down.
    var keepsPacketForFEC: Bool {
        guard case .adaptive = configuration.mode, decoderHasFEC else { return false }
        return keepingForFEC
    }

    /// Counts a sequence gap met at playout (recovered or not) in the gap rate, per decoded packet.
    mutating func recordGap(_ gap: Bool) {
        gapRate = Self.gapRateForgetting * gapRate + (1 - Self.gapRateForgetting) * (gap ? 1 : 0)
        if gapRate > Self.gapRateForFEC { keepingForFEC = true }
        if gapRate < Self.gapRateForFEC / 2 { keepingForFEC = false }
    }

    /// Adaptive mode's time-scale decision for the packet at `timestamp`, decoded now with
    /// `sync.count` samples still ahead of it: positive, the milliseconds the playout delay can
    /// lose without a packet of the expected jitter turning up late; negative, how far the next
    /// decode must move later (a whole pull, less the samples already waiting).
    ///
    /// Pulls take whole output frames, so a packet is decoded at the first pull that needs it;
    /// what decides lateness is how long after the earliest arrival that pull comes (the slack),
    /// which moves only in whole pull periods. The samples still waiting when it is decoded
    /// delay it further and protect nothing: they are the first to go. Shortening by more than
    /// them moves every later decode one pull earlier, which is only safe with a whole period
    /// of slack to spare. A level-based band cannot see this and sits, on average, half a pull
    /// above the delay it needs.
    func delayExcessMilliseconds(timestamp: Int64) -> Double {
        let spare = slackMilliseconds(timestamp: timestamp) - jitterToAbsorbMilliseconds
        let period = Double(configuration.outputDuration.milliseconds)
        let waiting = samplesToMilliseconds(sync.count)
        if spare < 0 { return -max(0, period - waiting) }
        let steps = spare > Self.slackHysteresisMilliseconds
            ? ((spare - Self.slackHysteresisMilliseconds) / period).rounded(.down) : 0
        return waiting + steps * period
    }

    mutating func beginPlayout() {
        started = true
        if let first = packets.earliest() {
            nextTimestamp = packets.slots[first].timestamp
            filteredLevel = bufferLevelMilliseconds
        }
    }

    /// One playout decision and its execution: appends at least one sample to the sync buffer.
    mutating func produce() -> Activity {
        if let index = packets.index(timestamp: nextTimestamp) {
            if coveredTicks > 0 && !inDTX && !stalled, let caughtUp = catchUp() { return caughtUp }
            return decode(index)
        }
        guard let earliest = packets.earliest() else {
            let activity = fill()
            // Hold the playout position only so long; then let time run on.
            let hold = Int64(configuration.maximumUnderrunHoldMilliseconds) * Int64(configuration.rtpClockRate) / 1000
            if !inDTX && coveredTicks > hold {
                stalled = true
                nextTimestamp += coveredTicks - hold
                coveredTicks = hold
            }
            return activity
        }
        let slot = packets.slots[earliest]
        let gap = slot.timestamp - nextTimestamp
        let contiguous = haveLastSequence && slot.sequence == lastSequence + 1
        if contiguous {
            // A timestamp gap without a sequence gap: silence (DTX or VAD) by design, not loss.
            // Start the next talkspurt when its time has come, or as soon as enough is buffered.
            if coveredTicks >= gap || bufferLevelMilliseconds - ticksToMilliseconds(gap - coveredTicks) >= targetDelayMilliseconds {
                nextTimestamp = slot.timestamp
                return decode(earliest)
            }
            return fill()
        }
        let maxDelay: Double
        switch configuration.mode {
        case .fixed(let ms): maxDelay = Double(ms) * 2 + 100
        case .adaptive(_, let high): maxDelay = Double(high)
        }
        if coveredTicks >= gap || bufferLevelMilliseconds > maxDelay {
            // The gap is covered: the missing packets are lost. Move on to what we have.
            nextTimestamp = slot.timestamp
            return decode(earliest)
        }
        if coveredTicks == 0, gap == Int64(packetTicks), decoderHasFEC {
            if let recovered = recoverFromFEC(next: earliest) { return recovered }
        }
        return fill()
    }

    /// A packet that came after concealment had begun in its slot (the position was held for
    /// it) is skipped when the packet due at the unheld position is already here as well and
    /// the hold did not run out: the network has caught up, so only this one packet was late.
    /// Playing it would add a pull of delay to everything after it for the same concealment
    /// (and keep it until the next pause); skipping keeps the timing, as if it were lost. After
    /// a stall (the hold ran out) the packet is played and the delay grows, which saves the
    /// packets of the next stall.
    mutating func catchUp() -> Activity? {
        let position = nextTimestamp + coveredTicks
        guard let due = packets.index(timestamp: position) else { return nil }
        let skipped = packets.discard(olderThan: position)
        statistics.packetsDiscarded += skipped
        nextTimestamp = position
        return decode(due)
    }

    var decoderHasFEC: Bool { decoder.hasBuiltInConcealment }

    /// Decodes the packet in `index`, merging after concealment and time-stretching as the level
    /// asks, and appends the result.
    mutating func decode(_ index: Int) -> Activity {
        let slot = packets.slots[index]
        let payload = packets.payload(at: index)
        let isCN = configuration.comfortNoisePayloadType.map { $0 == slot.payloadType } ?? false
        var activity = Activity.normal
        if isCN {
            noise.setLevel(payload: payload)
            inDTX = true
            packets.remove(at: index)
            lastSequence = slot.sequence
            haveLastSequence = true
            nextTimestamp = slot.timestamp + Int64(packetTicks)
            coveredTicks = 0
            concealer.end()
            return fill()
        }
        var decoded = 0
        var failed = false
        decodeScratch.withUnsafeMutableBufferPointer { scratch in
            do {
                decoded = try decoder.decode(payload, into: scratch)
            } catch {
                failed = true
            }
        }
        packets.remove(at: index)
        recordGap(haveLastSequence && slot.sequence > lastSequence + 1)
        lastSequence = slot.sequence
        haveLastSequence = true
        if failed || decoded <= 0 {
            // Undecodable: treat as lost and conceal its span.
            statistics.packetsDiscarded += 1
            nextTimestamp = slot.timestamp + Int64(packetTicks)
            return fill()
        }
        // Opus DTX frames (1–2 bytes) decode to the codec's own comfort noise.
        inDTX = decoder.hasBuiltInConcealment && payload.count <= 2
        if concealer.active {
            decodeScratch.withUnsafeMutableBufferPointer { scratch in
                concealer.merge(into: UnsafeMutableBufferPointer(rebasing: scratch[0..<decoded]))
            }
            activity = .merged
        }
        let ticks = samplesToTicks(decoded)
        // Time-scale decision: how far the delay is above (or below) what the jitter needs.
        // Fixed mode compares the filtered buffer level with asymmetric limits (starving costs
        // concealment, a little extra delay costs little); adaptive mode steers the delay itself.
        var accelerateBy = 0
        var expandBy = 0
        var excessive = false
        switch configuration.mode {
        case .fixed:
            let target = targetDelayMilliseconds
            let high = max(target + 20, target * 1.25)
            excessive = filteredLevel > high + Self.voicedAccelerateExcessMilliseconds
            if filteredLevel > high { accelerateBy = .max } else if filteredLevel < target { expandBy = .max }
        case .adaptive:
            let excess = delayExcessMilliseconds(timestamp: slot.timestamp)
            let rate = Double(configuration.sampleRate.hertz) / 1000
            excessive = excess > Self.voicedAccelerateExcessMilliseconds
            if excess > 0 { accelerateBy = Int(excess * rate) } else if excess < 0 { expandBy = Int((-excess * rate).rounded(.up)) }
        }
        let frameEnergy = decodeScratch.withUnsafeBufferPointer { PitchSearch.energy($0, start: 0, length: decoded) }
        quietRun = frameEnergy < stretcher.quietEnergy ? quietRun + 1 : 0
        // The delay moves only in a pause that has lasted a while (between phrases), where a
        // changed duration goes unheard and the timing inside speech stays as it was sent; voiced
        // speech is accelerated only when the excess is extreme (a long stall played out late, or
        // clock drift on audio with no pauses). Starving is left to concealment.
        var written = decoded
        var stretched = false
        if activity == .normal && (quietRun > Self.pauseFramesBeforeStretching || excessive) {
            stretched = decodeScratch.withUnsafeBufferPointer { src in
                stretchScratch.withUnsafeMutableBufferPointer { dst in
                    let input = UnsafeBufferPointer(rebasing: src[0..<decoded])
                    if accelerateBy > 0 {
                        written = stretcher.accelerate(input, into: dst, allowVoiced: excessive, limit: accelerateBy)
                    } else if expandBy > 0 {
                        written = stretcher.expand(input, into: dst, allowVoiced: false, limit: expandBy)
                    }
                    return written != decoded
                }
            }
        }
        if stretched {
            if written < decoded {
                statistics.removedSamplesForAcceleration += decoded - written
                activity = .accelerated
            } else {
                statistics.insertedSamplesForDeceleration += written - decoded
                activity = .preemptiveExpanded
            }
            filteredLevel += samplesToMilliseconds(written - decoded)
            append(stretchScratch, count: written, kind: .decoded, timestamp: slot.timestamp, ticks: ticks, arrival: slot.arrival)
        } else {
            append(decodeScratch, count: decoded, kind: .decoded, timestamp: slot.timestamp, ticks: ticks, arrival: slot.arrival)
        }
        nextTimestamp = slot.timestamp + ticks
        coveredTicks = 0
        stalled = false
        updateLost()
        return activity
    }

    /// Recovers the missing packet from in-band FEC in the packet after it (Opus).
    mutating func recoverFromFEC(next index: Int) -> Activity? {
        let payload = packets.payload(at: index)
        let samples = configuration.packetDuration.samples(at: configuration.sampleRate)
        var recovered = 0
        decodeScratch.withUnsafeMutableBufferPointer { scratch in
            recovered = (try? decoder.decodeRedundancy(from: payload, samples: samples, into: scratch)) ?? 0
        }
        guard recovered > 0 else { return nil }
        statistics.fecRecoveredSamples += recovered
        let ticks = samplesToTicks(recovered)
        append(decodeScratch, count: recovered, kind: .decoded, timestamp: nextTimestamp, ticks: ticks, arrival: packets.slots[index].arrival)
        nextTimestamp += ticks
        lastSequence += 1
        recordGap(true)
        coveredTicks = 0
        updateLost()
        return .fecRecovered
    }

    /// Synthesises one output frame for missing audio: comfort noise in DTX, else concealment
    /// (the decoder's PLC when it has one).
    mutating func fill() -> Activity {
        let n = outputSamples

        if inDTX {
            fillScratch.withUnsafeMutableBufferPointer { noise.generate(into: $0) }
            if decoder.hasBuiltInConcealment {
                fillScratch.withUnsafeMutableBufferPointer { buf in
                    _ = try? decoder.conceal(samples: n, into: buf)
                }
            }
            append(fillScratch, count: n, kind: .comfortNoise)
            coveredTicks += samplesToTicks(n)
            return .comfortNoise
        }
        var produced = 0
        if decoder.hasBuiltInConcealment {
            fillScratch.withUnsafeMutableBufferPointer { buf in
                produced = (try? decoder.conceal(samples: n, into: buf)) ?? 0
            }
        }
        if produced <= 0 {
            fillScratch.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
            produced = n
        }
        append(fillScratch, count: min(produced, n), kind: .concealed)
        coveredTicks += samplesToTicks(min(produced, n))
        return .concealed
    }

    /// Appends to the sync buffer and to the concealment history.
    mutating func append(
        _ source: [Int16], count: Int, kind: SyncBuffer.Kind, timestamp: Int64 = 0, ticks: Int64 = 0,
        arrival: UInt64 = 0
    ) {
        let n = min(count, sync.free)
        source.withUnsafeBufferPointer { src in
            let part = UnsafeBufferPointer(rebasing: src[0..<n])
            sync.append(part, kind: kind, timestamp: timestamp, ticks: Int(ticks), arrival: arrival)
            if kind != .concealed { concealer.record(part) }
        }
    }

    /// Moves one output frame out of the sync buffer and does the per-sample accounting.
    mutating func consume(into out: UnsafeMutableBufferPointer<Int16>, activity: Activity) -> PullResult {
        guard sync.count >= out.count else {
            out.update(repeating: 0)
            return PullResult(activity: activity, timestamp: nil)
        }
        let target = targetDelayMilliseconds / 1000
        let time = now
        var stats = statistics
        var concealedBefore = lastOutputConcealed
        let timestamp = sync.consume(into: out) { segment, taken in
            stats.totalSamplesReceived += taken
            switch segment.kind {
            case .concealed:
                stats.concealedSamples += taken
                if !concealedBefore { stats.concealmentEvents += 1 }
                concealedBefore = true
            case .comfortNoise:
                stats.comfortNoiseSamples += taken
                concealedBefore = false
            case .decoded:
                let waited = time > segment.arrival ? Double(time - segment.arrival) / 1e9 : 0
                stats.jitterBufferDelay += waited * Double(taken)
                stats.jitterBufferEmittedCount += taken
                stats.jitterBufferTargetDelay += target * Double(taken)
                concealedBefore = false
            }
        }
        statistics = stats
        lastOutputConcealed = concealedBefore
        return PullResult(activity: activity, timestamp: timestamp)
    }
}
