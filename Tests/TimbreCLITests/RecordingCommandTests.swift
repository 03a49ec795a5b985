import Foundation
import Testing
import TimbreTestSupport

@Suite struct RecordingCommandTests {
    @Test func captureThenRepair() throws {
        let d = try CLI.tempDir(); defer { try? FileManager.default.removeItem(atPath: d) }
        let out = d + "/r.wav"
        let c = try CLI.run(["recording", "capture", "--seconds", "1", "--pause-at", "0.2", "--resume-at", "0.6", out])
        #expect(c.status == 0)
        #expect(c.stdout.split(separator: "\n") == ["started", "paused 0.2", "resumed 0.2", "stopped 0.6"])
        let r = try CLI.run(["recording", "repair", out])
        #expect(r.status == 0 && r.stdout.contains("already valid: 4800 frames"))
        #expect(try CLI.run(["recording", "repair", d + "/missing.wav"]).status == 2)
        #expect(try CLI.run(["recording", "capture", "--rate", "44100", out]).status == 2)
        #expect(try CLI.run(["recording", "capture", "--format", "mp3", out]).status == 2)
    }
}
