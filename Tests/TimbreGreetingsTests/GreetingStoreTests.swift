import Foundation
import Testing
import TimbreGreetings
import TimbreTestSupport

@Suite struct GreetingStoreTests {
    @Test func addListGetDeleteAndLimits() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let store = GreetingStore(root: s.path("store"))
        let good = Fixtures.sampleAudio("speech-en-male-8k.wav")
        #expect(try store.list(mailbox: "1001").isEmpty)
        for i in 0..<GreetingStore.maximumPerMailbox { try store.add(mailbox: "1001", name: "g\(i)", from: good) }
        #expect(try store.list(mailbox: "1001").count == 10)
        #expect(throws: GreetingStore.Failure.mailboxFull(mailbox: "1001", limit: 10)) { try store.add(mailbox: "1001", name: "g10", from: good) }
        // Other mailboxes are independent.
        try store.add(mailbox: "1002", name: "busy", from: s.sox("g.gsm"))
        #expect(try store.get(mailbox: "1002", name: "BUSY").format.container == .gsm)
        // Unique names (ignoring case), checked before the limit.
        try store.delete(mailbox: "1001", name: "g3")
        #expect(throws: GreetingStore.Failure.duplicateName("G4")) { try store.add(mailbox: "1001", name: "G4", from: good) }
        try store.add(mailbox: "1001", name: "g10", from: good)
        #expect(try store.list(mailbox: "1001").map(\.name).sorted() == ["g0", "g1", "g10", "g2", "g4", "g5", "g6", "g7", "g8", "g9"])
        #expect(throws: GreetingStore.Failure.notFound("g3")) { try store.get(mailbox: "1001", name: "g3") }
        #expect(throws: GreetingStore.Failure.notFound("nope")) { try store.delete(mailbox: "1001", name: "nope") }
        // A mailbox nobody has written to: not found, not an I/O error about its lock file.
        #expect(throws: GreetingStore.Failure.notFound("x")) { try store.delete(mailbox: "9999", name: "x") }
        // Stored bytes are the source's bytes, and no temporary files linger.
        #expect(try s.bytes(store.get(mailbox: "1001", name: "g0").path) == s.bytes(good))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path("store/1001")).filter { $0.contains("tmp") }.isEmpty)
    }

    @Test func rejectsBadNamesAndInvalidFiles() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let store = GreetingStore(root: s.path("store"))
        let good = Fixtures.sampleAudio("speech-en-male-8k.wav")
        for bad in ["", "../etc", "a/b", "with space", "dot.name", String(repeating: "x", count: 65), "é"] {
            #expect(throws: GreetingStore.Failure.invalidName(bad)) { try store.add(mailbox: "1001", name: bad, from: good) }
        }
        #expect(throws: GreetingStore.Failure.invalidMailbox("..")) { try store.add(mailbox: "..", name: "x", from: good) }
        do {
            try store.add(mailbox: "1001", name: "wide", from: Fixtures.sampleAudio("speech-en-male-16k.wav"))
            Issue.record("a 16 kHz file was stored")
        } catch {
            guard case .invalidGreeting(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.problems.map(\.code) == [.unsupportedSampleRate])
        }
        #expect(try store.list(mailbox: "1001").isEmpty)
        // A file that stops validating (damaged on disk) is no longer listed.
        try store.add(mailbox: "1001", name: "ok", from: good)
        let p = try store.get(mailbox: "1001", name: "ok").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: p))
        #expect(try store.list(mailbox: "1001").isEmpty)
    }

    @Test func concurrentAddsRespectTheLimit() throws {
        let s = try GreetingSamples(); defer { s.remove() }
        let store = GreetingStore(root: s.path("store"))
        let good = Fixtures.sampleAudio("speech-en-male-8k.wav")
        DispatchQueue.concurrentPerform(iterations: 16) { i in _ = try? store.add(mailbox: "7", name: "n\(i % 12)", from: good) }
        let names = try store.list(mailbox: "7").map(\.name)
        #expect(names.count == 10 && Set(names).count == 10)
    }
}
