import Foundation
import Hummingbird
import TimbreEngine

/// `POST /v1/endpoints/{id}/record-greeting`: "record your message after the beep".
extension EndpointRoutes {
    struct RecordGreeting: RequestBody {
        static let fields: Set<String> = ["mailbox", "name", "prompt", "maxSeconds", "silenceSeconds"]
        var mailbox: String
        var name: String
        var prompt: String?
        var maxSeconds: Int?
        var silenceSeconds: Int?
    }

    /// The beep that tells the caller to speak: 400 ms of 1 kHz at -10 dBFS, 10 ms ramps.
    static func beep(rate: Int) -> [Int16] {
        let n = rate * 400 / 1000
        let ramp = max(1, rate / 100)
        return (0..<n).map { i in
            let envelope = min(1.0, Double(min(i, n - 1 - i)) / Double(ramp))
            return Int16(10362 * envelope * sin(2 * Double.pi * 1000 * Double(i) / Double(rate)))
        }
    }

    func registerRecordGreeting(on router: Router<TimbreApplication.Context>) {
        let limit = deps.config.api.maxBodyBytes
        router.post("/v1/endpoints/:id/record-greeting") { request, context -> Response in
            let body = try await JSONBody.decode(RecordGreeting.self, from: request, limit: limit)
            let ep = try endpoint(context)
            let maxSeconds = body.maxSeconds ?? 60
            let silenceSeconds = body.silenceSeconds ?? 5
            guard (1...300).contains(maxSeconds) else { throw APIError(.badRequest, "invalid_body", "maxSeconds: 1...300") }
            guard (1...30).contains(silenceSeconds) else { throw APIError(.badRequest, "invalid_body", "silenceSeconds: 1...30") }
            // The greeting store's rules, checked before the caller is rung and asked to speak.
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
            for (key, value, most) in [("mailbox", body.mailbox, 32), ("name", body.name, 64)] {
                guard (1...most).contains(value.count), value.allSatisfy(allowed.contains) else {
                    throw APIError(.badRequest, "invalid_body", "\(key): 1 to \(most) of A-Z a-z 0-9 _ -")
                }
            }
            guard ep.leg.media != nil else { throw APIError.conflict("not_negotiated", "endpoint \(ep.id) has no negotiated media yet") }
            let rate = ep.leg.sampleRate
            var leadIn: [Int16] = []
            if let prompt = body.prompt { leadIn = try loadMedia(prompt, rate: rate, loops: false).samples }
            leadIn += Self.beep(rate: rate.hertz)
            let captures = media.captures
            let tapID = captures.newTapID()
            let capture = GreetingCapture(
                endpoint: ep.id, leg: ep.leg.id, mailbox: body.mailbox, name: body.name, rate: rate.hertz, tapID: tapID,
                leadInSamples: leadIn.count, maxSeconds: maxSeconds, silenceSeconds: silenceSeconds)
            guard captures.register(capture) else {
                throw APIError.conflict("capture_busy", "endpoint \(ep.id) is already recording a greeting, or \(GreetingCaptureManager.maxConcurrent) captures are running")
            }
            let tap = MediaTap(id: tapID, source: .leg(ep.leg.id), channels: 2) { frame, channels in
                capture.write(frame, channels: channels)
            }
            do {
                try media.engine.addTap(tap)
                try media.engine.play(AudioSource(samples: leadIn, loops: false), playback: media.newPlaybackID(), leg: ep.leg.id)
            } catch {
                captures.unregister(leg: ep.leg.id)
                media.engine.removeTap(tapID)
                throw APIError.conflict("engine_busy", "cannot start the capture: \(error)")
            }
            deps.events.publish("greeting.capture.started", [
                "endpoint": .string(ep.id), "mailbox": .string(body.mailbox), "name": .string(body.name),
            ])
            return JSONBody.response([
                "endpoint": ep.id, "mailbox": body.mailbox, "name": body.name,
                "maxSeconds": maxSeconds, "silenceSeconds": silenceSeconds,
            ], status: .accepted)
        }
    }
}
