import Testing
@testable import TimbreEngine

@Suite struct SocketReadinessTests {
    private func socket() throws -> UDPSocket { try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!) }

    private func send(_ count: Int, from tx: UDPSocket, to rx: UDPSocket) {
        let bytes = [UInt8](repeating: 0x80, count: 12)
        for _ in 0..<count { _ = bytes.withUnsafeBytes { tx.send($0, to: rx.localAddress) } }
    }

    @Test func reportsOnlySocketsThatReceivedOncePerArrival() throws {
        let readiness = try #require(SocketReadiness())
        let a = try socket(), b = try socket(), tx = try socket()
        readiness.watch(a.fd)
        readiness.watch(b.fd)
        // Newly watched sockets are read once (something may have come before the watch).
        #expect(readiness.take(a.fd) && readiness.take(b.fd))
        readiness.collect()
        #expect(!readiness.take(a.fd) && !readiness.take(b.fd), "nothing arrived: neither is read")

        send(1, from: tx, to: a)  // loopback queues the datagram inside sendto
        readiness.collect()
        #expect(readiness.take(a.fd))
        #expect(!readiness.take(b.fd))
        #expect(!readiness.take(a.fd), "taking clears the flag")
        #expect(a.receiveBatch { _, _, _ in } == 1)

        // Edge-triggered: a datagram left unread is not reported again until the next arrival,
        // so a reader that stopped at a full batch marks the socket ready itself.
        send(2, from: tx, to: b)
        readiness.collect()
        #expect(readiness.take(b.fd))
        readiness.collect()
        #expect(!readiness.take(b.fd))
        readiness.markReady(b.fd)
        #expect(readiness.take(b.fd))
        #expect(b.receiveBatch { _, _, _ in } == 2)

        readiness.unwatch(a.fd)
        send(1, from: tx, to: a)
        readiness.collect()
        #expect(!readiness.take(a.fd), "an unwatched socket is no longer reported")
    }

    @Test func socketsBeyondTheTableAreAlwaysRead() throws {
        let readiness = try #require(SocketReadiness())
        #expect(readiness.take(Int32(SocketReadiness.capacity)))
        #expect(readiness.take(-1))
    }
}
