import Foundation
import Synchronization
import Testing
import TimbreAudioFile
import TimbreRecording
import TimbreTestSupport

/// Collects events from the writer thread.
final class EventLog: Sendable {
    let events = Mutex<[RecordingEvent]>([])
    var all: [RecordingEvent] { events.withLock { $0 } }
    func handler() -> @Sendable (RecordingEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
}

@Suite struct RecorderTests {
    /// A frame of a ramp that encodes its own frame number, so a file shows which frames it holds.
    static func frame(_ n: Int, samples: Int) -> [Int16] { (0..<samples).map { Int16(truncatingIfNeeded: n * 7 + $0 % 5) } }

    func waitFinished(_ r: Recorder) {
        while !r.isFinished { usleep(1000) }
    }

    @Test func writesEveryFrameAndOnlyUnpausedOnes() throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = EventLog()
        let writer = RecordingWriter()
        let path = dir + "/a.wav"
        let r = try Recorder(path: path, format: RecordingFormat(), callID: "call-1", parties: ["alice", "bob"], onEvent: log.handler())
        writer.add(r)
        var kept: [Int16] = []
        for n in 0..<100 {
            if n == 30 { r.pause() }
            if n == 60 { r.resume() }
            let f = Self.frame(n, samples: 160)
            if n < 30 || n >= 60 { kept += f }
            f.withUnsafeBufferPointer { r.append($0) }
            while r.isQueueFull { usleep(100) }
        }
        r.stop()
        [Int16](repeating: 0, count: 160).withUnsafeBufferPointer { r.append($0) }  // the boundary where stop applies
        waitFinished(r)
        writer.shutdown()
        let (samples, rate) = try AudioFileReader.readMono(path: path)
        #expect(rate == 8000)
        #expect(samples == kept)
        let m = try RecordingMetadata.read(from: path + ".json")
        #expect(m.callID == "call-1" && m.parties == ["alice", "bob"] && m.state == "stopped")
        #expect(m.durationSeconds == 1.4)
        #expect(m.pauses.count == 1 && m.pauses[0].atSeconds == 0.6 && m.pauses[0].resumedAt != nil)
        let events = log.all
        #expect(events.first == .started(path: path))
        #expect(events.contains(.paused(atSeconds: 0.6)) && events.contains(.resumed(atSeconds: 0.6)))
        #expect(events.last == .stopped(durationSeconds: 1.4))
    }

    @Test func overflowIsCountedAndReported() throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = EventLog()
        let path = dir + "/o.wav"
        // 0.08 s queue of 20 ms frames = 4 slots; nobody drains it yet.
        let r = try Recorder(path: path, format: RecordingFormat(), callID: "c", parties: ["x"], queueSeconds: 0.08, onEvent: log.handler())
        for n in 0..<10 { Self.frame(n, samples: 160).withUnsafeBufferPointer { r.append($0) } }
        #expect(r.overflowFrames == 6)
        let writer = RecordingWriter()
        writer.add(r)
        r.finish()
        waitFinished(r)
        writer.shutdown()
        #expect(try AudioFileReader.readMono(path: path).samples == (0..<4).flatMap { Self.frame($0, samples: 160) })
        #expect(log.all.contains(.overflow(totalFrames: 6)))
        #expect(try RecordingMetadata.read(from: path + ".json").overflowFrames == 6)
    }

    @Test(arguments: RecordingFormat.Encoding.allCases)
    func everyFormatRateAndSplitChannels(encoding: RecordingFormat.Encoding) throws {
        let dir = try TimbreProcess.temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = RecordingWriter()
        var recs: [(Recorder, RecordingFormat)] = []
        for rate in RecordingFormat.supportedRates {
            for layout in [RecordingFormat.Layout.mixed, .split(parties: 2)] {
                let f = RecordingFormat(encoding: encoding, sampleRate: rate, layout: layout)
                let r = try Recorder(path: "\(dir)/r-\(rate)-\(f.channels)", format: f, callID: "c",
                    parties: (0..<f.channels).map { "p\($0)" })
                writer.add(r)
                recs.append((r, f))
            }
        }
        for n in 0..<50 {  // 1 s
            for (r, f) in recs {
                let per = f.sampleRate / 50
                r.appendFrame { slot in
                    for i in 0..<per {
                        let t = Double(n * per + i) / Double(f.sampleRate)
                        slot[i * f.channels] = Int16(10000 * sin(2 * .pi * 400 * t))
                        if f.channels == 2 { slot[i * 2 + 1] = 0 }  // second party silent
                    }
                }
                while r.isQueueFull { usleep(100) }
            }
        }
        for (r, _) in recs { r.finish() }
        writer.shutdown()
        for (r, f) in recs {
            let reader = try AudioFileReader(path: r.path)
            #expect(reader.sampleRate == f.sampleRate && reader.channels == f.channels)
            let all = try reader.readAll()
            let frames = all.count / f.channels
            // Opus pads/trims by a few ms; the others hold exactly one second.
            if encoding == .oggOpus { #expect(abs(frames - f.sampleRate) <= f.sampleRate / 50) } else { #expect(frames == f.sampleRate) }
            var energy = [Double](repeating: 0, count: f.channels)
            for i in 0..<all.count { energy[i % f.channels] += Double(all[i]) * Double(all[i]) }
            #expect(energy[0] / Double(frames) > 1e7)
            if f.channels == 2 { #expect(energy[1] / Double(frames) < 1e4, "the silent party stays in its own channel") }
            #expect(try TimbreProcess.ffmpegDecodeErrors(r.path).errors.isEmpty)
        }
    }

    @Test func rejectsBadFormats() {
        #expect(throws: RecordingError.self) {
            try Recorder(path: "/tmp/x.wav", format: RecordingFormat(sampleRate: 44100), callID: "c", parties: [])
        }
        #expect(throws: RecordingError.self) {
            try Recorder(path: "/tmp/x.wav", format: RecordingFormat(layout: .split(parties: 2)), callID: "c", parties: ["one"])
        }
        #expect(throws: RecordingError.self) {
            try Recorder(path: "/nonexistent-dir/x.wav", format: RecordingFormat(), callID: "c", parties: [])
        }
    }
}
