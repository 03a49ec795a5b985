#if canImport(Glibc)
import Glibc
#endif

/// rtpengine's NG control protocol over UDP: each request is `COOKIE SPACE BENCODED-DICT`, the
/// reply repeats the cookie; `result` is `ok` (or `error` with `error-reason`).
///
/// Requests are retried with the same cookie when no reply comes within a second (rtpengine
/// caches replies by cookie, so a retry never runs a command twice).
final class LoadNGClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    let endpoint: String
    private var counter = 0
    private let prefix: String

    /// `address`: `HOST:PORT` of rtpengine's `--listen-ng`.
    init(address: String) throws(Failure) {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (1...65_535).contains(port),
            var remote = LoadSocket.address(parts[0] == "localhost" ? "127.0.0.1" : String(parts[0]), port)
        else { throw Failure(description: "--rtpengine must be IPv4-HOST:PORT, not '\(address)'") }
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(s)
            throw Failure(description: "cannot reach rtpengine at \(address)")
        }
        fd = s
        endpoint = address
        prefix = "tl\(getpid())_"
    }

    deinit { close(fd) }

    /// Sends `command` with `arguments` and returns the reply dictionary when `result` is ok.
    func call(_ command: String, _ arguments: [(String, LoadBencode)]) throws(Failure) -> LoadBencode {
        counter += 1
        let cookie = prefix + String(counter)
        let dict = LoadBencode.dictionary([(Array("command".utf8), .string(command))] + arguments.map { (Array($0.0.utf8), $0.1) })
        let message = Array((cookie + " ").utf8) + dict.encoded
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for _ in 0..<3 {
            _ = message.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == ECONNREFUSED { throw Failure(description: "rtpengine at \(endpoint) refused (not running?)") }
                    break  // timeout: retransmit
                }
                let reply = buffer[0..<n]
                guard let space = reply.firstIndex(of: 32) else { continue }
                guard String(decoding: reply[..<space], as: UTF8.self) == cookie else { continue }  // a late reply to an earlier try
                let value: LoadBencode
                do { value = try LoadBencode(decoding: Array(reply[(space + 1)...])) } catch {
                    throw Failure(description: "rtpengine reply to \(command): \(error)")
                }
                // "pong" is ping's success.
                guard value["result"]?.text == "ok" || value["result"]?.text == "pong" else {
                    let reason = value["error-reason"]?.text ?? value["result"]?.text ?? "no result"
                    throw Failure(description: "rtpengine \(command) failed: \(reason)")
                }
                return value
            }
        }
        throw Failure(description: "no reply from rtpengine at \(endpoint) to \(command)")
    }
}
