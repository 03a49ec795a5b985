import Foundation
import Synchronization
import TimbreCodecs

#if canImport(Glibc)
import Glibc
#endif

/// Streams RTP into every leg every 20 ms and takes in what the service sends back: one sender
/// thread on absolute 20 ms deadlines (`clock_nanosleep` on CLOCK_MONOTONIC, so no drift), one
/// receiver thread on epoll over all leg sockets (`LoadEpoll`).
///
/// Per-packet work allocates nothing: payloads come precomputed from `LoadStreamPlan`, headers
/// are written into one scratch buffer, decoders and marker detectors exist per leg from the
/// start, and the logs of marker sends and onsets have their capacity reserved up front.
final class LoadTraffic: @unchecked Sendable {
    // @unchecked: the sender's and receiver's state is touched only by their own thread until
    // both are joined; the window bounds are atomics.
    let legs: [LoadLeg]
    private let plans: [LoadCodec: LoadStreamPlan]
    private let stopSending = Atomic<Bool>(false)
    private let stopReceiving = Atomic<Bool>(false)
    /// Measured window in CLOCK_REALTIME ns; packets and markers outside it are not counted.
    let windowStart = Atomic<Int64>(.max)
    let windowEnd = Atomic<Int64>(.max)
    private let senderDone = DispatchSemaphore(value: 0)
    private let receiverDone = DispatchSemaphore(value: 0)

    // Sender results.
    private(set) var sent: [Int]
    private(set) var sendFailures = 0
    private(set) var lateTicks = 0
    /// (sending leg, CLOCK_REALTIME ns of the marker's onset on the wire).
    private(set) var markerSends: [(leg: Int32, time: Int64)] = []

    // Receiver results, per leg, for packets received inside the window.
    struct StreamStatistics {
        var received = 0
        var firstExtended: Int64 = -1
        var highestExtended: Int64 = -1
        var cycles: Int64 = 0
        var lastSequence: UInt16 = 0
        var started = false
        var transit = 0.0
        var jitter = 0.0
        var lastArrival: Int64 = 0
        /// Packets of another payload type (telephone-event, CN) or from another SSRC than the
        /// first one seen (a stream this leg was not set up for).
        var foreign = 0
        var ssrc: UInt32 = 0
        var decodeFailures = 0
        var totalReceived = 0
    }
    private(set) var streams: [StreamStatistics]
    /// (receiving leg, CLOCK_REALTIME ns of a marker onset).
    private(set) var onsets: [(leg: Int32, time: Int64)] = []
    /// Legs on shared sockets by the service port that sends to them; datagrams on a shared
    /// socket from any other port.
    private var legByServicePort = [Int32](repeating: -1, count: 65_536)
    private(set) var strayPackets = 0

    init(legs: [LoadLeg], plans: [LoadCodec: LoadStreamPlan], expectedSeconds: Int) {
        self.legs = legs
        self.plans = plans
        sent = [Int](repeating: 0, count: legs.count)
        streams = [StreamStatistics](repeating: StreamStatistics(), count: legs.count)
        markerSends.reserveCapacity(legs.count * (expectedSeconds + 2) + 16)
        onsets.reserveCapacity(legs.count * (expectedSeconds + 2) * 2 + 16)
    }

    func start() throws {
        let decoders = LoadDecoders(try legs.map { try $0.codec.registryEntry.makeDecoder() })
        // One epoll token per socket: the index of its only leg, or of a shared socket's fd
        // above `legs.count`.
        let epoll = try LoadEpoll(capacity: legs.count)
        var watched = Set<Int32>()
        for (i, leg) in legs.enumerated() where watched.insert(leg.fd).inserted {
            try epoll.add(leg.fd, token: leg.sharesSocket ? UInt64(legs.count) + UInt64(leg.fd) : UInt64(i))
        }
        for (i, leg) in legs.enumerated() where leg.sharesSocket { legByServicePort[Int(UInt16(bigEndian: leg.remote.sin_port))] = Int32(i) }
        let receiver = Thread { [self] in receive(decoders: decoders.take(), epoll: epoll) }
        receiver.name = "load-receive"
        receiver.stackSize = 1 << 20
        receiver.start()
        let sender = Thread { [self] in send() }
        sender.name = "load-send"
        sender.stackSize = 1 << 20
        sender.start()
    }

    /// Stops sending, waits `drainMilliseconds` for the last packets, stops receiving.
    func stop(drainMilliseconds: Int) {
        stopSending.store(true, ordering: .relaxed)
        senderDone.wait()
        usleep(UInt32(drainMilliseconds) * 1000)
        stopReceiving.store(true, ordering: .relaxed)
        receiverDone.wait()
    }

    // MARK: Sending

