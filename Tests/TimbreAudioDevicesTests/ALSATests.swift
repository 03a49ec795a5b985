import Synchronization
import Testing
import TimbreAudioDevices
import TimbreCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs alsa-lib's real code paths through its software PCMs: `null`, and the `file` plugin
/// defined by configuration text given to `snd_pcm_open_lconf`. No sound card is needed.
@Suite struct ALSATests {
    static func temporaryPath(_ name: String) -> String { "/tmp/timbre-alsa-tests-\(getpid())-\(name)" }

    static func fileDevice(_ name: String, out: String, in input: String? = nil) -> String {
        var text = "pcm.\(name) { type file slave.pcm \"null\" file \"\(out)\" format \"raw\""
        if let input { text += " infile \"\(input)\"" }
        return text + " }\n"
    }

    static func readFile(_ path: String) -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    @Test func listsTheNullDevice() throws {
        let devices = try ALSADevice.list()
        #expect(devices.contains { $0.name == "null" })
        #expect(devices.count <= 1024)
    }

    @Test func negotiatesParametersOnNull() throws {
        let pcm = try ALSAPCM(device: "null", stream: .playback, requested: ALSAParameters(sampleRate: 16000, channels: 1, periodFrames: 320, periods: 4))
        #expect(pcm.parameters.sampleRate == 16000)
        #expect(pcm.parameters.channels == 1)
        #expect(pcm.parameters.periodFrames == 320)
        #expect(pcm.parameters.periods == 4)
        let frame = [Int16](repeating: 100, count: 320)
        try frame.withUnsafeBufferPointer { try pcm.write($0) }
        #expect(pcm.frames == 320)
    }

    @Test func playbackThroughTheFilePluginWritesExactlyOurSamples() throws {
        let out = Self.temporaryPath("play.raw")
        defer { unlink(out) }
        let samples = SignalGeneratorLite.ramp(count: 8000 * 2)
        let position = Mutex(0)
        do {
            let playback = try ALSAPlayback(
                device: "timbreplay", requested: ALSAParameters(sampleRate: 8000, channels: 1, periodFrames: 160, periods: 4),
                configuration: Self.fileDevice("timbreplay", out: out)
            ) { buffer in
                position.withLock { p in
                    let n = min(buffer.count, samples.count - p)
                    for i in 0..<n { buffer[i] = samples[p + i] }
                    p += n
                    return p < samples.count
                }
            }
            try playback.start()
            #expect(playback.waitUntilFinished() == nil)
            #expect(playback.frames == samples.count)
            #expect(playback.xruns == 0)
        }
        let bytes = Self.readFile(out)
        let written = stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
        #expect(written.count == samples.count)
        #expect(written == samples)
    }

    @Test func captureThreadReadsTheFilePluginInput() throws {
        let input = Self.temporaryPath("in.raw")
        let out = Self.temporaryPath("cap.raw")
        defer {
            unlink(input)
            unlink(out)
        }
        let samples = SignalGeneratorLite.ramp(count: 4000)
        let f = fopen(input, "wb")!
        _ = samples.withUnsafeBufferPointer { fwrite($0.baseAddress, 2, $0.count, f) }
        fclose(f)
        let ring = SPSCRingBuffer<Int16>(minimumCapacity: 1 << 16)
        let capture = try ALSACapture(
            device: "timbrecap", requested: ALSAParameters(sampleRate: 8000, channels: 1, periodFrames: 160, periods: 4),
            configuration: Self.fileDevice("timbrecap", out: out, in: input)
        ) { period in
            for v in period { _ = ring.push(v) }
        }
        try capture.start()
        #expect(throws: ALSAError.notStartable) { try capture.start() }
        // The null slave is not clocked: periods arrive as fast as the thread runs.
        var spins = 0
        while ring.count < samples.count && spins < 10_000 {
            usleep(1000)
            spins += 1
        }
        #expect(capture.stop() == nil)
        #expect(!capture.isRunning)
        var got: [Int16] = []
        while let v = ring.pop(), got.count < samples.count { got.append(v) }
        #expect(got == samples)
        #expect(capture.frames >= samples.count)
    }

    @Test func unknownDeviceIsATypedError() {
        do {
            _ = try ALSAPCM(device: "no-such-device-timbre", stream: .capture, requested: ALSAParameters())
            Issue.record("opened a device that does not exist")
        } catch {
            guard case .openFailed(let name, let code, let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(name == "no-such-device-timbre" && code < 0 && !message.isEmpty)
        }
        #expect(throws: ALSAError.self) { try ALSAPCM(device: "hw:97,0", stream: .playback, requested: ALSAParameters()) }
    }

    @Test func badConfigurationAndParametersAreTypedErrors() {
        do {
            _ = try ALSAPCM(device: "x", stream: .playback, requested: ALSAParameters(), configuration: "pcm.x { type file ")
            Issue.record("parsed broken configuration")
        } catch {
            guard case .invalidConfiguration = error else {
                Issue.record("wrong error \(error)")
                return
            }
        }
        #expect(throws: ALSAError.invalidParameters("sample rate 0 Hz")) { try ALSAPCM(device: "null", stream: .playback, requested: ALSAParameters(sampleRate: 0)) }
        #expect(throws: ALSAError.invalidParameters("0 channels")) { try ALSAPCM(device: "null", stream: .playback, requested: ALSAParameters(channels: 0)) }
        #expect(throws: ALSAError.invalidParameters("period of 1 frames")) { try ALSAPCM(device: "null", stream: .capture, requested: ALSAParameters(periodFrames: 1)) }
    }

    @Test func xrunsAreRecoveredAndCountedDisconnectsStop() throws {
        let pcm = try ALSAPCM(device: "null", stream: .playback, requested: ALSAParameters(sampleRate: 8000, periodFrames: 160))
        try pcm._recover(fromErrorCode: -EPIPE)
        try pcm._recover(fromErrorCode: -EPIPE)
        #expect(pcm.xruns == 2)
        #expect(throws: ALSAError.deviceDisconnected(device: "null")) { try pcm._recover(fromErrorCode: -ENODEV) }
        // After recovery the stream still works.
        let frame = [Int16](repeating: 1, count: 160)
        try frame.withUnsafeBufferPointer { try pcm.write($0) }
    }

    @Test func playbackThreadStopsCleanlyMidStream() throws {
        let playback = try ALSAPlayback(device: "null", requested: ALSAParameters(sampleRate: 48000, channels: 2, periodFrames: 480)) { buffer in
            for i in 0..<buffer.count { buffer[i] = Int16(truncatingIfNeeded: i) }
            return true
        }
        #expect(playback.parameters.channels == 2)
        try playback.start()
        while playback.frames < 48000 { usleep(1000) }
        #expect(playback.stop() == nil)
        #expect(!playback.isRunning)
    }
}

enum SignalGeneratorLite {
    /// A ramp that never repeats within 65536 samples: any dropped or moved sample shows.
    static func ramp(count: Int) -> [Int16] { (0..<count).map { Int16(truncatingIfNeeded: $0 &* 7 &+ 3) } }
}
