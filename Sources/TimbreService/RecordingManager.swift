import Foundation
import Logging
import Synchronization
import TimbreConference
import TimbreEngine
import TimbreRecording

/// Starts, pauses, resumes and stops recordings of endpoints and bridges, keeps the catalog in
/// step, and repairs what a crash left behind.
///
/// The media thread only sees a `MediaTap` whose closure pushes one frame into the recorder's
/// bounded queue; one `RecordingWriter` thread writes every recording's file.
final class RecordingManager: Sendable {
    struct Active: Sendable {
        let recorder: Recorder
        let tapID: UInt64
        let source: String
        var state: String
    }

    enum Source: Sendable {
        case endpoint(id: String, leg: UInt64, rate: Int)
        /// `participants[i]` is `parties[i]`'s mixer participant (channel i when split).
        case bridge(id: String, bridge: UInt64, rate: Int, parties: [String], participants: [ParticipantID])
    }

    let directory: String
    let catalog: RecordingCatalog
    let writer = RecordingWriter()
    let events: EventHub
    let logger: Logger
    let limit: Int
    private let active = Mutex([String: Active]())
    private let nextTap = Atomic<UInt64>(1 << 40)

    init(directory: String, limit: Int, events: EventHub, logger: Logger) throws {
        self.directory = directory
        self.limit = limit
        self.events = events
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalog = try RecordingCatalog(path: directory + "/catalog.sqlite")
        reconcile()
    }

    var activeCount: Int { active.withLock { $0.count } }

    /// Whether a recording of `source` (an endpoint or bridge id) is running.
    func isRecording(_ source: String) -> Bool { active.withLock { $0.values.contains { $0.source == source } } }

