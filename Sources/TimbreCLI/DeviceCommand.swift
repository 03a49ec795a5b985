import ArgumentParser
import Synchronization
import TimbreAudioDevices
import TimbreAudioFile
import TimbreCore
import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

/// `timbre device`: ALSA devices — list, record, play, and the softphone's "test speaker"
/// echo test.
struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "List ALSA devices, record, play, and measure the echo path.",
        discussion: """
            Examples:
              timbre device list --json
              timbre device record --device default --seconds 5 mic.wav
              timbre device play --device default speech.wav
              timbre device echo-test --capture default --playback default --json
            """,
        subcommands: [List.self, Record.self, Play.self, EchoTest.self]
    )

    /// Longest recording or echo test, in seconds (bounds the capture buffer).
    static let maximumSeconds = 3600

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List ALSA PCM devices.")
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let devices: [ALSADevice]
            do { devices = try ALSADevice.list() } catch { throw CLIError("device list: \(error)") }
            if json {
                print(JSONOutput.array(devices.map { d in
                    .object([("name", .string(d.name)), ("description", .string(d.description)), ("direction", .string(d.direction.rawValue))])
                }).text)
            } else {
                for d in devices {
                    let summary = d.description.split(separator: "\n").joined(separator: " — ")
                    print("\(d.name)\t\(d.direction.rawValue)\t\(summary)")
                }
            }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record from a capture device to a WAV file.")
        @Option(help: "ALSA device name (see `timbre device list`).") var device: String
        @Option(help: "Duration in seconds (0.01...3600).") var seconds: Double
        @Option(help: "Sample rate in Hz.") var rate = 16_000
        @Option(help: "Channels.") var channels = 1
        @Argument(help: "Output WAV file.") var output: String

        func run() throws {
            guard seconds > 0, seconds <= Double(DeviceCommand.maximumSeconds) else {
                throw CLIError("device record: --seconds must be in (0, \(DeviceCommand.maximumSeconds)]")
            }
            let parameters = ALSAParameters(sampleRate: rate, channels: channels, periodFrames: max(16, rate / 50), periods: 4)
            let samples = try DeviceCommand.capture(device: device, parameters: parameters, seconds: seconds)
            try AudioInput.writeWAV(samples.samples, to: output, rate: samples.parameters.sampleRate, channels: samples.parameters.channels)
            CLIEntryPoint.note("recorded \(samples.samples.count / samples.parameters.channels) frames at \(samples.parameters.sampleRate) Hz, \(samples.xruns) xruns")
        }
    }

    struct Play: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "play", abstract: "Play an audio file on a playback device.")
        @Option(help: "ALSA device name (see `timbre device list`).") var device: String
        @Argument(help: "Input audio file.") var input: String

        func run() throws {
            let reader: AudioFileReader
            do { reader = try AudioFileReader(path: input) } catch { throw CLIError(error.description) }
            guard reader.durationSeconds <= Double(DeviceCommand.maximumSeconds) else {
                throw CLIError("device play: \(input): longer than \(DeviceCommand.maximumSeconds) s")
            }
            let samples: [Int16]
            do { samples = try reader.readAll() } catch { throw CLIError(error.description) }
            let parameters = ALSAParameters(sampleRate: reader.sampleRate, channels: reader.channels, periodFrames: max(16, reader.sampleRate / 50), periods: 4)
            let result = try DeviceCommand.play(device: device, parameters: parameters, samples: samples)
            CLIEntryPoint.note("played \(result.frames) frames, \(result.xruns) xruns")
        }
    }

    struct EchoTest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "echo-test",
            abstract: "Play a test phrase, record at the same time, report round-trip delay and echo level.",
            discussion: "The phrase is a 3 s chirp-and-DTMF signal at −12 dBov. Exit 1 if no echo was detected."
        )
        @Option(help: "Capture device.") var capture: String
        @Option(help: "Playback device.") var playback: String
        @Option(help: "Sample rate in Hz (8000, 16000 or 48000).") var rate = 16_000
        @Option(name: .customLong("save-played"), help: "Also write the played test phrase to this WAV.") var savePlayed: String?
        @Option(name: .customLong("save-captured"), help: "Also write what was captured to this WAV.") var saveCaptured: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard [8000, 16000, 48000].contains(rate) else { throw CLIError("device echo-test: --rate must be 8000, 16000 or 48000") }
            let phrase = DeviceCommand.testPhrase(rate: rate)
            if let savePlayed { try AudioInput.writeWAV(phrase, to: savePlayed, rate: rate) }
            let parameters = ALSAParameters(sampleRate: rate, channels: 1, periodFrames: rate / 50, periods: 4)
            // Capture runs for the phrase plus the longest delay searched (1 s).
            let seconds = Double(phrase.count) / Double(rate) + 1
            let recorder = try DeviceCommand.startCapture(device: capture, parameters: parameters, seconds: seconds)
            let played: (frames: Int, xruns: Int)
            do { played = try DeviceCommand.play(device: playback, parameters: parameters, samples: phrase + [Int16](repeating: 0, count: rate)) } catch {
                _ = try? recorder.finish()
                throw error
            }
            let captured = try recorder.finish()
            if let saveCaptured { try AudioInput.writeWAV(captured.samples, to: saveCaptured, rate: rate) }
            let m = DeviceCommand.measureEcho(played: phrase, captured: captured.samples, rate: rate)
            if json {
                print(JSONOutput.object([
                    ("capture", .string(capture)), ("playback", .string(playback)), ("sampleRate", .int(rate)),
                    ("echoDetected", .bool(m.delayMs != nil)),
                    ("roundTripDelayMs", m.delayMs.map { .double(($0 * 10).rounded() / 10) } ?? .null),
                    ("echoLevelDb", m.levelDB.map { .double(($0 * 10).rounded() / 10) } ?? .null),
                    ("capturedXruns", .int(captured.xruns)), ("playbackXruns", .int(played.xruns)),
                ]).text)
            } else if let d = m.delayMs, let l = m.levelDB {
                print("round-trip delay \(String((d * 10).rounded() / 10)) ms, echo level \(String((l * 10).rounded() / 10)) dB relative to the played signal")
            } else {
                print("no echo detected")
            }
            if m.delayMs == nil { throw ExitCode(1) }
        }
    }

    // MARK: - Shared helpers

    /// A counter shared with the capture thread.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// A capture running into a lock-free queue, drained by the calling thread.
    final class Recorder {
        let capture: ALSACapture
        let ring: SPSCRingBuffer<Int16>
        let wanted: Int
        let overflow: Counter
        init(capture: ALSACapture, ring: SPSCRingBuffer<Int16>, wanted: Int, overflow: Counter) {
            self.capture = capture
            self.ring = ring
            self.wanted = wanted
            self.overflow = overflow
        }

        /// Drains until `wanted` samples arrived or capture stopped; returns them.
        func finish() throws -> (samples: [Int16], xruns: Int) {
            var samples: [Int16] = []
            samples.reserveCapacity(wanted)
            while samples.count < wanted {
                if let v = ring.pop() {
                    samples.append(v)
                } else if !capture.isRunning {
                    break
                } else {
                    usleep(2000)
                }
            }
            let error = capture.stop()
            while samples.count < wanted, let v = ring.pop() { samples.append(v) }
            if let error { throw CLIError("\(error)") }
            let lost = overflow.value.load(ordering: .relaxed)
            if lost > 0 { CLIEntryPoint.note("capture queue overflowed: \(lost) samples dropped") }
            return (samples, capture.xruns)
        }
    }

    static func startCapture(device: String, parameters: ALSAParameters, seconds: Double) throws -> Recorder {
        let wanted = Int(seconds * Double(parameters.sampleRate)) * parameters.channels
        // A queue holding the whole take up to 60 s, drained every couple of ms. A clocked device
        // never fills it; alsa-lib's unclocked software PCMs (null, file) deliver as fast as the
        // thread runs, so for them it must hold the take. Overflow is counted, never silent.
        let ring = SPSCRingBuffer<Int16>(minimumCapacity: max(1024, min(wanted + parameters.periodFrames * parameters.channels, 60 * parameters.sampleRate * parameters.channels)))
        let overflow = Counter()
        let capture: ALSACapture
        do {
            capture = try ALSACapture(device: device, requested: parameters) { period in
                for v in period where !ring.push(v) { overflow.value.add(1, ordering: .relaxed) }
            }
            try capture.start()
        } catch { throw CLIError("\(error)") }
        return Recorder(capture: capture, ring: ring, wanted: wanted, overflow: overflow)
    }

    static func capture(device: String, parameters: ALSAParameters, seconds: Double) throws -> (samples: [Int16], parameters: ALSAParameters, xruns: Int) {
        let r = try startCapture(device: device, parameters: parameters, seconds: seconds)
        let got = try r.finish()
        return (got.samples, r.capture.parameters, got.xruns)
    }

    static func play(device: String, parameters: ALSAParameters, samples: [Int16]) throws -> (frames: Int, xruns: Int) {
        let position = Atomic<Int>(0)
        let playback: ALSAPlayback
        do {
            playback = try ALSAPlayback(device: device, requested: parameters) { buffer in
                let p = position.load(ordering: .relaxed)
                let n = min(buffer.count, samples.count - p)
                for i in 0..<n { buffer[i] = samples[p + i] }
                position.store(p + n, ordering: .relaxed)
                return p + n < samples.count
            }
            guard playback.parameters.sampleRate == parameters.sampleRate, playback.parameters.channels == parameters.channels else {
                throw CLIError("\(device) cannot play \(parameters.channels) channel(s) at \(parameters.sampleRate) Hz (offers \(playback.parameters.channels) at \(playback.parameters.sampleRate) Hz)")
            }
            try playback.start()
        } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
        if let error = playback.waitUntilFinished() { throw CLIError("\(error)") }
        return (playback.frames, playback.xruns)
    }

    /// 0.2 s silence, a 1 s 300–3400 Hz chirp, DTMF "1590", a second chirp: broadband and
    /// unmistakable, at about −12 dBov.
    static func testPhrase(rate: Int) -> [Int16] {
        func chirp() -> [Int16] {
            var phase = 0.0
            let count = rate
            return (0..<count).map { i in
                let f = 300 + 3100 * Double(i) / Double(count)
                phase += 2 * Double.pi * f / Double(rate)
                return Int16(8000 * sin(phase))
            }
        }
        let dtmf = DTMFGenerator.samples(for: Array("1590".compactMap(DTMFDigit.init)), sampleRate: SampleRate(hertz: rate))
        return [Int16](repeating: 0, count: rate / 5) + chirp() + dtmf + chirp()
    }

    /// Round-trip delay (GCC-PHAT, `EchoDelayEstimator`) and echo level (dB of the captured
    /// echo relative to the played signal, after alignment).
    static func measureEcho(played: [Int16], captured: [Int16], rate: Int) -> (delayMs: Double?, levelDB: Double?) {
        var estimator = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate), maxDelayMilliseconds: 1000)
        let n = rate / 50
        let total = min(captured.count, played.count + rate)
        var i = 0
        while i + n <= total {
            let far = (i..<(i + n)).map { $0 < played.count ? played[$0] : 0 }
            captured[i..<(i + n)].withUnsafeBufferPointer { c in
                far.withUnsafeBufferPointer { f in _ = estimator.process(far: f, near: c) }
            }
            i += n
        }
        guard let d = estimator.delaySamples else { return (nil, nil) }
        var pe = 0.0, ce = 0.0
        for k in 0..<played.count where k + d < captured.count {
            pe += Double(played[k]) * Double(played[k])
            ce += Double(captured[k + d]) * Double(captured[k + d])
        }
        guard pe > 0, ce > 0 else { return (estimator.delayMilliseconds, nil) }
        return (estimator.delayMilliseconds, 10 * log10(ce / pe))
    }
}
