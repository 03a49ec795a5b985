import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client for `timbre load`'s calls to timbred's control API: one
/// keep-alive connection, JSON bodies, `Content-Length` or chunked responses.
///
/// Not URLSession: on Linux that goes through libcurl and a delegate queue, which for thousands
/// of small sequential requests against loopback costs more than the service being measured and
/// is awkward to call synchronously; the load tool needs nothing beyond this.
final class LoadHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Response {
        var status: Int
        var body: [UInt8]
        /// The body parsed as JSON (nil when empty or not JSON).
        var json: Any? { body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(body)) }
        /// `error.message` of a JSON error body, or the raw body.
        var problem: String {
            if let o = json as? [String: Any], let e = o["error"] as? [String: Any], let m = e["message"] as? String { return m }
            return String(decoding: body.prefix(200), as: UTF8.self)
        }
    }

    let host: String
    let port: Int
    let hostHeader: String
    let token: String?
    private var fd: Int32 = -1
    private var pending: [UInt8] = []

    /// `url`: `http://HOST[:PORT]` with an IPv4 address or `localhost`.
    init(url: String, token: String?) throws(Failure) {
        guard url.hasPrefix("http://") else { throw Failure(description: "--api must be an http:// URL, not '\(url)'") }
        var rest = String(url.dropFirst(7))
        if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { throw Failure(description: "--api: cannot read host in '\(url)'") }
        let name = String(parts[0])
        host = name == "localhost" ? "127.0.0.1" : name
        if parts.count == 2 {
            guard let p = Int(parts[1]), (1...65_535).contains(p) else { throw Failure(description: "--api: bad port in '\(url)'") }
            port = p
        } else {
            port = 80
        }
        guard LoadSocket.address(host, port) != nil else { throw Failure(description: "--api: host must be an IPv4 address or localhost, not '\(name)'") }
        hostHeader = rest
        self.token = token
    }

    deinit { if fd >= 0 { close(fd) } }

    private func connectIfNeeded() throws(Failure) {
        if fd >= 0 { return }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = LoadSocket.address(host, port)!
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(s)
            throw Failure(description: "cannot connect to \(hostHeader): \(String(cString: strerror(e)))")
        }
        fd = s
        pending = []
    }

    private func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        pending = []
    }

    /// Sends one request; on a connection the server closed meanwhile, reconnects once.
    func request(_ method: String, _ path: String, json: [String: Any]? = nil) throws(Failure) -> Response {
        var body: [UInt8] = []
        if let json {
            guard let d = try? JSONSerialization.data(withJSONObject: json) else { throw Failure(description: "cannot encode request body") }
            body = Array(d)
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nAccept: application/json\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if json != nil { head += "Content-Type: application/json\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let message = Array(head.utf8) + body
        for attempt in 0..<2 {
            try connectIfNeeded()
            do {
                try writeAll(message)
                return try readResponse(method: method)
            } catch {
                disconnect()
                if attempt == 1 { throw error }
            }
        }
        throw Failure(description: "unreachable")
    }

    private func writeAll(_ bytes: [UInt8]) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "send to \(hostHeader): \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    /// Reads more bytes into `pending`.
    private func fill() throws(Failure) {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "connection to \(hostHeader) closed or timed out") }
            pending.append(contentsOf: chunk[0..<n])
            return
        }
    }

    private func readLine() throws(Failure) -> String {
        while true {
            if let i = pending.firstIndex(of: 10) {
                var line = Array(pending[..<i])
                if line.last == 13 { line.removeLast() }
                pending.removeFirst(i + 1)
                return String(decoding: line, as: UTF8.self)
            }
            guard pending.count < 65_536 else { throw Failure(description: "response header line too long") }
            try fill()
        }
    }

    private func readBytes(_ count: Int) throws(Failure) -> [UInt8] {
        while pending.count < count { try fill() }
        let out = Array(pending[..<count])
        pending.removeFirst(count)
        return out
    }

    private func readResponse(method: String) throws(Failure) -> Response {
        let statusLine = try readLine()
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]) else {
            throw Failure(description: "bad HTTP status line '\(statusLine.prefix(80))'")
        }
        var length: Int?
        var chunked = false
        var closeAfter = false
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": closeAfter = value.lowercased() == "close"
            default: break
            }
        }
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 {
            body = []
        } else if chunked {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw Failure(description: "bad chunk size") }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytes(size)
                _ = try readLine()
            }
        } else if let length {
            body = try readBytes(length)
        }
        if closeAfter { disconnect() }
        return Response(status: status, body: body)
    }
}
