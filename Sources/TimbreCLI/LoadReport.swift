import Foundation

/// The figures of one `timbre load` run, computed from the traffic's logs and the service's
/// counters after both streams stopped.
struct LoadReport {
    var backend: String
    var description: String
    var requested: Int
    var setUp: Int
    var held: Int
    var legs: Int
    var seconds: Double
    /// Loss inside the service, by where it shows.
    var packetsSent: Int
    var serviceReceived: Int?
    var inputShortfall: Int?
    var lateDiscarded: Int?
    var serviceSocketDrops: Int
    var outputSequenceGaps: Int
    var outputShortfall: Int
    var generatorSocketDrops: Int
    /// Packets on a leg from another SSRC or of another payload type than negotiated.
    var foreignPackets: Int
    var senderLateTicks: Int
    var sendFailures: Int
    var latencies: [Double]
    /// Markers sent inside the window, and onsets received that matched one.
    var markersSent: Int
    var onsetsMatched: Int
    var onsetsExpected: Int
    var jitterMeanMs: Double
    var jitterMaxMs: Double
    var jitterTargetMeanMs: Double?
    /// Share of the jitter buffers' output that was concealment, in percent (nil: not reported).
    var concealedPercent: Double?
    var serviceCPU: Double?
    var servicePID: Int32?
    var generatorCPU: Double?

    /// Packets lost inside the service: what it did not take in (sent minus received, or its
    /// sockets' queue drops when it reports no counters), what its jitter buffers threw away,
    /// and gaps in the sequence numbers of what it sent out.
    var lostInService: Int {
        max(inputShortfall ?? 0, serviceSocketDrops) + (lateDiscarded ?? 0) + outputSequenceGaps
    }

    func percentile(_ p: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }

    /// Service CPU (cores) per call set up: the load offered, whether or not the service held it.
    var cpuPerCall: Double? { serviceCPU.map { setUp > 0 ? $0 / Double(setUp) : 0 } }

    var json: JSONOutput {
        func opt(_ v: Int?) -> JSONOutput { v.map { .int($0) } ?? .null }
        func opt(_ v: Double?) -> JSONOutput { v.map { .double(($0 * 1000).rounded() / 1000) } ?? .null }
        return .object([
            ("backend", .string(backend)), ("load", .string(description)),
            ("callsRequested", .int(requested)), ("callsSetUp", .int(setUp)), ("callsHeld", .int(held)), ("legs", .int(legs)),
            ("measuredSeconds", .double(seconds)),
            ("lostInService", .int(lostInService)),
            ("loss", .object([
                ("packetsSent", .int(packetsSent)), ("serviceReceived", opt(serviceReceived)),
                ("inputShortfall", opt(inputShortfall)), ("lateDiscarded", opt(lateDiscarded)),
                ("serviceSocketDrops", .int(serviceSocketDrops)), ("outputSequenceGaps", .int(outputSequenceGaps)),
                ("outputShortfall", .int(outputShortfall)), ("generatorSocketDrops", .int(generatorSocketDrops)), ("foreignPackets", .int(foreignPackets)),
                ("senderLateTicks", .int(senderLateTicks)), ("sendFailures", .int(sendFailures)),
            ])),
            ("latencyMs", .object([
                ("samples", .int(latencies.count)), ("markersSent", .int(markersSent)),
                ("onsetsExpected", .int(onsetsExpected)), ("p50", opt(percentile(50))), ("p99", opt(percentile(99))),
                ("max", opt(latencies.max())), ("jitterBufferTargetMean", opt(jitterTargetMeanMs)),
            ])),
            ("concealedPercent", opt(concealedPercent)),
            ("jitterMs", .object([("mean", opt(jitterMeanMs)), ("max", opt(jitterMaxMs))])),
            ("cpu", .object([
                ("servicePID", servicePID.map { .int(Int($0)) } ?? .null),
                ("serviceCores", opt(serviceCPU)), ("servicePercentPerCall", opt(cpuPerCall.map { $0 * 100 })),
                ("generatorCores", opt(generatorCPU)),
            ])),
        ])
    }

    var text: String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "n/a" }
        var lines = [
            "timbre load: \(backend), \(description), \(String(format: "%.0f", seconds)) s measured",
            "calls held        \(held)/\(requested)" + (setUp < requested ? " (\(setUp) set up)" : ""),
            "lost in service   \(lostInService)  (in: \(inputShortfall.map(String.init) ?? "n/a") sent−received, "
                + "\(serviceSocketDrops) socket drops, \(lateDiscarded.map(String.init) ?? "n/a") late discards; "
                + "out: \(outputSequenceGaps) sequence gaps, \(outputShortfall) packets short of 1 per 20 ms)",
            "latency p50/p99   \(ms(percentile(50))) / \(ms(percentile(99))) ms added one-way (\(latencies.count) markers"
                + (jitterTargetMeanMs.map { String(format: "; jitter-buffer target %.1f ms", $0) } ?? "") + ")",
            "output jitter     \(ms(jitterMeanMs)) ms mean, \(ms(jitterMaxMs)) ms max (RFC 3550)",
            "concealed         " + (concealedPercent.map { String(format: "%.2f%% of the jitter buffers' output", $0) } ?? "n/a"),
        ]
        if let cpu = serviceCPU, let pid = servicePID {
            lines.append(String(format: "service CPU       %.1f%% of a core, %.4f%% per call (pid %d)", cpu * 100, (cpuPerCall ?? 0) * 100, pid))
        } else {
            lines.append("service CPU       n/a (no --service-pid)")
        }
        if let g = generatorCPU {
            lines.append(String(format: "load generator    %.1f%% of a core; %d late ticks, %d socket drops, %d send failures",
                g * 100, senderLateTicks, generatorSocketDrops, sendFailures))
        }
        return lines.joined(separator: "\n")
    }
}
