import Foundation
import Testing
import TimbreAudioFile
import TimbreGreetings
import TimbreTestSupport

@Suite struct GreetingConverterTests {
    func level(_ path: String) throws -> ActiveSpeechLevel {
        let (s, rate) = try AudioFileReader.readMono(path: path)
        let f = s.map { Float($0) / 32768 }
        return f.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: rate) }
    }

    @Test(arguments: [
        ("speech-en-female-48k.wav", [String]()),  // 48 kHz
        ("speech-zh-16k.wav", ["-c", "2"]),  // stereo 16 kHz
        ("speech-fr-8k.wav", ["-e", "u-law"]),
    ])
    func convertsToDefaultProfileFormat(input: String, soxOptions: [String]) throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let src = try s.sox("in.wav", from: input, soxOptions)
        let out = s.path("out.wav")
        let r = try GreetingConverter().convert(input: src, output: out)
        #expect(r.report.valid && r.report.file == out)
        #expect(r.report.format.encoding == .pcm16 && r.report.format.sampleRate == 8000 && r.report.format.channels == 1)
        // Without --trim the duration is kept.
        #expect(abs((r.report.format.durationSeconds ?? 0) - 4.5) < 0.002)
        // Content survives: ffmpeg's own 8 kHz mono conversion of the source has the same level.
        let ref = s.path("ref.wav")
        try GreetingSamples.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", src, "-ar", "8000", "-ac", "1", "-c:a", "pcm_s16le", ref])
        #expect(abs(try level(out).levelDB - level(ref).levelDB) < 0.5)
        #expect(try GreetingValidator().validate(path: out).valid)
        // No stray temporary files.
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.directory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test(arguments: [(GreetingEncoding.alaw, "out.wav"), (.ulaw, "out.wav"), (.gsm610, "out.gsm"), (.pcm16, "out.wav")])
    func everyYeastarEncodingFromMP3(encoding: GreetingEncoding, name: String) throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let mp3 = try s.ffmpeg("in.mp3", from: "speech-en-male-48k.wav", ["-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"])
        let out = s.path(name)
        let r = try GreetingConverter(options: .init(encoding: encoding)).convert(input: mp3, output: out)
        #expect(r.report.valid && r.report.format.encoding == encoding)
        // sox (the oracle) reads the result at 8 kHz mono.
        let info = try TimbreShell.output("soxi", [out])
        #expect(info.contains("Sample Rate    : 8000") && info.contains("Channels       : 1"))
    }

    @Test func rawGSMInput() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let gsm = try s.sox("in.gsm")
        let r = try GreetingConverter(options: .init(encoding: .ulaw)).convert(input: gsm, output: s.path("o.wav"))
        #expect(r.report.valid && abs((r.report.format.durationSeconds ?? 0) - 4.5) < 0.03)
    }

    @Test func normalizesToP56Target() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let quiet = try s.sox("quiet.wav", from: "speech-en-female-16k.wav", effects: ["gain", "-20"])
        for target in [-26.0, -20.0, -30.0] {
            let out = s.path("n\(Int(-target)).wav")
            let r = try GreetingConverter(options: .init(normalizeTo: target)).convert(input: quiet, output: out)
            #expect(abs(try level(out).levelDB - target) < 0.3, "target \(target)")
            #expect(r.gainDB > 0)
        }
    }

    @Test func trimsLeadingAndTrailingSilenceOnlyWhenAsked() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let padded = try s.sox("padded.wav", effects: ["pad", "1.5", "2"])
        let kept = try GreetingConverter().convert(input: padded, output: s.path("k.wav"))
        #expect(abs((kept.report.format.durationSeconds ?? 0) - 8.0) < 0.002)
        let t = try GreetingConverter(options: .init(trimSilence: true)).convert(input: padded, output: s.path("t.wav"))
        let d = t.report.format.durationSeconds ?? 0
        #expect(d > 4.0 && d < 4.7, "\(d)")
        #expect(abs(t.trimmedSeconds - (8.0 - d)) < 0.001)
    }

    @Test func refusesBadRequestsAndInputs() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let src = Fixtures.sampleAudio("speech-fr-8k.wav")
        #expect(throws: GreetingConverter.Failure.self) {
            try GreetingConverter(options: .init(profile: .threeCX, encoding: .ulaw)).convert(input: src, output: s.path("o.wav"))
        }
        #expect(throws: GreetingConverter.Failure.self) {
            try GreetingConverter(options: .init(encoding: .gsm610)).convert(input: src, output: s.path("o.wav"))  // wrong extension
        }
        let junk = try s.write("junk.wav", [UInt8](repeating: 0x41, count: 3000))
        #expect(throws: GreetingConverter.Failure.self) { try GreetingConverter().convert(input: junk, output: s.path("o.wav")) }
        #expect(throws: GreetingConverter.Failure.self) { try GreetingConverter().convert(input: s.path("missing.wav"), output: s.path("o.wav")) }
        #expect(!FileManager.default.fileExists(atPath: s.path("o.wav")))
    }
}

@Suite struct ActiveSpeechLevelTests {
    @Test func sineIsItsRMSLevel() {
        let x = SignalGenerator.sine(frequency: 1000, sampleRate: 8000, count: 16000, amplitude: 0.5).map { Float($0) / 32768 }
        let l = x.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: 8000) }
        #expect(abs(l.levelDB - (20 * log10(0.5) - 3.01)) < 0.1)
        #expect(l.activityFactor > 0.95)
    }

    @Test func pausesDoNotLowerTheActiveLevel() throws {
        let (speech, rate) = try AudioFileReader.readMono(path: Fixtures.sampleAudio("speech-en-male-8k.wav"))
        let f = speech.map { Float($0) / 32768 }
        let withGap = f + [Float](repeating: 0, count: f.count * 2) + f
        let a = f.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: rate) }
        let b = withGap.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: rate) }
        #expect(abs(a.levelDB - b.levelDB) < 0.5)
        #expect(b.activityFactor < a.activityFactor * 0.6)
        let silent = [Float](repeating: 0, count: 8000)
        #expect(silent.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: 8000) }.levelDB == -.infinity)
    }
}

enum TimbreShell {
    static func output(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let d = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: d, as: UTF8.self)
    }
}
