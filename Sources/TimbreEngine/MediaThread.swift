import Dispatch
import Foundation
import TimbreConference
import Synchronization
import TimbreCore

#if canImport(Glibc)
import Glibc
#endif

/// One media thread: ticks every ptime from a monotonic clock and runs every leg and bridge it
/// owns. Commands come in through a bounded lock-free queue (producers serialise among
/// themselves; this thread never waits for them) and events leave through another.
public final class MediaThread: @unchecked Sendable {
    // @unchecked: `legs`, `bridges`, `taps` are touched by the thread itself only; the queues are
    // the only shared state.
    public let index: Int
    let commands: SPSCRingBuffer<EngineCommand>
    private let producerLock = Mutex(())
    public let events: SPSCRingBuffer<EngineEvent>
    private let configuration: EngineConfiguration
    private var legs: [UInt64: CallLeg] = [:]
    private var legOrder: [CallLeg] = []
    private var bridges: [EngineBridge] = []
    private var bridgeOf: [UInt64: UInt64] = [:]
    private var pendingAttach: [(bridge: UInt64, leg: UInt64, participant: ParticipantIDBox)] = []
    private var taps: [MediaTap] = []
    private var tapScratch: [Int16] = []
    /// Which sockets received something since the last tick (nil: read every socket).
    private let readiness = SocketReadiness()
    /// `CLOCK_MONOTONIC` nanoseconds at the media clock's zero.
    private var clockOrigin: UInt64 = 0
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Tick statistics for metrics: durations in microseconds and overruns.
    public let lastTickMicros = Atomic<Int>(0)
    public let maxTickMicros = Atomic<Int>(0)
    public let overruns = Atomic<Int>(0)
    public let droppedEvents = Atomic<Int>(0)
    public let droppedCommands = Atomic<Int>(0)

    init(index: Int, configuration: EngineConfiguration) {
        self.index = index
        self.configuration = configuration
        commands = SPSCRingBuffer(minimumCapacity: configuration.commandCapacity)
        events = SPSCRingBuffer(minimumCapacity: configuration.eventCapacity)
        tapScratch = [Int16](repeating: 0, count: 48_000 / 50 * 64)
    }

