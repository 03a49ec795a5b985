import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `timbre load`: puts a media service under a real RTP load and measures what it holds.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load a media service (timbred or rtpengine) with RTP calls and measure it.",
        discussion: """
            Creates N bridged calls (or N conferences of K parties), streams speech as RTP into every
            leg every 20 ms on loopback, receives what comes out and reports calls held, packets lost
            inside the service, p50/p99 added one-way latency (from a 1 kHz marker sent once a second),
            output jitter (RFC 3550) and the service's CPU per call (from /proc).
            Examples:
              timbre load --api http://127.0.0.1:8089 --calls 500 --codec pcmu --seconds 15
              timbre load --api http://127.0.0.1:8089 --calls 100 --codec pcmu --transcode-to g722 --seconds 15 --json
              timbre load --api http://127.0.0.1:8089 --calls 1 --conference 100 --codec g722 --seconds 15
              timbre load --rtpengine 127.0.0.1:2223 --calls 500 --codec pcmu --seconds 15
            """,
        subcommands: [LoadRunCommand.self, LoadBencodeCommand.self, LoadMarkersCommand.self],
        defaultSubcommand: LoadRunCommand.self
    )
}

/// `timbre load [--api URL | --rtpengine HOST:PORT] --calls N --codec C …` (the default subcommand).
struct LoadRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a load (the default subcommand).")

    @Option(help: "timbred's control API, e.g. http://127.0.0.1:8089.")
    var api: String?
    @Option(help: "Bearer token for the API.")
    var token: String?
    @Option(help: "Drive rtpengine through its NG protocol at HOST:PORT instead of timbred.")
    var rtpengine: String?
    @Flag(help: ArgumentHelp("Relay calls inside the tool instead of a service (for tests).", visibility: .hidden))
    var loopback = false
    @Option(name: .customLong("loopback-drop-every"), help: ArgumentHelp("Loopback relay drops every Nth packet.", visibility: .hidden))
    var loopbackDropEvery = 0
    @Option(help: "Calls (or conferences with --conference), 1...10000.")
    var calls: Int
    @Option(help: "Codec the legs send: \(LoadCodec.names).")
    var codec: String
    @Option(name: .customLong("transcode-to"), help: "Codec of each call's second leg (default: --codec).")
    var transcodeTo: String?
    @Option(help: "Conferences of K parties (2...1000) instead of calls.")
    var conference: Int?
    @Option(help: "Measured seconds (1...3600), after the warm-up.")
    var seconds: Int
    @Option(help: "Seconds of streaming before measuring (jitter buffers settle, sources latch).")
    var warmup: Int = 2
    @Option(name: .customLong("service-pid"), help: "The service's process for CPU figures (default: the only timbred or rtpengine).")
    var servicePID: Int32?
    @Option(name: .customLong("port-base"), help: "First local RTP port of the legs (even ports upwards).")
    var portBase: Int = 20_000
    @Option(name: .customLong("legs-per-socket"), help: ArgumentHelp(
        "Legs sharing one local UDP socket, 1...1024 (default 1: a socket per leg, as phones have).",
        discussion: "With more, the generator reads and writes far fewer sockets and tells legs apart by the service port a packet came from, so one core drives more calls; the service's side is unchanged (a socket per leg, every leg's media sent to the address it was given)."))
    var legsPerSocket = 1
    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        let backends = [api != nil, rtpengine != nil, loopback].filter { $0 }.count
        guard backends == 1 else { throw CLIError("give exactly one of --api URL or --rtpengine HOST:PORT") }
        guard (1...10_000).contains(calls) else { throw CLIError("--calls must be 1...10000") }
        guard (1...3600).contains(seconds) else { throw CLIError("--seconds must be 1...3600") }
        guard (0...60).contains(warmup) else { throw CLIError("--warmup must be 0...60") }
        if let k = conference, !(2...1000).contains(k) { throw CLIError("--conference must be 2...1000") }
        guard (1024...60_000).contains(portBase) else { throw CLIError("--port-base must be 1024...60000") }
        guard (1...1024).contains(legsPerSocket) else { throw CLIError("--legs-per-socket must be 1...1024") }
        guard loopbackDropEvery >= 0 else { throw CLIError("--loopback-drop-every must be ≥ 0") }
        _ = try LoadCodec(parsing: codec, option: "--codec")
        if let t = transcodeTo { _ = try LoadCodec(parsing: t, option: "--transcode-to") }
        if let pid = servicePID, pid <= 0 || kill(pid, 0) != 0 && errno == ESRCH { throw CLIError("--service-pid \(pid): no such process") }
    }

    func run() throws {
        let first = try LoadCodec(parsing: codec, option: "--codec")
        let second = try transcodeTo.map { try LoadCodec(parsing: $0, option: "--transcode-to") } ?? first
        let groupSize = conference ?? 2
        let legCount = calls * groupSize
        guard LoadSocket.raiseFileLimit(legCount * 2 + 256) else {
            throw CLIError("open-file limit too low for \(legCount) legs (raise ulimit -n to \(legCount * 2 + 256))")
        }
        let backend: any LoadBackend
        if let api {
            backend = try LoadTimbredBackend(url: api, token: token)
        } else if let rtpengine {
            backend = try LoadRtpengineBackend(address: rtpengine)
        } else {
            backend = LoadLoopbackBackend(dropEvery: loopbackDropEvery)
        }
        defer { backend.tearDown() }

        var plans: [LoadCodec: LoadStreamPlan] = [:]
        for c in Set([first, second]) {
            plans[c] = try LoadStreamPlan(codec: c, speech: LoadStreamPlan.speech(rate: c.sampleRate), conference: conference != nil)
        }

        let sockets: [(fd: Int32, port: Int)]
        do {
            sockets = try LoadSocket.bindEvenPorts(host: "127.0.0.1", base: portBase, count: (legCount + legsPerSocket - 1) / legsPerSocket)
        } catch {
            throw CLIError(error.description)
        }
        // A shared socket takes 50 packets a second per leg; room for half a second of them.
        if legsPerSocket > 1 { for s in sockets { LoadSocket.enlargeReceiveBuffer(s.fd, bytes: legsPerSocket * 25 * 2048) } }
        let shared = legsPerSocket > 1
        defer { for s in sockets { close(s.fd) } }

        // Set up every call or conference; stop at the first the service refuses and run with those.
        var legs: [LoadLeg] = []
        var refusal: String?
        let conferenceMode = conference != nil
        for g in 0..<calls {
            let base = g * groupSize
            let codecs = (0..<groupSize).map { $0 % 2 == 0 ? first : second }
            let request = (0..<groupSize).map { (port: sockets[(base + $0) / legsPerSocket].port, codec: codecs[$0]) }
            let media: [LoadSDP.Media]
            do { media = try backend.setUp(group: g, conference: conferenceMode, legs: request) } catch {
                refusal = "\(error)"
                break
            }
            for p in 0..<groupSize {
                guard let remote = LoadSocket.address(media[p].address, media[p].port) else {
                    throw CLIError("the service gave a non-IPv4 media address \(media[p].address)")
                }
                let offset = conferenceMode ? (g * 17) % 50 : (g * 7 + p * 25) % 50
                legs.append(LoadLeg(
                    fd: sockets[(base + p) / legsPerSocket].fd, localPort: sockets[(base + p) / legsPerSocket].port,
                    sharesSocket: shared, remote: remote,
                    remoteText: "\(media[p].address):\(media[p].port)", codec: media[p].codec,
                    sendPayloadType: media[p].payloadType, receivePayloadType: media[p].payloadType,
                    group: g, party: p, groupSize: groupSize, frameOffset: offset,
                    markerPeriod: conferenceMode ? groupSize : 1, markerTurn: conferenceMode ? p : 0))
                if plans[media[p].codec] == nil {
                    let c = media[p].codec
                    plans[c] = try LoadStreamPlan(codec: c, speech: LoadStreamPlan.speech(rate: c.sampleRate), conference: conferenceMode)
                }
            }
        }
        let groupsSetUp = legs.count / groupSize
        if let refusal {
            guard groupsSetUp > 0 else { throw CLIError("\(backend.name) refused the first \(conferenceMode ? "conference" : "call"): \(refusal)") }
            CLIEntryPoint.note("\(backend.name) refused \(conferenceMode ? "conference" : "call") \(groupsSetUp + 1): \(refusal); running with \(groupsSetUp)")
        }
        (backend as? LoadLoopbackBackend)?.start()

        let traffic = LoadTraffic(legs: legs, plans: plans, expectedSeconds: warmup + seconds)
        try traffic.start()
        sleep(UInt32(warmup))
        let pid = servicePID ?? autodetectedPID()
        let serviceCPU0 = pid.flatMap { LoadProcStats.cpuSeconds(pid: $0) }
        let selfCPU0 = LoadProcStats.cpuSeconds(pid: getpid())
        let t0 = LoadSocket.realtimeNanoseconds()
        traffic.windowStart.store(t0, ordering: .relaxed)
        traffic.windowEnd.store(t0 + Int64(seconds) * 1_000_000_000, ordering: .relaxed)
        usleep(UInt32(seconds) * 1_000_000)
        let t1 = LoadSocket.realtimeNanoseconds()
        let serviceCPU1 = pid.flatMap { LoadProcStats.cpuSeconds(pid: $0) }
        let selfCPU1 = LoadProcStats.cpuSeconds(pid: getpid())
        // Concealment is read while the streams still run: once they stop, every buffer
        // conceals until its statistics are read.
        let concealment = backend.counters()
        traffic.stop(drainMilliseconds: 300)
        var counters = backend.counters()
        if let c = concealment {
            counters?.playedSamples = c.playedSamples
            counters?.concealedSamples = c.concealedSamples
        }
        let servicePorts = Set(legs.map { Int(UInt16(bigEndian: $0.remote.sin_port)) })
        let report = LoadRunCommand.report(
            traffic: traffic, backend: backend.name, description: describe(first, second), requested: calls,
            window: (t0, min(t1, t0 + Int64(seconds) * 1_000_000_000)), counters: counters,
            serviceDrops: LoadProcStats.udpDrops(ports: servicePorts),
            generatorDrops: LoadProcStats.udpDrops(ports: Set(legs.map(\.localPort))),
            serviceCPU: cores(serviceCPU0, serviceCPU1, t1 - t0), servicePID: pid,
            generatorCPU: cores(selfCPU0, selfCPU1, t1 - t0))
        print(json ? report.json.text : report.text)
        if report.held < calls || report.lostInService > 0 { throw ExitCode(1) }
    }

    private func describe(_ a: LoadCodec, _ b: LoadCodec) -> String {
        if let k = conference { return "\(calls) conference\(calls == 1 ? "" : "s") of \(k) (\(a.rawValue)\(a == b ? "" : "/" + b.rawValue))" }
        return "\(calls) call\(calls == 1 ? "" : "s") \(a.rawValue)↔\(b.rawValue)"
    }

    private func autodetectedPID() -> Int32? {
        let name = api != nil ? "timbred" : rtpengine != nil ? "rtpengine" : nil
        guard let name else { return nil }
        let found = LoadProcStats.findProcess(named: name)
        if found.pid == nil {
            CLIEntryPoint.note(found.candidates == 0 ? "no \(name) process found; no CPU figures (give --service-pid)"
                : "\(found.candidates) \(name) processes; give --service-pid for CPU figures")
        }
        return found.pid
    }

    /// Turns the traffic's logs and the service's counters into the report.
    static func report(
        traffic: LoadTraffic, backend: String, description: String, requested: Int, window: (Int64, Int64),
        counters: LoadServiceCounters?, serviceDrops: Int, generatorDrops: Int, serviceCPU: Double?, servicePID: Int32?,
        generatorCPU: Double?
    ) -> LoadReport {
        let legs = traffic.legs
        let span = Double(window.1 - window.0) / 1e9
        let expectedPerStream = Int(span * 50)
        var gaps = 0
        var shortfall = 0
        var jitters: [Double] = []
        var legOK = [Bool](repeating: false, count: legs.count)
        for (i, s) in traffic.streams.enumerated() {
            if s.received > 0 {
                gaps += max(0, Int(s.highestExtended - s.firstExtended + 1) - s.received)
                jitters.append(s.jitter / Double(legs[i].codec.rtpClockRate) * 1000)
            }
            shortfall += max(0, expectedPerStream - 1 - s.received)
            legOK[i] = Double(s.received) >= 0.95 * Double(expectedPerStream)
        }
        var groups: [Int: Bool] = [:]
        for (i, leg) in legs.enumerated() { groups[leg.group] = (groups[leg.group] ?? true) && legOK[i] }
        // Match each onset to the latest marker a party of its group sent before it.
        var sendsByLeg = [[Int64]](repeating: [], count: legs.count)
        for m in traffic.markerSends { sendsByLeg[Int(m.leg)].append(m.time) }
        let groupStart = legs.map { $0.group * $0.groupSize }
        var latencies: [Double] = []
        for o in traffic.onsets where o.time >= window.0 && o.time < window.1 {
            let r = Int(o.leg)
            var best: Int64?
            for p in 0..<legs[r].groupSize where p != legs[r].party {
                for t in sendsByLeg[groupStart[r] + p] where t <= o.time + 2_000_000 && o.time - t < 1_000_000_000 {
                    if best == nil || t > best! { best = t }
                }
            }
            if let best { latencies.append(Double(o.time - best) / 1e6) }
        }
        let markersSent = traffic.markerSends.filter { $0.time >= window.0 && $0.time < window.1 }.count
        let onsetsExpected = traffic.markerSends.filter { $0.time >= window.0 && $0.time < window.1 - 1_000_000_000 }
            .reduce(0) { $0 + legs[Int($1.leg)].groupSize - 1 }
        let sent = traffic.sent.reduce(0, +)
        let targets = counters?.jitterTargetsMs ?? []
        return LoadReport(
            backend: backend, description: description, requested: requested, setUp: legs.count / max(1, legs.first?.groupSize ?? 1),
            held: groups.values.filter { $0 }.count, legs: legs.count, seconds: span,
            packetsSent: sent, serviceReceived: counters?.received,
            inputShortfall: counters.map { max(0, sent - $0.received) }, lateDiscarded: counters?.discarded,
            serviceSocketDrops: serviceDrops, outputSequenceGaps: gaps, outputShortfall: shortfall,
            generatorSocketDrops: generatorDrops, foreignPackets: traffic.streams.reduce(traffic.strayPackets) { $0 + $1.foreign },
            senderLateTicks: traffic.lateTicks, sendFailures: traffic.sendFailures,
            latencies: latencies, markersSent: markersSent, onsetsMatched: latencies.count, onsetsExpected: onsetsExpected,
            jitterMeanMs: jitters.isEmpty ? 0 : jitters.reduce(0, +) / Double(jitters.count), jitterMaxMs: jitters.max() ?? 0,
            jitterTargetMeanMs: targets.isEmpty ? nil : targets.reduce(0, +) / Double(targets.count),
            concealedPercent: counters.flatMap { $0.playedSamples > 0 ? 100 * Double($0.concealedSamples) / Double($0.playedSamples) : nil },
            serviceCPU: serviceCPU, servicePID: servicePID, generatorCPU: generatorCPU)
    }
}

/// CPU seconds used between two readings per wall-clock second (1.0 = one core busy).
private func cores(_ before: Double?, _ after: Double?, _ nanoseconds: Int64) -> Double? {
    guard let before, let after, nanoseconds > 0 else { return nil }
    return (after - before) / (Double(nanoseconds) / 1e9)
}