    /// After a crash: repair files left "recording"/"paused", mark vanished ones missing, and
    /// adopt audio files the catalog does not know.
    func reconcile() {
        let rows = (try? catalog.all()) ?? []
        let known = Set(rows.map(\.path))
        for row in rows where row.state == "recording" || row.state == "paused" || row.state == "stopping" {
            guard FileManager.default.fileExists(atPath: row.path) else {
                try? catalog.update(row.id) { $0.state = "missing"; $0.endedAt = Date() }
                continue
            }
            do {
                let result = try RecordingRepair.repair(path: row.path)
                let duration = Double(result.frames) / Double(max(1, result.sampleRate))
                try? catalog.update(row.id) {
                    $0.state = "repaired"
                    $0.durationSeconds = duration
                    $0.endedAt = Date()
                }
                logger.notice("repaired recording after restart", metadata: ["id": "\(row.id)", "summary": "\(result.summary)"])
            } catch {
                try? catalog.update(row.id) { $0.state = "failed"; $0.error = "\(error)" }
            }
        }
        for row in rows where row.state != "missing" && !FileManager.default.fileExists(atPath: row.path) {
            try? catalog.update(row.id) { $0.state = "missing" }
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for f in files where [".wav", ".flac", ".opus"].contains(where: { f.hasSuffix($0) }) {
            let path = directory + "/" + f
            if known.contains(path) { continue }
            let id = String(f.split(separator: ".").first ?? Substring(f))
            let repaired = try? RecordingRepair.repair(path: path)
            let row = RecordingRow(
                id: id, source: "unknown", sourceKind: "unknown", format: String(f.split(separator: ".").last ?? "wav"),
                channels: "mixed", sampleRate: repaired?.sampleRate ?? 0, path: path, state: "repaired",
                startedAt: (try? FileManager.default.attributesOfItem(atPath: path)[.creationDate] as? Date) ?? Date(),
                endedAt: Date(), durationSeconds: repaired.map { Double($0.frames) / Double(max(1, $0.sampleRate)) } ?? 0,
                parties: "[]", error: nil)
            try? catalog.insert(row)
        }
    }

    /// Starts recording `source` into a new file; the media thread starts feeding it next tick.
    func start(source: Source, format: String, split: Bool, engine: MediaEngine, frameMilliseconds: Int) throws -> RecordingRow {
        guard activeCount < limit else { throw APIError.limit("at most \(limit) recordings at once") }
        let encoding: RecordingFormat.Encoding
        switch format {
        case "wav": encoding = .wavPCM16
        case "flac": encoding = .flac
        case "opus": encoding = .oggOpus
        default: throw APIError(.badRequest, "invalid_body", "format: must be wav, flac or opus")
        }
        let id = "rec-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "")
        let ext = encoding == .oggOpus ? "opus" : encoding == .flac ? "flac" : "wav"
        let path = "\(directory)/\(id).\(ext)"
        let (sourceID, kind, rate, parties, tapSource, tapChannels): (String, String, Int, [String], MediaTap.Source, Int)
        var channelOrder: [ParticipantID] = []
        switch source {
        case .endpoint(let epID, let leg, let r):
            (sourceID, kind, rate, parties, tapSource, tapChannels) = (epID, "endpoint", r, [epID, "remote"], .leg(leg), 2)
        case .bridge(let bID, let b, let r, let p, let ids):
            let ch = split ? max(1, p.count) : 1
            (sourceID, kind, rate, parties, tapSource, tapChannels) = (bID, "bridge", r, p, .bridge(b, split: split), ch)
            channelOrder = split ? ids : []
        }
        let layout: RecordingFormat.Layout = split ? .split(parties: kind == "endpoint" ? 2 : max(1, parties.count)) : .mixed
        let events = self.events
        let catalog = self.catalog
        let recorder: Recorder
        do {
            recorder = try Recorder(
                path: path, format: RecordingFormat(encoding: encoding, sampleRate: rate, layout: layout),
                callID: sourceID, parties: parties, frameMilliseconds: frameMilliseconds
            ) { event in
                RecordingManager.handle(event, id: id, catalog: catalog, events: events)
            }
        } catch {
            throw APIError(.unprocessableContent, "recording_error", error.description)
        }
        let row = RecordingRow(
            id: id, source: sourceID, sourceKind: kind, format: format, channels: split ? "split" : "mixed",
            sampleRate: rate, path: path, state: "recording", startedAt: Date(), endedAt: nil, durationSeconds: 0,
            parties: String(decoding: (try? JSONEncoder().encode(parties)) ?? Data("[]".utf8), as: UTF8.self), error: nil)
        try catalog.insert(row)
        writer.add(recorder)
        let tapID = nextTap.wrappingAdd(1, ordering: .relaxed).oldValue
        let mixLeg = kind == "endpoint" && !split
        let tap = MediaTap(id: tapID, source: tapSource, channels: tapChannels, channelOrder: channelOrder) { frame, channels in
            if mixLeg {
                // In and out of one leg summed into one channel, saturating.
                recorder.appendFrame { slot in
                    let n = min(slot.count, frame.count / 2)
                    for i in 0..<n {
                        slot[i] = Int16(clamping: Int32(frame[2 * i]) + Int32(frame[2 * i + 1]))
                    }
                }
            } else {
                recorder.appendFrame { slot in
                    let n = min(slot.count, frame.count)
                    for i in 0..<n { slot[i] = frame[i] }
                }
            }
        }
        do { try engine.addTap(tap) } catch {
            recorder.finish()
            try? catalog.update(id) { $0.state = "failed"; $0.error = "\(error)" }
            throw APIError.notFound(kind, sourceID)
        }
        active.withLock { $0[id] = Active(recorder: recorder, tapID: tapID, source: sourceID, state: "recording") }
        events.publish("recording.started", ["recording": .string(id), kind == "endpoint" ? "endpoint" : "bridge": .string(sourceID), "format": .string(format)])
        self.engine = engine
        return row
    }

    private let engineBox = Mutex<MediaEngine?>(nil)
    private var engine: MediaEngine? {
        get { engineBox.withLock { $0 } }
        set { engineBox.withLock { $0 = newValue } }
    }

    static func handle(_ event: RecordingEvent, id: String, catalog: RecordingCatalog, events: EventHub) {
        switch event {
        case .paused(let at):
            try? catalog.update(id) { $0.state = "paused"; $0.durationSeconds = at }
            events.publish("recording.paused", ["recording": .string(id), "atSeconds": .double(at)])
        case .resumed(let at):
            try? catalog.update(id) { $0.state = "recording"; $0.durationSeconds = at }
            events.publish("recording.resumed", ["recording": .string(id), "atSeconds": .double(at)])
        case .stopped(let d):
            try? catalog.update(id) { $0.state = "stopped"; $0.durationSeconds = d; $0.endedAt = Date() }
            events.publish("recording.stopped", ["recording": .string(id), "durationSeconds": .double(d)])
        case .failed(let reason, let d):
            try? catalog.update(id) { $0.state = "failed"; $0.error = reason; $0.durationSeconds = d; $0.endedAt = Date() }
            events.publish("recording.failed", ["recording": .string(id), "reason": .string(reason), "durationSeconds": .double(d)])
        case .overflow(let total):
            events.publish("recording.overflow", ["recording": .string(id), "frames": .int(total)])
        case .checkpoint(let frames):
            _ = frames
        case .started:
            break
        }
    }

    func pause(_ id: String) throws {
        guard let a = active.withLock({ $0[id] }) else { throw notActive(id) }
        a.recorder.pause()
    }

    func resume(_ id: String) throws {
        guard let a = active.withLock({ $0[id] }) else { throw notActive(id) }
        a.recorder.resume()
    }

    func stop(_ id: String) throws {
        guard let a = active.withLock({ $0.removeValue(forKey: id) }) else { throw notActive(id) }
        engine?.removeTap(a.tapID)
        a.recorder.finish()
    }

    /// Waits (at most `timeout`) until the writer has acted on a request and the catalog shows
    /// it, so a response to pause/resume/stop tells the state the file is really in (and a
    /// stopped file is complete when the client downloads it). Returns the latest row.
    func settle(_ id: String, timeout: Duration = .seconds(3), until done: (RecordingRow) -> Bool) async -> RecordingRow? {
        let deadline = ContinuousClock.now + timeout
        var row = try? catalog.get(id)
        while let r = row, !done(r), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
            row = try? catalog.get(id)
        }
        return row
    }

    private func notActive(_ id: String) -> APIError {
        (try? catalog.get(id)) != nil
            ? APIError.conflict("not_active", "recording \(id) is not active")
            : APIError.notFound("recording", id)
    }

    func stopRecordings(ofBridge bridge: String) {
        let ids = active.withLock { $0.filter { $0.value.source == bridge }.map(\.key) }
        for id in ids { try? stop(id) }
    }

    func stopRecordings(ofEndpoint endpoint: String) { stopRecordings(ofBridge: endpoint) }

    /// Drops finished recorders from the active set (their final state arrived as an event).
    func poll() {
        active.withLock { a in
            for (id, r) in a where r.recorder.isFinished { a[id] = nil }
        }
    }

    /// Graceful shutdown: every recording finishes as a valid file before the process exits.
    func stopAll() {
        let all = active.withLock { a -> [Active] in
            let v = Array(a.values)
            a.removeAll()
            return v
        }
        for a in all { engine?.removeTap(a.tapID) }
        writer.shutdown()
    }
}
