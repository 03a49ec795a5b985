import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `timbre load --loopback` (hidden): a stand-in "service" inside the load tool that relays
/// each call's two legs to each other unchanged, like a media proxy without transcoding.
///
/// It lets the tests run the whole RTP, loss and latency machinery on real loopback UDP without
/// the service; `--loopback-drop-every N` drops every Nth relayed packet, so the loss accounting
/// can be checked against a known cause.
final class LoadLoopbackBackend: LoadBackend, @unchecked Sendable {
    // @unchecked: `pairs` is filled before `start()` and read only by the relay thread after.
    let name = "loopback"
    private let dropEvery: Int
    /// Relay sockets: for socket k, the peer relay socket and the leg's address it forwards to.
    private var sockets: [(fd: Int32, port: Int)] = []
    private var forward: [(out: Int32, to: sockaddr_in)] = []
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private var running = false
    /// Packets received and relayed in total (after the relay stopped).
    private(set) var relayed = 0
    private(set) var dropped = 0

    init(dropEvery: Int) { self.dropEvery = dropEvery }

    func setUp(group: Int, conference: Bool, legs: [(port: Int, codec: LoadCodec)]) throws -> [LoadSDP.Media] {
        guard !conference, legs.count == 2, legs[0].codec == legs[1].codec else {
            throw CLIError("--loopback relays calls of one codec only (no --conference, no --transcode-to)")
        }
        let a: (fd: Int32, port: Int), b: (fd: Int32, port: Int)
        do {
            a = try LoadSocket.bind(host: "127.0.0.1", port: 0)
            b = try LoadSocket.bind(host: "127.0.0.1", port: 0)
        } catch { throw CLIError(error.description) }
        sockets += [a, b]
        // What arrives on a (from leg 0) leaves from b to leg 1, and the other way round.
        forward.append((b.fd, LoadSocket.address("127.0.0.1", legs[1].port)!))
        forward.append((a.fd, LoadSocket.address("127.0.0.1", legs[0].port)!))
        let c = legs[0].codec
        return [
            LoadSDP.Media(address: "127.0.0.1", port: a.port, payloadType: c.payloadType, codec: c),
            LoadSDP.Media(address: "127.0.0.1", port: b.port, payloadType: c.payloadType, codec: c),
        ]
    }

    /// Starts relaying (after every call is set up).
    func start() {
        running = true
        let t = Thread { [self] in relay() }
        t.name = "load-loopback"
        t.start()
    }

    private func relay() {
        let fds = UnsafeMutableBufferPointer<pollfd>.allocate(capacity: max(1, sockets.count))
        for (k, s) in sockets.enumerated() { fds[k] = pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 2048, alignment: 16)
        var count = 0
        while !stopped.load(ordering: .relaxed) {
            guard poll(fds.baseAddress, nfds_t(sockets.count), 20) > 0 else { continue }
            for k in 0..<sockets.count where fds[k].revents != 0 {
                fds[k].revents = 0
                while true {
                    let got = recv(sockets[k].fd, buffer, 2048, Int32(MSG_DONTWAIT))
                    guard got > 0 else { break }
                    count += 1
                    if dropEvery > 0, count % dropEvery == 0 {
                        dropped += 1
                        continue
                    }
                    var to = forward[k].to
                    if LoadSocket.send(forward[k].out, buffer, got, to: &to) { relayed += 1 }
                }
            }
        }
        fds.deallocate()
        buffer.deallocate()
        done.signal()
    }

    func counters() -> LoadServiceCounters? { nil }

    func tearDown() {
        if running {
            stopped.store(true, ordering: .relaxed)
            done.wait()
            running = false
        }
        for s in sockets { close(s.fd) }
        sockets = []
        forward = []
    }
}
