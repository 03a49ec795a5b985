#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Network conditions `timbre netsim generate` can model, each a seeded random process over
/// 20 ms packets. Times are milliseconds; every model keeps arrival ≥ send.
public enum NetworkModel: String, CaseIterable, Sendable {
    /// Wired LAN: 1–3 ms, no loss.
    case lan
    /// Wi-Fi: exponential queueing jitter (mean 8 ms) with occasional 40–150 ms stalls that
    /// release packets in a burst, 0.5 % loss.
    case wifi
    /// Cellular with a handover every 8–12 s: 250–600 ms stall, packets queued then delivered in
    /// a burst, 40 ms base delay.
    case handover4g = "4g-handover"
    /// Gilbert–Elliott bursty loss (mean burst ≈ 3 packets, ≈ 6 % loss overall).
    case burstyLoss = "bursty-loss"
    /// 6 % of packets delayed an extra 25–70 ms, so they arrive after their successors.
    case reorder
    /// Two outages of 0.5–1.5 s where every packet is lost.
    case outage
    /// Sender clock fast by 200 ppm against the trace time base (it sends 20 ms of audio every
    /// 19.996 ms), with Wi-Fi-like jitter.
    case drift

    /// Generates `seconds` of 20 ms packets.
    public func trace(seconds: Int, seed: UInt64) -> NetworkTrace {
        var rng = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: rawValue.hashValueStable))
        let count = max(1, seconds * 50)
        var entries: [NetworkTrace.Entry] = []
        entries.reserveCapacity(count)
        var lastArrival = 0.0
        var stallEnd = -1.0
        var nextEvent = 2000 + rng.uniform(0, 3000)
        var badState = false
        var outages: [(Double, Double)] = []
        if self == .outage {
            let total = Double(count) * 20
            let first = total * rng.uniform(0.2, 0.35)
            let second = total * rng.uniform(0.6, 0.75)
            outages = [(first, first + rng.uniform(500, 1500)), (second, second + rng.uniform(500, 1500))]
        }
        for seq in 0..<count {
            var send = Double(seq) * 20
            if self == .drift { send = Double(seq) * 20 * (1 - 200e-6) }
            var arrival: Double? = nil
            var fifo = true
            switch self {
            case .lan:
                arrival = send + 1 + rng.uniform(0, 2)
            case .wifi, .drift:
                if send >= nextEvent {
                    stallEnd = send + rng.uniform(40, 150)
                    nextEvent = send + rng.uniform(2000, 6000)
                }
                var a = send + 3 + rng.exponential(mean: 8)
                if send < stallEnd { a = max(a, stallEnd + rng.uniform(0, 2)) }
                if rng.uniform(0, 1) < 0.005 { a = -1 }
                arrival = a < 0 ? nil : a
            case .handover4g:
                if send >= nextEvent {
                    stallEnd = send + rng.uniform(250, 600)
                    nextEvent = send + rng.uniform(8000, 12000)
                }
                var a = send + 40 + rng.exponential(mean: 6)
                if send < stallEnd {
                    a = max(a, stallEnd + rng.uniform(0, 3))
                    if rng.uniform(0, 1) < 0.03 { a = -1 }
                }
                arrival = a < 0 ? nil : a
            case .burstyLoss:
                if badState { if rng.uniform(0, 1) < 0.3 { badState = false } }
                else if rng.uniform(0, 1) < 0.02 { badState = true }
                let lost = badState ? rng.uniform(0, 1) < 0.9 : rng.uniform(0, 1) < 0.005
                arrival = lost ? nil : send + 30 + rng.exponential(mean: 4)
            case .reorder:
                fifo = false
                var a = send + 20 + rng.exponential(mean: 3)
                if rng.uniform(0, 1) < 0.06 { a += rng.uniform(25, 70) }
                arrival = a
            case .outage:
                let inOutage = outages.contains { send >= $0.0 && send < $0.1 }
                arrival = inOutage ? nil : send + 30 + rng.exponential(mean: 4)
            }
            if var a = arrival {
                if fifo { a = max(a, lastArrival + 0.05) }
                lastArrival = max(lastArrival, a)
                arrival = a
            }
            entries.append(.init(sequence: seq, sendMilliseconds: send, arrivalMilliseconds: arrival))
        }
        return NetworkTrace(entries: entries)
    }
}

/// SplitMix64: small, seeded, the same on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }

    mutating func exponential(mean: Double) -> Double {
        let u = max(1e-12, uniform(0, 1))
        return -mean * log(u)
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: a hash that does not change between runs (unlike `hashValue`).
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
