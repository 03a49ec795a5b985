#if canImport(Glibc)
import CTimbreLinux
import Glibc
#endif
import Synchronization
import TimbreConference
import TimbreCore
import TimbreJitter

/// The media engine: media threads (one per core by default), the RTP port pool, and the
/// control-side registry of legs and bridges.
///
/// Control calls (from HTTP handlers) never touch a leg's per-tick state: they queue commands
/// for the owning thread. A bridge and its legs live on the same thread; joining a leg to a
/// bridge on another thread moves the leg there first.
public final class MediaEngine: Sendable {
    public let configuration: EngineConfiguration
    let threads: [MediaThread]
    public let ports: PortAllocator
    private let registry = Mutex(Registry())
    private let nextID = Atomic<UInt64>(1)
    private let nextThread = Atomic<Int>(0)
    private let started = Atomic<Bool>(false)

    private struct Registry {
        var legs: [UInt64: (thread: Int, leg: CallLeg)] = [:]
        var bridges: [UInt64: (thread: Int, bridge: EngineBridge)] = [:]
        var membership: [UInt64: (bridge: UInt64, participant: ParticipantID)] = [:]
        /// Recording taps on bridges: tap id → bridge id.
        var bridgeTaps: [UInt64: UInt64] = [:]
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noFreePort
        case unknownLeg(UInt64)
        case unknownBridge(UInt64)
        case queueFull
        case alreadyInBridge(UInt64)
        case conference(ConferenceError)

        public var description: String {
            switch self {
            case .noFreePort: return "no free RTP port in the configured range"
            case .unknownLeg(let id): return "unknown endpoint \(id)"
            case .unknownBridge(let id): return "unknown bridge \(id)"
            case .queueFull: return "media command queue full"
            case .alreadyInBridge(let id): return "endpoint \(id) is already in a bridge"
            case .conference(let e): return e.description
            }
        }
    }