    private func send() {
        let count = legs.count
        var ssrc = [UInt32](repeating: 0, count: count)
        var sequence = [UInt16](repeating: 0, count: count)
        var timestamp = [UInt32](repeating: 0, count: count)
        var g = SystemRandomNumberGenerator()
        for i in 0..<count {
            ssrc[i] = UInt32.random(in: 1...UInt32.max, using: &g)
            sequence[i] = UInt16.random(in: 0...UInt16.max, using: &g)
            timestamp[i] = UInt32.random(in: 0...UInt32.max, using: &g)
        }
        // Each leg's socket is connected to its service port: the kernel then keeps the route
        // (no lookup per sendto) and the leg only takes in what that port sends, as a phone
        // doing strict symmetric RTP would.
        var connected = [Bool](repeating: false, count: count)
        for i in 0..<count where !legs[i].sharesSocket { connected[i] = LoadSocket.connect(legs[i].fd, to: legs[i].remote) }
        var remotes = legs.map(\.remote)
        let legPlans = legs.map { plans[$0.codec]! }
        let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer { packet.deallocate() }
        // Legs on a shared socket are sent in one sendmmsg per socket per tick. A marker's send
        // time is taken when its packet is queued, before the batch goes out: the latency then
        // includes the rest of the batch's sending (tens of microseconds), never less.
        let batch = legs.contains(where: \.sharesSocket) ? LoadBatchSender(capacity: 256) : nil
        let period: Int64 = 20_000_000
        var deadline = LoadSocket.monotonicNanoseconds()
        var tick = 0
        remotes.withUnsafeMutableBufferPointer { remotes in
            while !stopSending.load(ordering: .relaxed) {
                var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
                for i in 0..<count {
                    let leg = legs[i]
                    let batched = leg.sharesSocket && batch != nil
                    if batched, let batch, batch.count > 0, batch.isFull || batch.fd != leg.fd {
                        sendFailures += batch.flush { sent[Int($0)] += 1 }
                    }
                    let position = tick + leg.frameOffset
                    let frame = position % LoadStreamPlan.frames
                    let second = position / LoadStreamPlan.framesPerSecond
                    let marked = second % leg.markerPeriod == leg.markerTurn
                    let plan = legPlans[i]
                    let payload = plan.payload(frame: frame, marked: marked)
                    let b = batched ? batch!.nextSlot : packet.baseAddress!
                    b.storeBytes(of: 0x80, as: UInt8.self)
                    b.storeBytes(of: leg.sendPayloadType | (tick == 0 ? 0x80 : 0), toByteOffset: 1, as: UInt8.self)
                    b.storeBytes(of: sequence[i].bigEndian, toByteOffset: 2, as: UInt16.self)
                    b.storeBytes(of: timestamp[i].bigEndian, toByteOffset: 4, as: UInt32.self)
                    b.storeBytes(of: ssrc[i].bigEndian, toByteOffset: 8, as: UInt32.self)
                    (b + 12).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
                    if marked && frame % LoadStreamPlan.framesPerSecond == plan.markerFrame {
                        markerSends.append((Int32(i), LoadSocket.realtimeNanoseconds() + plan.onsetDelayNanoseconds))
                    }
                    if batched {
                        batch!.queue(length: 12 + payload.count, from: leg.fd, to: leg.remote, owner: Int32(i))
                    } else if connected[i]
                        ? LoadSocket.send(leg.fd, b, 12 + payload.count)
                        : LoadSocket.send(leg.fd, b, 12 + payload.count, to: remotes.baseAddress! + i)
                    {
                        sent[i] += 1
                    } else {
                        sendFailures += 1
                    }
                    sequence[i] &+= 1
                    timestamp[i] &+= leg.codec.ticksPerFrame
                }
                if let batch, batch.count > 0 { sendFailures += batch.flush { sent[Int($0)] += 1 } }
                tick += 1
                deadline += period
                if LoadSocket.monotonicNanoseconds() > deadline { lateTicks += 1 }
            }
        }
        senderDone.signal()
    }

    // MARK: Receiving

    /// Hands the per-leg decoders to the receiver thread, which alone uses them.
    final class LoadDecoders: @unchecked Sendable {
        private var decoders: [any AudioDecoder]
        init(_ decoders: [any AudioDecoder]) { self.decoders = decoders }
        func take() -> [any AudioDecoder] { decoders }
    }

