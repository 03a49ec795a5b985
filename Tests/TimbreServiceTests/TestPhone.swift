import Foundation
import TimbreCodecs
import TimbreEngine

/// A softphone stand-in for tests: a real UDP socket on loopback that offers PCMU, sends
/// RTP with a tone and collects what the service sends back.
final class TestPhone: @unchecked Sendable {
    let socket: UDPSocket
    var sequence: UInt16 = 1
    var timestamp: UInt32 = 0
    var received: [[UInt8]] = []
    var encoder = PCMUEncoder()

    init() throws {
        socket = try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!)
    }

    var port: Int { Int(socket.localAddress.port) }

    func offer(codec: String = "PCMU", payloadType: Int = 0, direction: String = "sendrecv", telephoneEvent: Bool = true) -> String {
        let te = telephoneEvent ? " 101" : ""
        var s = "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        s += "m=audio \(port) RTP/AVP \(payloadType)\(te)\r\na=rtpmap:\(payloadType) \(codec)/8000\r\n"
        if telephoneEvent { s += "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" }
        s += "a=ptime:20\r\na=\(direction)\r\n"
        return s
    }

    /// Sends one 20 ms PCMU packet of a 440 Hz tone (or silence) to `port`.
    func sendTone(to port: Int, amplitude: Double = 8000, payloadType: UInt8 = 0) {
        var pcm = [Int16](repeating: 0, count: 160)
        for i in 0..<160 {
            pcm[i] = Int16(amplitude * sin(2 * Double.pi * 440 * Double(Int(timestamp) + i) / 8000))
        }
        var payload = [UInt8](repeating: 0, count: 160)
        let n = pcm.withUnsafeBufferPointer { p in payload.withUnsafeMutableBytes { (try? encoder.encode(p, into: $0)) ?? 0 } }
        var packet: [UInt8] = [0x80, payloadType, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        packet += [UInt8(timestamp >> 24), UInt8((timestamp >> 16) & 0xFF), UInt8((timestamp >> 8) & 0xFF), UInt8(timestamp & 0xFF)]
        packet += [0, 0, 0x30, 0x39]
        packet += payload[0..<n]
        send(packet, to: port)
        sequence &+= 1
        timestamp &+= 160
    }

    func send(_ bytes: [UInt8], to port: Int) {
        bytes.withUnsafeBytes { _ = socket.send($0, to: SocketAddress(host: "127.0.0.1", port: port)!) }
    }

    func drain() {
        socket.receiveBatch { bytes, _, _ in received.append(Array(bytes)) }
    }

    /// Packets received whose PCMU payload is not near silence.
    var audiblePackets: Int {
        received.filter { p in
            guard p.count > 12 else { return false }
            return p[12...].contains { b in
                let mag = Int(~b & 0x7F)  // u-law magnitude bits, 0 = quietest
                return mag > 40
            }
        }.count
    }
}

/// Runs `body` every 20 ms for `frames` frames (a test's playout clock against a live service).
func everyFrame(_ frames: Int, _ body: (Int) async throws -> Void) async throws {
    let start = ContinuousClock.now
    for k in 0..<frames {
        try await body(k)
        try await Task.sleep(until: start + .milliseconds(20 * (k + 1)), clock: .continuous)
    }
}

func sdpPort(_ sdp: String) -> Int {
    let m = sdp.split(separator: "\r\n").first { $0.hasPrefix("m=audio") } ?? ""
    return Int(m.split(separator: " ").dropFirst().first ?? "") ?? 0
}
