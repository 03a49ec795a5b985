import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TimbreAudioFile
import TimbreEngine
import TimbreTestSupport

/// The real `timbred` executable: killed with SIGKILL in the middle of a recording, then
/// restarted on the same data directory, it repairs and lists the file; SIGTERM exits 0 with the
/// recording finished.
@Suite(.serialized) struct ServiceProcessTests {
    static var binary: String { ChildProcess.timbredExecutable }

    /// A loopback TCP port nobody is listening on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    struct Daemon {
        let process: Process
        let base: String
    }

    /// Starts `timbred`; with `fileSizeLimit` it runs under `prlimit --fsize` (util-linux), so
    /// every file it writes stops growing at that many bytes — a full disk, one file at a time.
    static func start(configPath: String, port: Int, fileSizeLimit: Int? = nil) async throws -> Daemon {
        let p = Process()
        if let fileSizeLimit {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            p.arguments = ["--fsize=\(fileSizeLimit):\(fileSizeLimit)", "--", binary, "--config", configPath]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--config", configPath]
        }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let base = "http://127.0.0.1:\(port)"
        for _ in 0..<300 {
            if (try? await request("GET", base + "/healthz"))?.status == 200 { return Daemon(process: p, base: base) }
            try await Task.sleep(for: .milliseconds(20))
        }
        p.terminate()
        Issue.record("timbred did not come up on \(base)")
        throw CancellationError()
    }

    /// A plain HTTP/1.1 request over a socket (the test does not need a client library for this).
    static func request(_ method: String, _ url: String, json: Any? = nil) async throws -> (status: Int, body: Data) {
        var req = URLRequest(url: URL(string: url)!)
        req.httpMethod = method
        if let json {
            req.httpBody = try JSONSerialization.data(withJSONObject: json)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: req)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    static func object(_ data: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }

    /// Two phones bridged through the daemon with a recording of the bridge; streams ~2 s of tone.
    static func callAndRecord(_ d: Daemon) async throws -> String {
        try await callAndRecord(d, frames: 100).recording
    }

    /// Two phones bridged through the daemon, a recording of the bridge, then `frames` 20 ms
    /// frames of tone; returns the bridge and recording ids and the phones to keep streaming.
    static func callAndRecord(_ d: Daemon, frames: Int) async throws -> (bridge: String, recording: String, stream: @Sendable (Int) async throws -> Void) {
        let a = try TestPhone(), b = try TestPhone()
        let epA = object(try await request("POST", d.base + "/v1/endpoints", json: ["sdp": a.offer()]).body)
        let epB = object(try await request("POST", d.base + "/v1/endpoints", json: ["sdp": b.offer()]).body)
        let bid = try #require(object(try await request("POST", d.base + "/v1/bridges", json: ["type": "call"]).body)["id"] as? String)
        for ep in [epA, epB] {
            #expect(try await request("POST", d.base + "/v1/bridges/\(bid)/participants", json: ["endpoint": ep["id"]!]).status == 201)
        }
        let rec = try await request("POST", d.base + "/v1/recordings", json: ["bridge": bid])
        #expect(rec.status == 201)
        let rid = try #require(object(rec.body)["id"] as? String)
        let portA = sdpPort(epA["sdp"] as? String ?? ""), portB = sdpPort(epB["sdp"] as? String ?? "")
        let stream: @Sendable (Int) async throws -> Void = { n in
            try await everyFrame(n) { _ in
                a.sendTone(to: portA)
                b.sendTone(to: portB, amplitude: 0)
                a.drain(); b.drain()
            }
        }
        try await stream(frames)
        return (bid, rid, stream)
    }

    static func writeConfig(dir: String, port: Int, rtp: ClosedRange<Int>) throws -> String {
        let config: [String: Any] = [
            "api": ["host": "127.0.0.1", "port": port],
            "rtp": ["host": "127.0.0.1", "portMin": rtp.lowerBound, "portMax": rtp.upperBound],
            "dataDirectory": dir + "/data",
        ]
        let path = dir + "/timbred.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func downloadIsValidWAV(_ d: Daemon, _ rid: String, dir: String) async throws -> Double {
        let audio = try await request("GET", d.base + "/v1/recordings/\(rid)/audio")
        #expect(audio.status == 200)
        let path = dir + "/\(rid).wav"
        try audio.body.write(to: URL(fileURLWithPath: path))
        let reader = try AudioFileReader(path: path)
        #expect(reader.wavHeader != nil)
        return reader.durationSeconds
    }

    @Test func sigkillDuringARecordingIsRepairedOnRestart() async throws {
        let dir = NSTemporaryDirectory() + "timbred-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Self.freePort()
        let config = try Self.writeConfig(dir: dir, port: port, rtp: 33000...33099)
        let first = try await Self.start(configPath: config, port: port)
        let rid = try await Self.callAndRecord(first)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try await Self.start(configPath: config, port: port)
        defer { kill(second.process.processIdentifier, SIGKILL); second.process.waitUntilExit() }
        let list = try await Self.request("GET", second.base + "/v1/recordings")
        let rows = ((try? JSONSerialization.jsonObject(with: list.body)) as? [[String: Any]])
            ?? (Self.object(list.body)["recordings"] as? [[String: Any]]) ?? []
        let row = try #require(rows.first { $0["id"] as? String == rid }, "\(String(decoding: list.body, as: UTF8.self))")
        #expect(row["state"] as? String == "repaired")
        let seconds = try await Self.downloadIsValidWAV(second, rid, dir: dir)
        #expect(seconds > 0.5, "the repaired file keeps what was written before the kill")
    }

    @Test func sigtermExitsZeroWithTheRecordingFinished() async throws {
        let dir = NSTemporaryDirectory() + "timbred-term-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Self.freePort()
        let config = try Self.writeConfig(dir: dir, port: port, rtp: 33100...33199)
        let first = try await Self.start(configPath: config, port: port)
        let rid = try await Self.callAndRecord(first)
        kill(first.process.processIdentifier, SIGTERM)
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .exit && first.process.terminationStatus == 0)

        let second = try await Self.start(configPath: config, port: port)
        defer { kill(second.process.processIdentifier, SIGKILL); second.process.waitUntilExit() }
        let row = Self.object(try await Self.request("GET", second.base + "/v1/recordings/\(rid)").body)
        #expect(row["state"] as? String == "stopped", "\(row)")
        let seconds = try await Self.downloadIsValidWAV(second, rid, dir: dir)
        #expect(seconds > 1.5)
    }

    /// A full disk (here: a per-file size limit) fails the recording that hit it — state
    /// "failed" with the write error, the file a valid WAV holding what fit — while the service
    /// and the call go on, and a recording started afterwards runs and stops normally.
    @Test func fileSizeLimitFailsOneRecordingAndTheServiceGoesOn() async throws {
        let dir = NSTemporaryDirectory() + "timbred-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Self.freePort()
        let config = try Self.writeConfig(dir: dir, port: port, rtp: 33900...33999)
        let limit = 48 * 1024  // 1.5 s of 16 kHz mono WAV; the catalog database stays far below
        let d = try await Self.start(configPath: config, port: port, fileSizeLimit: limit)
        defer { kill(d.process.processIdentifier, SIGKILL); d.process.waitUntilExit() }
        let call = try await Self.callAndRecord(d, frames: 200)

        var row: [String: Any] = [:]
        for _ in 0..<100 {
            row = Self.object(try await Self.request("GET", d.base + "/v1/recordings/\(call.recording)").body)
            if row["state"] as? String == "failed" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(row["state"] as? String == "failed", "\(row)")
        #expect(d.process.isRunning)
        #expect(try await Self.request("GET", d.base + "/healthz").status == 200)
        let kept = try await Self.downloadIsValidWAV(d, call.recording, dir: dir)
        #expect(kept > 0.5 && kept < 3.5, "what fit under the limit is kept: \(kept) s")
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/\(call.recording).wav")[.size] as? Int) ?? 0
        #expect(size <= limit)

        // Another recording of the same call, started after the failure, works.
        let second = try await Self.request("POST", d.base + "/v1/recordings", json: ["bridge": call.bridge])
        #expect(second.status == 201)
        let rid2 = try #require(Self.object(second.body)["id"] as? String)
        try await call.stream(25)
        #expect(Self.object(try await Self.request("GET", d.base + "/v1/recordings/\(rid2)").body)["state"] as? String == "recording")
        #expect(try await Self.request("POST", d.base + "/v1/recordings/\(rid2)/stop").status == 200)
        #expect(try await Self.downloadIsValidWAV(d, rid2, dir: dir) > 0.2)
    }
}
