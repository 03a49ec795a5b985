/// Per-source receive state of RFC 3550 appendix A: source validation with probation (A.1),
/// loss accounting for reception reports (A.3) and interarrival jitter (A.8).
///
/// One value per remote SSRC; call `receive` for every RTP packet that parsed. A value type with
/// no allocation, so it may live on the media thread.
public struct RTPReceiverStatistics: Hashable, Sendable {
    /// What `receive` decided about a packet.
    public enum Outcome: Hashable, Sendable {
        /// Valid and counted.
        case accepted
        /// Counted, after a restart: the sender jumped and two packets confirmed the new sequence.
        case restarted
        /// The source is not yet validated (fewer than `minimumSequential` packets in a row).
        case probation
        /// A large jump in sequence: dropped, but if the next packet follows it the source
        /// restarts (A.1, the sender may have restarted).
        case rejectedJump
        /// First packet from a new SSRC: state was reset and probation began.
        case newSource
    }

    /// RFC 3550 A.1 constants.
    public static let maximumDropout = 3000
    public static let maximumMisorder = 100
    private static let sequenceModulo = 1 << 16

    /// Sequential packets needed before a source is valid (RFC 3550 suggests 2).
    public let minimumSequential: Int

    public private(set) var ssrc: UInt32?
    private var maxSeq: UInt16 = 0
    private var cycles: UInt32 = 0
    private var baseSeq: UInt32 = 0
    private var badSeq: Int = 1 << 16 + 1
    private var probation: Int = 0
    /// Packets counted as received (valid, including duplicates, per A.3).
    public private(set) var received: UInt64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: UInt64 = 0
    private var lastTransit: UInt32 = 0
    private var hasTransit = false
    /// Jitter estimate scaled by 16 (A.8 integer form).
    private var jitterQ4: UInt32 = 0
    private var lastSR: UInt32 = 0
    private var lastSRArrival: UInt32 = 0

    public init(minimumSequential: Int = 2) {
        precondition(minimumSequential >= 1)
        self.minimumSequential = minimumSequential
    }

    /// Whether the source has passed probation.
    public var isValid: Bool { ssrc != nil && probation == 0 }

    /// Extended highest sequence number received (cycles · 2^16 + highest).
    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maxSeq) }

    /// Packets expected: extended highest − base + 1 (A.3).
    public var expected: Int64 { isValid ? Int64(extendedHighestSequence) - Int64(baseSeq) + 1 : 0 }

    /// Cumulative packets lost (expected − received), clamped to the 24-bit signed range reports
    /// carry. Negative when duplicates arrived.
    public var cumulativeLost: Int32 {
        let lost = expected - Int64(received)
        return Int32(min(max(lost, -0x80_0000), 0x7F_FFFF))
    }

    /// Interarrival jitter in RTP timestamp units (A.8, the value a report block carries).
    public var jitter: UInt32 { jitterQ4 >> 4 }

    private mutating func initSequence(_ seq: UInt16) {
        baseSeq = UInt32(seq)
        maxSeq = seq
        badSeq = Self.sequenceModulo + 1
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
    }

    /// Processes one RTP packet.
    ///
    /// - Parameters:
    ///   - arrival: the arrival time in the same clock units as the RTP timestamps (ticks of the
    ///     payload's clock rate, from any origin; wraps modulo 2^32).
    public mutating func receive(ssrc packetSSRC: UInt32, sequenceNumber seq: UInt16, timestamp: UInt32, arrival: UInt32) -> Outcome {
        if ssrc != packetSSRC {
            // A.1: a new source starts in probation, with max_seq one behind its first packet.
            ssrc = packetSSRC
            initSequence(seq)
            maxSeq = seq &- 1
            probation = minimumSequential
            hasTransit = false
            jitterQ4 = 0
            lastSR = 0
            lastSRArrival = 0
            let o = updateSequence(seq)
            if o == .accepted { updateJitter(timestamp: timestamp, arrival: arrival) }
            return o == .accepted ? .accepted : .newSource
        }
        let o = updateSequence(seq)
        if o == .accepted || o == .restarted {
            updateJitter(timestamp: timestamp, arrival: arrival)
        }
        return o
    }

    /// RFC 3550 A.1 `update_seq`.
    private mutating func updateSequence(_ seq: UInt16) -> Outcome {
        let udelta = Int(seq &- maxSeq)
        if probation > 0 {
            if seq == maxSeq &+ 1 {
                probation -= 1
                maxSeq = seq
                if probation == 0 {
                    initSequence(seq)
                    received += 1
                    return .accepted
                }
            } else {
                probation = minimumSequential - 1
                maxSeq = seq
            }
            return .probation
        } else if udelta < Self.maximumDropout {
            if seq < maxSeq { cycles &+= UInt32(Self.sequenceModulo) }  // wrapped
            maxSeq = seq
        } else if udelta <= Self.sequenceModulo - Self.maximumMisorder {
            if Int(seq) == badSeq {
                // Two sequential packets after a jump: assume the sender restarted.
                initSequence(seq)
                received += 1
                hasTransit = false
                return .restarted
            }
            badSeq = (Int(seq) + 1) & (Self.sequenceModulo - 1)
            return .rejectedJump
        } else {
            // Duplicate or reordered packet: counted, does not move max_seq.
        }
        received += 1
        return .accepted
    }

    /// RFC 3550 A.8 interarrival jitter, integer form (J scaled by 16).
    private mutating func updateJitter(timestamp: UInt32, arrival: UInt32) {
        let transit = arrival &- timestamp
        if hasTransit {
            let d = Int32(bitPattern: transit &- lastTransit).magnitude
            // J += (|D| − J) / 16, as jitter_q4 += d − ((jitter_q4 + 8) >> 4)
            jitterQ4 = jitterQ4 &+ d &- ((jitterQ4 &+ 8) >> 4)
        }
        lastTransit = transit
        hasTransit = true
    }

    /// Records an SR from this source for LSR/DLSR: the middle 32 bits of its NTP timestamp and
    /// of our clock when it arrived.
    public mutating func noteSenderReport(_ sr: RTCPSenderReport, arrivalMiddle32: UInt32) {
        guard sr.ssrc == ssrc else { return }
        lastSR = sr.ntpTimestamp.middle32
        lastSRArrival = arrivalMiddle32
    }

    /// Builds the reception report block for this source and starts a new reporting interval
    /// (fraction lost covers packets since the previous call, A.3).
    ///
    /// - Parameter nowMiddle32: our NTP clock's middle 32 bits, for DLSR.
    public mutating func makeReportBlock(nowMiddle32: UInt32) -> RTCPReportBlock? {
        guard let ssrc, isValid else { return nil }
        let expectedNow = expected
        let expectedInterval = expectedNow - expectedPrior
        expectedPrior = expectedNow
        let receivedInterval = Int64(received) - Int64(receivedPrior)
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 =
            (expectedInterval == 0 || lostInterval <= 0) ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulativeLost,
            extendedHighestSequence: extendedHighestSequence, jitter: jitter, lastSenderReport: lastSR,
            delaySinceLastSenderReport: lastSR == 0 ? 0 : nowMiddle32 &- lastSRArrival)
    }
}