    private func receive(decoders: [any AudioDecoder], epoll: LoadEpoll) {
        var decoders = decoders
        // ~Copyable elements cannot live in an Array; keep them in a manually managed buffer.
        let detectorBuffer = UnsafeMutablePointer<LoadMarkerDetector>.allocate(capacity: legs.count)
        for (i, leg) in legs.enumerated() { (detectorBuffer + i).initialize(to: LoadMarkerDetector(rate: leg.codec.sampleRate)) }
        defer {
            detectorBuffer.deinitialize(count: legs.count)
            detectorBuffer.deallocate()
        }
        // epoll over every leg socket, at most once per 4 ms: each sweep finds a packet or two
        // waiting per ready socket, and the receive times come from the kernel, so the sweep
        // interval does not show in the latency. One read per ready socket per sweep (a socket
        // still holding data is reported again), so no read is spent learning a queue is empty.
        let pcm = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 48_000 / 50 * 6)
        defer { pcm.deallocate() }
        var receiver = LoadReceiver()
        while !stopReceiving.load(ordering: .relaxed) {
            let start = windowStart.load(ordering: .relaxed)
            let end = windowEnd.load(ordering: .relaxed)
            let ready = epoll.wait(timeoutMilliseconds: 20) { token in
                if token < UInt64(legs.count) {
                    let i = Int(token)
                    guard let got = receiver.receive(legs[i].fd) else { return }
                    handle(
                        leg: i, bytes: UnsafeRawBufferPointer(rebasing: receiver.buffer[0..<got.length]), time: got.nanoseconds,
                        inWindow: got.nanoseconds >= start && got.nanoseconds < end, decoder: &decoders[i],
                        detector: &detectorBuffer[i], pcm: pcm)
                    return
                }
                // A shared socket: drain it (bounded, so one socket cannot hold the sweep).
                let fd = Int32(token - UInt64(legs.count))
                for _ in 0..<4096 {
                    guard let got = receiver.receive(fd) else { return }
                    let i = Int(legByServicePort[got.sourcePort])
                    guard i >= 0 else {
                        strayPackets += 1
                        continue
                    }
                    handle(
                        leg: i, bytes: UnsafeRawBufferPointer(rebasing: receiver.buffer[0..<got.length]), time: got.nanoseconds,
                        inWindow: got.nanoseconds >= start && got.nanoseconds < end, decoder: &decoders[i],
                        detector: &detectorBuffer[i], pcm: pcm)
                }
            }
            if ready > 0 { usleep(4_000) }
        }
        receiverDone.signal()
    }

    @inline(__always)
    private func handle(
        leg i: Int, bytes: UnsafeRawBufferPointer, time: Int64, inWindow: Bool, decoder: inout any AudioDecoder,
        detector: inout LoadMarkerDetector, pcm: UnsafeMutableBufferPointer<Int16>
    ) {
        guard bytes.count >= 12, bytes[0] >> 6 == 2 else { return }
        let pt = bytes[1] & 0x7f
        if pt >= 72 && pt <= 76 { return }  // RTCP on the RTP port
        streams[i].totalReceived += 1
        let ssrc = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        if streams[i].totalReceived == 1 { streams[i].ssrc = ssrc }
        guard pt == legs[i].receivePayloadType, ssrc == streams[i].ssrc else {
            streams[i].foreign += 1
            return
        }
        let seq = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let ts = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        var offset = 12 + 4 * Int(bytes[0] & 0x0f)
        if bytes[0] & 0x10 != 0, bytes.count >= offset + 4 {
            offset += 4 + 4 * (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
        }
        var end = bytes.count
        if bytes[0] & 0x20 != 0, let pad = bytes.last { end -= Int(pad) }
        guard offset <= end else { return }
        if inWindow {
            var s = streams[i]
            s.received += 1
            if !s.started {
                s.started = true
                s.firstExtended = Int64(seq)
                s.highestExtended = Int64(seq)
                s.lastSequence = seq
            } else {
                let delta = Int16(bitPattern: seq &- s.lastSequence)
                if delta > 0 {
                    if seq < s.lastSequence { s.cycles += 65_536 }
                    s.lastSequence = seq
                    s.highestExtended = s.cycles + Int64(seq)
                }
            }
            // RFC 3550 A.8 interarrival jitter, in RTP timestamp units.
            let arrival = Double(time) * Double(legs[i].codec.rtpClockRate) / 1e9
            let transit = arrival - Double(ts)
            if s.lastArrival != 0 {
                var d = transit - s.transit
                // The timestamp wraps every 2^32 ticks; keep the difference small.
                if d > 2_147_483_648 { d -= 4_294_967_296 } else if d < -2_147_483_648 { d += 4_294_967_296 }
                s.jitter += (abs(d) - s.jitter) / 16
            }
            s.transit = transit
            s.lastArrival = time
            streams[i] = s
        }
        let decoded: Int
        do {
            decoded = try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: pcm)
        } catch {
            streams[i].decodeFailures += 1
            return
        }
        if let onset = detector.process(UnsafeBufferPointer(rebasing: pcm[0..<decoded]), time: time) {
            onsets.append((Int32(i), onset))
        }
    }
}
