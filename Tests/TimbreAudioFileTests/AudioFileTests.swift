import Foundation
import Testing
@testable import TimbreAudioFile
import TimbreTestSupport

@Suite struct AudioFileTests {
    let dir = ScratchDirectory.make("timbre-audiofile")

    @Test func readsSampleAudioWithItsFormat() throws {
        let r = try AudioFileReader(path: Fixtures.sampleAudio("speech-en-male-8k.wav"))
        #expect(r.sampleRate == 8000 && r.channels == 1)
        #expect(r.format == .wavPCM16)
        let s = try r.readAll()
        #expect(s.count == r.frameCount && s.count == 36000)
        #expect(r.wavHeader?.declaredDataSize == 72000)
    }

    @Test(arguments: [AudioFileFormat.wavPCM16, .wavALaw, .wavULaw, .flac16, .oggOpus])
    func writesAndReadsBack(format: AudioFileFormat) throws {
        let path = dir + "/out-\(format.encoding.rawValue).\(format.container.rawValue)"
        let tone = SignalGenerator.sine(frequency: 440, sampleRate: 16000, count: 16000)
        try AudioFileWriter.write(tone, to: path, sampleRate: 16000, format: format)
        let r = try AudioFileReader(path: path)
        #expect(r.format == format)
        let back = try r.readAllMono()
        #expect(abs(back.count - tone.count) <= 960, "Opus may pad to whole packets")
        if format == .wavPCM16 || format == .flac16 { #expect(back == tone) }
    }

    @Test func missingFileIsNotFound() {
        #expect(throws: AudioFileError.notFound(path: "/nonexistent/x.wav")) {
            try AudioFileReader(path: "/nonexistent/x.wav")
        }
    }

    @Test func directoryAndTextAreRejected() throws {
        #expect(throws: AudioFileError.isDirectory(path: dir)) { try AudioFileReader(path: dir) }
        let text = dir + "/notes.wav"
        try "hello, this is not audio at all\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect {
            try AudioFileReader(path: text)
        } throws: { error in
            if case .notAudio = error as? AudioFileError { return true }
            return false
        }
        let empty = dir + "/empty.wav"
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: AudioFileError.notAudio(path: empty, reason: "empty file")) { try AudioFileReader(path: empty) }
    }

    @Test func truncatedAndLyingHeadersAreErrors() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: Fixtures.sampleAudio("tone-1khz-8k.wav")))
        // Cut the file in half: the data chunk now claims more than the file holds.
        let cut = dir + "/cut.wav"
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect {
            try AudioFileReader(path: cut)
        } throws: { error in
            guard case .truncated(_, let why) = error as? AudioFileError else { return false }
            return why.contains("data chunk declares 16000 bytes")
        }
        // Zero channels in the fmt chunk.
        var zero = good
        zero[22] = 0
        zero[23] = 0
        let zpath = dir + "/zero.wav"
        try zero.write(to: URL(fileURLWithPath: zpath))
        #expect(throws: AudioFileError.invalidHeader(path: zpath, reason: "header declares zero channels")) {
            try AudioFileReader(path: zpath)
        }
        // Only the RIFF header.
        let stub = dir + "/stub.wav"
        try good.prefix(12).write(to: URL(fileURLWithPath: stub))
        #expect(throws: AudioFileError.self) { try AudioFileReader(path: stub) }
    }

    @Test func headerUpdateMakesAnUnclosedWAVValid() throws {
        let path = dir + "/live.wav"
        let w = try AudioFileWriter(path: path, format: .wavPCM16, sampleRate: 8000)
        try w.write(SignalGenerator.sine(frequency: 300, sampleRate: 8000, count: 8000))
        w.updateHeader()
        w.flush()
        // Read while the writer is still open, as a crash would leave it.
        let r = try AudioFileReader(path: path)
        #expect(r.frameCount == 8000)
        try w.close()
    }
}
