import Foundation
import Logging
import Synchronization
import TimbreAudioFile
import TimbreEngine
import TimbreGreetings

/// Runs greeting captures by phone: starts them (prompt + beep, then a tap on the leg), stops
/// them on `#`, silence or maximum length, and turns the audio into a stored greeting
/// (trimmed, normalised, converted to the profile, validated) with a `greeting.recorded` or
/// `greeting.failed` event.
final class GreetingCaptureManager: Sendable {
    /// At most this many captures at once: each holds up to `maxSeconds` of audio in memory.
    static let maxConcurrent = 16
    /// Active speech level the stored greeting is normalised to, in dBov.
    static let normalizeLevel = -20.0

    private let active = Mutex([UInt64: GreetingCapture]())
    private let nextTap = Atomic<UInt64>(1 << 48)
    let greetings: GreetingService
    let events: EventHub
    let logger: Logger

    init(greetings: GreetingService, events: EventHub, logger: Logger) {
        self.greetings = greetings
        self.events = events
        self.logger = logger
    }

    var count: Int { active.withLock { $0.count } }

    func newTapID() -> UInt64 { nextTap.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Registers a capture; false when the leg already has one or the limit is reached.
    func register(_ capture: GreetingCapture) -> Bool {
        active.withLock { a in
            guard a[capture.leg] == nil, a.count < Self.maxConcurrent else { return false }
            a[capture.leg] = capture
            return true
        }
    }

    func unregister(leg: UInt64) { _ = active.withLock { $0.removeValue(forKey: leg) } }

    /// A DTMF digit on `leg`: `#` ends that leg's capture.
    func dtmf(leg: UInt64, digit: Character, engine: MediaEngine) {
        guard digit == "#" else { return }
        stop(leg: leg, reason: .dtmf, engine: engine)
    }

    /// Called from the event pump every tick.
    func poll(engine: MediaEngine) {
        let due = active.withLock { a in a.values.compactMap { c in c.pollStop().map { (c.leg, $0) } } }
        for (leg, reason) in due { stop(leg: leg, reason: reason, engine: engine) }
    }

    func stopAll(reason: GreetingCapture.Stop, engine: MediaEngine) {
        for leg in active.withLock({ Array($0.keys) }) { stop(leg: leg, reason: reason, engine: engine) }
    }

    func stop(leg: UInt64, reason: GreetingCapture.Stop, engine: MediaEngine) {
        guard let c = active.withLock({ $0.removeValue(forKey: leg) }) else { return }
        engine.removeTap(c.tapID)
        let samples = c.finish()
        let voiced = c.heardVoice
        if reason == .endpointGone || reason == .shutdown || !voiced {
            fail(c, voiced ? reason.rawValue : "no_speech")
            return
        }
        // File work off the event pump: write, convert, validate, store.
        Task.detached { [self] in self.store(c, samples: samples, reason: reason) }
    }

    private func fail(_ c: GreetingCapture, _ why: String) {
        events.publish("greeting.failed", [
            "endpoint": .string(c.endpoint), "mailbox": .string(c.mailbox), "name": .string(c.name), "reason": .string(why),
        ])
    }

    private func store(_ c: GreetingCapture, samples: [Int16], reason: GreetingCapture.Stop) {
        let token = UUID().uuidString
        let raw = "\(greetings.scratch)/\(token).capture.wav"
        let converted = "\(greetings.scratch)/\(token).wav"
        defer {
            try? FileManager.default.removeItem(atPath: raw)
            try? FileManager.default.removeItem(atPath: converted)
        }
        do {
            try AudioFileWriter.write(samples, to: raw, sampleRate: c.rate)
        } catch {
            fail(c, "write_failed: \(error)")
            return
        }
        do {
            let options = GreetingConverter.Options(profile: greetings.profile, normalizeTo: Self.normalizeLevel, trimSilence: true)
            _ = try GreetingConverter(options: options).convert(input: raw, output: converted)
        } catch {
            fail(c, "conversion_failed: \(error.description)")
            return
        }
        do {
            let stored = try greetings.store(mailbox: c.mailbox, name: c.name, path: converted)
            let format = stored["format"] as? [String: Any]
            events.publish("greeting.recorded", [
                "endpoint": .string(c.endpoint), "mailbox": .string(c.mailbox), "name": .string(c.name),
                "stoppedBy": .string(reason.rawValue),
                "durationMs": .int(Int(((format?["durationSeconds"] as? Double) ?? 0) * 1000)),
            ])
        } catch let e as APIError {
            fail(c, "\(e.code): \(e.message)")
        } catch {
            fail(c, "\(error)")
        }
    }
}
