import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing
import TimbreAudioFile
@testable import TimbreService

/// What `timbred` offers beyond a plain call, checked over its real interfaces: the WebSocket
/// event stream with resume, recording control and ranged download, DTMF both ways, hold,
/// and greeting upload (good, bad and converted files made by sox).
@Suite struct ServiceFeatureTests {
    typealias API = ServiceAPITests

    static func quietLogger() -> Logger {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }

    /// Collects the text frames of one WebSocket connection until `stop` says it has enough.
    static func collectEvents(
        port: Int, query: String = "", until stop: @escaping @Sendable ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let box = Mutex<[Data]>([])
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/events\(query)", logger: quietLogger()) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                let done = box.withLock { all -> Bool in
                    all.append(Data(text.utf8))
                    return stop(all.map { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:] })
                }
                if done { try await outbound.close(.normalClosure, reason: nil); return }
            }
        }
        return box.withLock { $0.map { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:] } }
    }

    /// Waits (bounded) until the hub has `n` subscribers, so no live event is published too early.
    static func waitForSubscribers(_ hub: EventHub, _ n: Int) async throws {
        for _ in 0..<500 where hub.subscriberCount < n { try await Task.sleep(for: .milliseconds(10)) }
        #expect(hub.subscriberCount >= n)
    }

    @Test func eventStreamDeliversAndResumes() async throws {
        let deps = try TimbreApplication.makeDependencies(config: API.config(ports: 32500...32599), logger: Self.quietLogger())
        let app = TimbreApplication.buildApplication(deps)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let phone = try TestPhone()
            async let live = Self.collectEvents(port: port) { events in events.contains { $0["type"] as? String == "endpoint.created" } }
            try await Self.waitForSubscribers(deps.events, 1)
            let created = API.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: API.body(["sdp": phone.offer()])).body)
            let events = try await live
            let first = try #require(events.first { $0["type"] as? String == "endpoint.created" })
            #expect(first["endpoint"] as? String == created["id"] as? String || first["id"] as? String == created["id"] as? String, "\(first)")
            let seq = try #require(first["seq"] as? Int)
            #expect(seq >= 1)

            // While disconnected: a second endpoint. Resuming after `seq` replays it, and only what followed.
            let second = API.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: API.body(["codecs": ["PCMU"]])).body)
            let replay = try await Self.collectEvents(port: port, query: "?since=\(seq)") { events in
                events.contains { $0["type"] as? String == "endpoint.created" }
            }
            #expect(replay.allSatisfy { ($0["seq"] as? Int ?? 0) > seq })
            let again = try #require(replay.first { $0["type"] as? String == "endpoint.created" })
            #expect(again["endpoint"] as? String == second["id"] as? String || again["id"] as? String == second["id"] as? String, "\(again)")
            // A malformed `since` is refused instead of silently replaying nothing.
            await #expect(throws: (any Error).self) {
                _ = try await Self.collectEvents(port: port, query: "?since=abc") { _ in true }
            }
        }
    }

    /// Two phones in a call bridge; returns the endpoint JSON of each and the bridge id.
    @Test func recordingOnABridgePausesResumesAndDownloadsWithRanges() async throws {
        let app = try API.app(API.config(ports: 32600...32699))
        try await app.test(.live) { client in
            let a = try TestPhone(), b = try TestPhone()
            let (epA, epB, bid) = try await API.bridgedCall(client, a, b)
            let portA = sdpPort(epA["sdp"] as! String), portB = sdpPort(epB["sdp"] as! String)
            let started = try await client.execute(uri: "/v1/recordings", method: .post, body: API.body(["bridge": bid]))
            #expect(started.status == .created)
            let rid = try #require(API.json(started.body)["id"] as? String)
            try await everyFrame(100) { k in
                if k == 30 {
                    let r = try await client.execute(uri: "/v1/recordings/\(rid)/pause", method: .post)
                    #expect(r.status == .ok)
                }
                if k == 50 {
                    let r = try await client.execute(uri: "/v1/recordings/\(rid)/resume", method: .post)
                    #expect(r.status == .ok)
                }
                a.sendTone(to: portA)
                b.sendTone(to: portB, amplitude: 0)
                a.drain(); b.drain()
            }
            #expect(try await client.execute(uri: "/v1/recordings/\(rid)/stop", method: .post).status == .ok)
            let row = API.json(try await client.execute(uri: "/v1/recordings/\(rid)", method: .get).body)
            #expect(row["state"] as? String == "stopped", "\(row)")

            let audio = try await client.execute(uri: "/v1/recordings/\(rid)/audio", method: .get)
            #expect(audio.status == .ok)
            let path = NSTemporaryDirectory() + "rec-\(UUID().uuidString).wav"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(buffer: audio.body).write(to: URL(fileURLWithPath: path))
            let reader = try AudioFileReader(path: path)
            #expect(reader.wavHeader != nil)
            #expect(reader.channels == 1)
            // About 80 of the 100 frames were recorded (20 paused): well under 2 s, well over 1 s.
            #expect(reader.durationSeconds > 1.0 && reader.durationSeconds < 1.9, "\(reader.durationSeconds) s")
            let samples = try reader.readAllMono()
            #expect(samples.contains { abs(Int($0)) > 2000 }, "the tone is in the recording")

            let ranged = try await client.execute(uri: "/v1/recordings/\(rid)/audio", method: .get, headers: [.range: "bytes=0-43"])
            #expect(ranged.status == .partialContent)
            #expect(ranged.body.readableBytes == 44)
            #expect(Data(buffer: ranged.body).prefix(4) == Data("RIFF".utf8))
            let tail = try await client.execute(uri: "/v1/recordings/\(rid)/audio", method: .get, headers: [.range: "bytes=-10"])
            #expect(tail.status == .partialContent)
            #expect(tail.body.readableBytes == 10)
            let unsatisfiable = try await client.execute(uri: "/v1/recordings/\(rid)/audio", method: .get, headers: [.range: "bytes=99999999-"])
            #expect(unsatisfiable.status == .rangeNotSatisfiable)
        }
    }

    /// One RFC 4733 telephone-event packet (PT 101).
    static func telephoneEvent(_ event: UInt8, end: Bool, duration: UInt16, seq: UInt16, timestamp: UInt32, marker: Bool) -> [UInt8] {
        var p: [UInt8] = [0x80, (marker ? 0x80 : 0) | 101, UInt8(seq >> 8), UInt8(seq & 0xFF)]
        p += [UInt8(timestamp >> 24), UInt8((timestamp >> 16) & 0xFF), UInt8((timestamp >> 8) & 0xFF), UInt8(timestamp & 0xFF)]
        p += [0, 0, 0x30, 0x39]
        p += [event, (end ? 0x80 : 0) | 10, UInt8(duration >> 8), UInt8(duration & 0xFF)]
        return p
    }

    @Test func dtmfBothWays() async throws {
        let deps = try TimbreApplication.makeDependencies(config: API.config(ports: 32700...32799), logger: Self.quietLogger())
        let app = TimbreApplication.buildApplication(deps)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let a = try TestPhone(), b = try TestPhone()
            let (epA, epB, _) = try await API.bridgedCall(client, a, b)
            let portA = sdpPort(epA["sdp"] as! String), portB = sdpPort(epB["sdp"] as! String)
            async let heard = Self.collectEvents(port: port) { events in events.contains { $0["type"] as? String == "dtmf" } }
            try await Self.waitForSubscribers(deps.events, 1)
            // Phone A first sends a hook flash (event 16, not a key: no dtmf event, and it must not
            // upset the service), then presses 7 for 120 ms: 6 updates, then the end packet three
            // times (RFC 4733 §2.5.1.4).
            let digitStart: UInt32 = 160 * 20
            try await everyFrame(40) { k in
                if (10..<16).contains(k) {
                    let n = k - 10
                    let pkt = Self.telephoneEvent(16, end: n >= 3, duration: UInt16(min(n + 1, 3) * 160), seq: a.sequence, timestamp: 160 * 10, marker: n == 0)
                    a.send(pkt, to: portA)
                    a.sequence &+= 1
                    a.timestamp &+= 160
                } else if k < 20 || k >= 29 {
                    a.sendTone(to: portA, amplitude: 0)
                } else {
                    let n = k - 20
                    let end = n >= 6
                    let pkt = Self.telephoneEvent(7, end: end, duration: UInt16(min(n + 1, 6) * 160), seq: a.sequence, timestamp: digitStart, marker: n == 0)
                    a.send(pkt, to: portA)
                    a.sequence &+= 1
                    a.timestamp &+= 160
                }
                b.sendTone(to: portB, amplitude: 0)
                a.drain(); b.drain()
            }
            let events = try await heard
            let dtmf = try #require(events.first { $0["type"] as? String == "dtmf" })
            #expect(dtmf["digit"] as? String == "7")
            #expect(dtmf["endpoint"] as? String == epA["id"] as? String)
            #expect((dtmf["durationMs"] as? Int).map { (100...140).contains($0) } == true, "\(dtmf)")
            #expect(dtmf["seq"] is Int)

            // The service sends 1, 2, # to phone B as telephone-events.
            let sent = try await client.execute(uri: "/v1/endpoints/\(epB["id"]!)/dtmf", method: .post, body: API.body(["digits": "12#"]))
            #expect(sent.status == .accepted)
            b.received.removeAll()
            try await everyFrame(60) { _ in
                a.sendTone(to: portA, amplitude: 0)
                b.sendTone(to: portB, amplitude: 0)
                a.drain(); b.drain()
            }
            let eventPackets = b.received.filter { $0.count >= 16 && $0[1] & 0x7F == 101 }
            let digits = eventPackets.compactMap { p -> UInt8? in p[13] & 0x80 != 0 ? p[12] : nil }
            var ordered: [UInt8] = []
            for d in digits where ordered.last != d { ordered.append(d) }
            #expect(ordered == [1, 2, 11], "end packets seen for \(digits)")
            let bad = try await client.execute(uri: "/v1/endpoints/\(epB["id"]!)/dtmf", method: .post, body: API.body(["digits": "12x"]))
            #expect(bad.status == .badRequest)
        }
    }

    @Test func holdReofferIsAnsweredRecvonly() async throws {
        let app = try API.app(API.config(ports: 32800...32899))
        try await app.test(.router) { client in
            let phone = try TestPhone()
            let ep = API.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: API.body(["sdp": phone.offer()])).body)
            let id = try #require(ep["id"] as? String)
            let held = try await client.execute(uri: "/v1/endpoints/\(id)/remote", method: .put, body: API.body(["sdp": phone.offer(direction: "sendonly")]))
            #expect(held.status == .ok)
            let answer = API.json(held.body)["sdp"] as? String ?? ""
            #expect(answer.contains("a=recvonly"), "\(answer)")
            let resumed = try await client.execute(uri: "/v1/endpoints/\(id)/remote", method: .put, body: API.body(["sdp": phone.offer(direction: "sendrecv")]))
            #expect((API.json(resumed.body)["sdp"] as? String ?? "").contains("a=sendrecv"))
            let inactive = try await client.execute(uri: "/v1/endpoints/\(id)/remote", method: .put, body: API.body(["sdp": phone.offer(direction: "inactive")]))
            #expect((API.json(inactive.body)["sdp"] as? String ?? "").contains("a=inactive"))
        }
    }

    static func sox(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func greetingUploadsAreValidated() async throws {
        let app = try API.app(API.config(ports: 32900...32999))
        let dir = NSTemporaryDirectory() + "greet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.sox(["-n", "-r", "8000", "-c", "1", "-b", "16", "\(dir)/good.wav", "synth", "1.5", "sine", "440", "vol", "0.5"])
        try Self.sox(["-n", "-r", "44100", "-c", "2", "-b", "16", "\(dir)/cd.wav", "synth", "1.5", "sine", "440", "vol", "0.5"])
        let good = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/good.wav"))
        let cd = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/cd.wav"))
        try await app.test(.router) { client in
            let ok = try await client.execute(uri: "/v1/mailboxes/100/greetings/welcome", method: .put, body: ByteBuffer(data: good))
            #expect(ok.status == .created, "\(API.json(ok.body))")
            let text = try await client.execute(uri: "/v1/mailboxes/100/greetings/notes", method: .put, body: ByteBuffer(string: "just some words, not audio\n"))
            #expect(text.status == .unprocessableContent)
            let problems = (API.json(text.body)["error"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
            #expect(!problems.isEmpty && problems.allSatisfy { $0["code"] is String }, "\(API.json(text.body))")
            // 44.1 kHz stereo is refused as it is, accepted once converted.
            let raw = try await client.execute(uri: "/v1/mailboxes/100/greetings/cd", method: .put, body: ByteBuffer(data: cd))
            #expect(raw.status == .unprocessableContent)
            let converted = try await client.execute(uri: "/v1/mailboxes/100/greetings/cd?convert=true", method: .put, body: ByteBuffer(data: cd))
            #expect(converted.status == .created, "\(API.json(converted.body))")
            let download = try await client.execute(uri: "/v1/mailboxes/100/greetings/cd", method: .get)
            #expect(download.status == .ok)
            let path = "\(dir)/back.wav"
            try Data(buffer: download.body).write(to: URL(fileURLWithPath: path))
            let reader = try AudioFileReader(path: path)
            #expect(reader.sampleRate == 8000 && reader.channels == 1)
            let list = try await client.execute(uri: "/v1/mailboxes/100/greetings", method: .get)
            #expect(list.status == .ok)
        }
    }

    /// Phone A sends `#` as RFC 4733 events starting now (4 updates, 3 end packets).
    static func pressHash(_ a: TestPhone, to port: Int, frame n: Int, at start: UInt32) {
        let end = n >= 4
        let pkt = telephoneEvent(11, end: end, duration: UInt16(min(n + 1, 4) * 160), seq: a.sequence, timestamp: start, marker: n == 0)
        a.send(pkt, to: port)
        a.sequence &+= 1
        a.timestamp &+= 160
    }

    @Test func greetingRecordedByPhoneStopsOnHash() async throws {
        let config = API.config(ports: 33200...33299)
        try FileManager.default.createDirectory(atPath: config.dataDirectory + "/media", withIntermediateDirectories: true)
        try Self.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", config.dataDirectory + "/media/prompt.wav", "synth", "0.3", "sine", "600", "vol", "0.3"])
        let deps = try TimbreApplication.makeDependencies(config: config, logger: Self.quietLogger())
        let app = TimbreApplication.buildApplication(deps)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let a = try TestPhone()
            let ep = API.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: API.body(["sdp": a.offer()])).body)
            let id = try #require(ep["id"] as? String)
            let portA = sdpPort(ep["sdp"] as! String)
            async let outcome = Self.collectEvents(port: port) { events in
                events.contains { ["greeting.recorded", "greeting.failed"].contains($0["type"] as? String) }
            }
            try await Self.waitForSubscribers(deps.events, 1)
            let bad = try await client.execute(uri: "/v1/endpoints/\(id)/record-greeting", method: .post, body: API.body(["mailbox": "200", "name": "../x"]))
            #expect(bad.status == .badRequest)
            let missing = try await client.execute(uri: "/v1/endpoints/\(id)/record-greeting", method: .post, body: API.body(["mailbox": "200", "name": "x", "prompt": "nope.wav"]))
            #expect(missing.status == .unprocessableContent)
            let started = try await client.execute(uri: "/v1/endpoints/\(id)/record-greeting", method: .post,
                body: API.body(["mailbox": "200", "name": "busy", "prompt": "prompt.wav", "maxSeconds": 20, "silenceSeconds": 5]))
            #expect(started.status == .accepted, "\(API.json(started.body))")
            let twice = try await client.execute(uri: "/v1/endpoints/\(id)/record-greeting", method: .post, body: API.body(["mailbox": "200", "name": "again"]))
            #expect(twice.status == .conflict)
            // Prompt (0.3 s) + beep (0.4 s) while the phone is quiet; then it speaks 1.5 s of tone, then presses #.
            var heardBeep = false
            var hashStart: UInt32 = 0
            try await everyFrame(160) { k in
                switch k {
                case ..<40: a.sendTone(to: portA, amplitude: 0)
                case 40..<115: a.sendTone(to: portA, amplitude: 8000)
                case 115..<122:
                    if k == 115 { hashStart = a.timestamp }
                    Self.pressHash(a, to: portA, frame: k - 115, at: hashStart)
                default: a.sendTone(to: portA, amplitude: 0)
                }
                a.drain()
                if k == 40 { heardBeep = a.audiblePackets >= 15 }
            }
            #expect(heardBeep, "the phone hears the prompt and the beep")
            let events = try await outcome
            let done = try #require(events.first { ["greeting.recorded", "greeting.failed"].contains($0["type"] as? String) })
            #expect(done["type"] as? String == "greeting.recorded", "\(done)")
            #expect(done["stoppedBy"] as? String == "dtmf")
            #expect(done["endpoint"] as? String == id)
            let download = try await client.execute(uri: "/v1/mailboxes/200/greetings/busy", method: .get)
            #expect(download.status == .ok)
            let path = NSTemporaryDirectory() + "captured-\(UUID().uuidString).wav"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(buffer: download.body).write(to: URL(fileURLWithPath: path))
            let reader = try AudioFileReader(path: path)
            #expect(reader.sampleRate == 8000 && reader.channels == 1)
            // 1.5 s of tone, trimmed of the silence around it.
            #expect(reader.durationSeconds > 1.2 && reader.durationSeconds < 2.0, "\(reader.durationSeconds) s")
            let samples = try reader.readAllMono()
            let peak = samples.map { abs(Int($0)) }.max() ?? 0
            #expect(peak > 3000, "normalised speech level, peak \(peak)")
        }
    }

    @Test func greetingCaptureWithoutSpeechFails() async throws {
        let deps = try TimbreApplication.makeDependencies(config: API.config(ports: 33300...33399), logger: Self.quietLogger())
        let app = TimbreApplication.buildApplication(deps)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let a = try TestPhone()
            let ep = API.json(try await client.execute(uri: "/v1/endpoints", method: .post, body: API.body(["sdp": a.offer()])).body)
            let id = try #require(ep["id"] as? String)
            let portA = sdpPort(ep["sdp"] as! String)
            async let outcome = Self.collectEvents(port: port) { events in
                events.contains { ["greeting.recorded", "greeting.failed"].contains($0["type"] as? String) }
            }
            try await Self.waitForSubscribers(deps.events, 1)
            let started = try await client.execute(uri: "/v1/endpoints/\(id)/record-greeting", method: .post,
                body: API.body(["mailbox": "201", "name": "quiet", "silenceSeconds": 1]))
            #expect(started.status == .accepted)
            try await everyFrame(90) { _ in
                a.sendTone(to: portA, amplitude: 0)
                a.drain()
            }
            let events = try await outcome
            let done = try #require(events.first { ["greeting.recorded", "greeting.failed"].contains($0["type"] as? String) })
            #expect(done["type"] as? String == "greeting.failed")
            #expect(done["reason"] as? String == "no_speech")
            #expect(try await client.execute(uri: "/v1/mailboxes/201/greetings/quiet", method: .get).status == .notFound)
        }
    }
}