    public init(configuration: EngineConfiguration) {
        self.configuration = configuration
        let n = configuration.threads > 0 ? configuration.threads : max(1, System.coreCount)
        threads = (0..<n).map { MediaThread(index: $0, configuration: configuration) }
        ports = PortAllocator(range: configuration.portRange)
    }

    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        for t in threads { t.start() }
    }

    /// Stops every media thread after RTCP BYE on each leg; blocks until they have finished.
    public func stop() {
        guard started.exchange(false, ordering: .relaxed) else { return }
        for t in threads { t.stopAndWait() }
    }

    private func newID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    // MARK: Legs

    /// Opens an RTP/RTCP socket pair on the next free even port and puts the leg on a thread.
    public func createLeg() throws(Failure) -> CallLeg {
        let host = configuration.rtpHost
        let pair: (UDPSocket, UDPSocket)? = ports.allocate { port in
            guard let a = SocketAddress(host: host, port: port), let b = SocketAddress(host: host, port: port + 1),
                let rtp = try? UDPSocket(bindTo: a, slotSize: max(2048, configuration.maxPacketBytes + 1), receiveTimestamps: true),
                let rtcp = try? UDPSocket(bindTo: b, batchSize: 4)
            else { return nil }
            return (rtp, rtcp)
        }
        guard let (rtp, rtcp) = pair else { throw .noFreePort }
        let leg = CallLeg(id: newID(), rtp: rtp, rtcp: rtcp, configuration: configuration)
        let t = nextThread.wrappingAdd(1, ordering: .relaxed).oldValue % threads.count
        registry.withLock { $0.legs[leg.id] = (t, leg) }
        guard threads[t].send(.addLeg(leg)) else {
            registry.withLock { $0.legs[leg.id] = nil }
            ports.release(Int(rtp.localAddress.port))
            throw .queueFull
        }
        return leg
    }

    public func leg(_ id: UInt64) -> CallLeg? { registry.withLock { $0.legs[id]?.leg } }

    private func thread(ofLeg id: UInt64) throws(Failure) -> MediaThread {
        guard let t = registry.withLock({ $0.legs[id]?.thread }) else { throw .unknownLeg(id) }
        return threads[t]
    }

    private func send(toLeg id: UInt64, _ command: EngineCommand) throws(Failure) {
        guard try thread(ofLeg: id).send(command) else { throw .queueFull }
    }

    public func applyMedia(_ media: NegotiatedMedia, to id: UInt64) throws(Failure) { try send(toLeg: id, .applyMedia(id, media)) }
    public func setMuted(_ on: Bool, leg id: UInt64) throws(Failure) { try send(toLeg: id, .setMuted(id, on)) }
    public func setHold(_ on: Bool, music: AudioSource?, leg id: UInt64) throws(Failure) { try send(toLeg: id, .setHold(id, on, music)) }
    public func play(_ source: AudioSource?, playback: UInt64, leg id: UInt64) throws(Failure) {
        try send(toLeg: id, .play(id, source, playback: playback))
    }
    public func sendDigits(_ digits: [UInt8], leg id: UInt64) throws(Failure) { try send(toLeg: id, .sendDigits(id, digits)) }

    /// Ends a leg: RTCP BYE, leaves its bridge, frees its ports.
    public func removeLeg(_ id: UInt64) throws(Failure) {
        let entry = registry.withLock { r -> (thread: Int, leg: CallLeg, membership: (bridge: UInt64, participant: ParticipantID)?)? in
            guard let e = r.legs.removeValue(forKey: id) else { return nil }
            return (e.thread, e.leg, r.membership.removeValue(forKey: id))
        }
        guard let entry else { throw .unknownLeg(id) }
        if let m = entry.membership, let b = registry.withLock({ $0.bridges[m.bridge]?.bridge }) {
            try? b.controller.leave(m.participant)
        }
        threads[entry.thread].send(.removeLeg(id, goodbye: true))
        // The port is reused only after the allocator has cycled through the range.
        ports.release(Int(entry.leg.rtp.localAddress.port))
    }

    public var legCount: Int { registry.withLock { $0.legs.count } }

    // MARK: Bridges

    public func createBridge(configuration: BridgeConfiguration) throws(Failure) -> EngineBridge {
        let bridge = EngineBridge(id: newID(), configuration: configuration)
        let t = nextThread.wrappingAdd(1, ordering: .relaxed).oldValue % threads.count
        registry.withLock { $0.bridges[bridge.id] = (t, bridge) }
        guard threads[t].send(.addBridge(bridge)) else { throw .queueFull }
        return bridge
    }

    public func bridge(_ id: UInt64) -> EngineBridge? { registry.withLock { $0.bridges[id]?.bridge } }

    /// Joins a leg to a bridge (moving it to the bridge's thread) and returns its participant id.
    public func join(leg id: UInt64, bridge bid: UInt64, role: ParticipantRole) throws(Failure) -> ParticipantID {
        guard let (legThread, leg) = registry.withLock({ $0.legs[id] }) else { throw .unknownLeg(id) }
        guard let (bridgeThread, bridge) = registry.withLock({ $0.bridges[bid] }) else { throw .unknownBridge(bid) }
        if registry.withLock({ $0.membership[id] }) != nil { throw .alreadyInBridge(id) }
        let participant: ParticipantID
        do {
            participant = try bridge.controller.join(as: role, sampleRate: leg.sampleRate)
        } catch {
            throw .conference(error)
        }
        if legThread != bridgeThread {
            threads[legThread].send(.moveLeg(id, to: threads[bridgeThread]))
            registry.withLock { $0.legs[id] = (bridgeThread, leg) }
        }
        registry.withLock { $0.membership[id] = (bid, participant) }
        threads[bridgeThread].send(.attach(bridge: bid, leg: id, participant: participant))
        return participant
    }

    public func participant(ofLeg id: UInt64) -> (bridge: UInt64, participant: ParticipantID)? {
        registry.withLock { $0.membership[id] }
    }

    /// Takes a leg out of its bridge (the leg itself stays).
    public func leave(leg id: UInt64, bridge bid: UInt64) throws(Failure) {
        guard let (t, bridge) = registry.withLock({ $0.bridges[bid] }) else { throw .unknownBridge(bid) }
        guard let m = registry.withLock({ $0.membership[id] }), m.bridge == bid else { throw .unknownLeg(id) }
        do { try bridge.controller.leave(m.participant) } catch { throw .conference(error) }
        registry.withLock { $0.membership[id] = nil }
        threads[t].send(.detach(bridge: bid, leg: id))
    }

    public func removeBridge(_ id: UInt64) throws(Failure) {
        guard let (t, _) = registry.withLock({ r -> (Int, EngineBridge)? in
            guard let e = r.bridges.removeValue(forKey: id) else { return nil }
            for (leg, m) in r.membership where m.bridge == id { r.membership[leg] = nil }
            return (e.thread, e.bridge)
        }) else { throw .unknownBridge(id) }
        threads[t].send(.removeBridge(id))
    }

    public var bridgeCount: Int { registry.withLock { $0.bridges.count } }

    // MARK: Taps and events

    /// Adds a recording tap on a leg or bridge; it runs on the owning media thread. A bridge's
    /// mixer feeds its recording tap only while recording is on, so the first tap turns it on.
    public func addTap(_ tap: MediaTap) throws(Failure) {
        switch tap.source {
        case .leg(let id):
            guard let t = registry.withLock({ $0.legs[id]?.thread }) else { throw .unknownLeg(id) }
            guard threads[t].send(.addTap(tap.id, tap)) else { throw .queueFull }
        case .bridge(let id, _):
            guard let (t, bridge) = registry.withLock({ $0.bridges[id] }) else { throw .unknownBridge(id) }
            guard threads[t].send(.addTap(tap.id, tap)) else { throw .queueFull }
            registry.withLock { $0.bridgeTaps[tap.id] = id }
            do { try bridge.controller.setRecording(true) } catch {
                removeTap(tap.id)
                throw .conference(error)
            }
        }
    }

    public func removeTap(_ id: UInt64) {
        for t in threads { t.send(.removeTap(id)) }
        let (bridgeID, stillTapped) = registry.withLock { r -> (UInt64?, Bool) in
            guard let b = r.bridgeTaps.removeValue(forKey: id) else { return (nil, false) }
            return (b, r.bridgeTaps.values.contains(b))
        }
        if let bridgeID, !stillTapped, let b = bridge(bridgeID) { try? b.controller.setRecording(false) }
    }

    /// Takes every event the media threads have queued (the control side's pump calls this).
    public func drainEvents(_ body: (EngineEvent) -> Void) {
        for t in threads { while let e = t.events.pop() { body(e) } }
    }

    /// Media-thread health for metrics.
    public var tickStatistics: (maxMicros: Int, overruns: Int, droppedEvents: Int) {
        threads.reduce((0, 0, 0)) { acc, t in
            (max(acc.0, t.maxTickMicros.load(ordering: .relaxed)), acc.1 + t.overruns.load(ordering: .relaxed),
             acc.2 + t.droppedEvents.load(ordering: .relaxed))
        }
    }
}

/// The CPUs this process may run on. Under `taskset -c 1` that is one, however many the
/// machine has: one media thread per usable core, never two threads fighting over one.
enum System {
    static var coreCount: Int { Int(timbre_usable_cpu_count()) }
}