    /// Queues a command; false (and counted) when the queue is full.
    @discardableResult
    func send(_ command: EngineCommand) -> Bool {
        let ok = producerLock.withLock { _ in commands.push(command) }
        if !ok { droppedCommands.wrappingAdd(1, ordering: .relaxed) }
        return ok
    }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "timbre-media-\(index)"
        t.stackSize = 1 << 20
        t.start()
    }

    /// Stops after the current tick; sends RTCP BYE on every leg first. Blocks until done.
    func stopAndWait() {
        send(.stop)
        finished.wait()
    }

    private func run() {
        var clock = MediaClock(period: configuration.ptime)
        // The media clock's zero on CLOCK_MONOTONIC, which kernel arrival stamps are converted to.
        clockOrigin = MediaClock.monotonicNanoseconds() &- clock.now
        while !stopped.load(ordering: .relaxed) {
            clock.waitForNextTick()
            let start = MediaClock.monotonicNanoseconds()
            // The tick's scheduled time, not when this thread woke: the jitter buffers play at
            // `now` and compare it with the packets' kernel arrival stamps. Anything that arrived
            // before the deadline has been read by the time its leg's turn comes, however late
            // the wake-up or the turn; a late wake-up taken as the playout time would let a
            // buffer count on packets a punctual tick will not have (measured: 10,433 late
            // discards in 6 s at 500 PCMU calls with stamps and wake-up times, 92 with deadlines).
            let now = clock.tickCount &* clock.periodNanoseconds
            applyCommands(now: now)
            tick(now: now, tickCount: clock.tickCount)
            let took = Int((MediaClock.monotonicNanoseconds() - start) / 1000)
            lastTickMicros.store(took, ordering: .relaxed)
            if took > maxTickMicros.load(ordering: .relaxed) { maxTickMicros.store(took, ordering: .relaxed) }
            if clock.lateness > clock.periodNanoseconds { overruns.wrappingAdd(1, ordering: .relaxed) }
        }
        for leg in legOrder { leg.sendRTCP(now: clock.now, goodbye: true) }
        legs.removeAll()
        legOrder.removeAll()
        bridges.removeAll()
        taps.removeAll()
        finished.signal()
    }

    private func push(_ e: EngineEvent) {
        if !events.push(e) { droppedEvents.wrappingAdd(1, ordering: .relaxed) }
    }

    /// One pass over the legs before the bridges and one after (each pass walks the leg list
    /// once: every walk costs a retain and release per leg).
    private func tick(now: UInt64, tickCount: UInt64) {
        readiness?.collect()
        for leg in legOrder {
            leg.receive(now: now, clockOrigin: clockOrigin, events: events, readiness: readiness)
            leg.pullAudio(now: now)
            if !leg.bridged { leg.outbound.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        }
        for b in bridges { b.tick(events: events) }
        runTaps()
        // RTCP every 5 s per leg, staggered by leg id.
        let period = UInt64(5000 / configuration.ptime.milliseconds)
        for leg in legOrder {
            leg.send(now: now, events: events)
            if (tickCount &+ leg.id) % period == 0 { leg.sendRTCP(now: now) }
        }
    }

    private func watch(_ leg: CallLeg) {
        readiness?.watch(leg.rtp.fd)
        readiness?.watch(leg.rtcp.fd)
    }

    private func unwatch(_ leg: CallLeg) {
        readiness?.unwatch(leg.rtp.fd)
        readiness?.unwatch(leg.rtcp.fd)
    }

    private func runTaps() {
        for tap in taps {
            switch tap.source {
            case .leg(let id):
                guard let leg = legs[id], !leg.inbound.isEmpty else { continue }
                let n = leg.inbound.count
                tapScratch.withUnsafeMutableBufferPointer { s in
                    for i in 0..<n {
                        s[2 * i] = leg.inbound[i]
                        s[2 * i + 1] = leg.outbound[i]
                    }
                    tap.write(UnsafeBufferPointer(rebasing: s[0..<(2 * n)]), 2)
                }
            case .bridge:
                continue  // bridge taps run inside the mixer (see `EngineBridge.addTap`)
            }
        }
    }

    private func applyCommands(now: UInt64) {
        while let c = commands.pop() {
            switch c {
            case .addLeg(let leg):
                legs[leg.id] = leg
                legOrder.append(leg)
                watch(leg)
                let waiting = pendingAttach.filter { $0.leg == leg.id }
                pendingAttach.removeAll { $0.leg == leg.id }
                for w in waiting { attach(bridge: w.bridge, leg: w.leg, participant: w.participant.value) }
            case .removeLeg(let id, let goodbye):
                if let leg = legs.removeValue(forKey: id) {
                    if goodbye { leg.sendRTCP(now: now, goodbye: true) }
                    unwatch(leg)
                    leg.bridged = false
                    legOrder.removeAll { $0 === leg }
                    if let b = bridgeOf.removeValue(forKey: id) { bridges.first { $0.id == b }?.remove { $0 === leg } }
                    push(.legRemoved(leg: id))
                }
            case .applyMedia(let id, let media):
                legs[id]?.apply(media)
            case .setMuted(let id, let on):
                legs[id]?.muted = on
            case .setHold(let id, let on, let music):
                legs[id]?.onHold = on
                legs[id]?.holdMusic = music
            case .play(let id, let source, let playback):
                legs[id]?.player = source
                legs[id]?.playbackID = playback
            case .sendDigits(let id, let digits):
                legs[id]?.sendDigits(digits)
            case .addBridge(let b):
                bridges.append(b)
            case .removeBridge(let id):
                for m in bridges.first(where: { $0.id == id })?.members ?? [] {
                    bridgeOf[m.leg.id] = nil
                    m.leg.bridged = false
                    m.leg.sharedPayload = nil
                }
                bridges.removeAll { $0.id == id }
                push(.bridgeEnded(bridge: id))
            case .attach(let b, let l, let p):
                if legs[l] == nil {
                    pendingAttach.append((b, l, ParticipantIDBox(p)))
                } else {
                    attach(bridge: b, leg: l, participant: p)
                }
            case .detach(let b, let l):
                bridges.first { $0.id == b }?.remove { $0.id == l }
                if bridgeOf[l] == b {
                    bridgeOf[l] = nil
                    legs[l]?.bridged = false
                }
            case .moveLeg(let id, let target):
                if let leg = legs.removeValue(forKey: id) {
                    unwatch(leg)
                    leg.bridged = false
                    legOrder.removeAll { $0 === leg }
                    if let b = bridgeOf.removeValue(forKey: id) { bridges.first { $0.id == b }?.remove { $0 === leg } }
                    target.send(.addLeg(leg))
                }
            case .addTap(_, let tap):
                if case .bridge(let b, _) = tap.source { bridges.first { $0.id == b }?.addTap(tap) } else { taps.append(tap) }
            case .removeTap(let id):
                taps.removeAll { $0.id == id }
                for b in bridges where b.removeTap(id) { break }
            case .stop:
                stopped.store(true, ordering: .relaxed)
            }
        }
    }

    private func attach(bridge: UInt64, leg: UInt64, participant: ParticipantID) {
        guard let l = legs[leg], let b = bridges.first(where: { $0.id == bridge }) else { return }
        b.add(l, as: participant)
        bridgeOf[leg] = bridge
        l.bridged = true
    }
}

/// Boxes a participant id for storage in a tuple array.
struct ParticipantIDBox {
    let value: ParticipantID
    init(_ v: ParticipantID) { value = v }
}
