import Testing
import TimbreConference
import TimbreCore
import Foundation
import Synchronization

@Suite struct ConferenceControllerTests {
    @Test func hostOnlyOperationsRefuseMembers() throws {
        let bridge = MixMinusBridge()
        let c = bridge.controller
        let host = try c.join(as: .host, sampleRate: .wideband)
        let a = try c.join(sampleRate: .narrowband)
        let b = try c.join(sampleRate: .fullband)
        #expect(throws: ConferenceError.notHost(a)) { try c.setMuted(true, b, by: a) }
        #expect(throws: ConferenceError.notHost(a)) { try c.remove(b, by: a) }
        #expect(throws: ConferenceError.notHost(a)) { try c.end(by: a) }
        #expect(throws: ConferenceError.notHost(a)) { try c.setRecording(true, by: a) }
        #expect(throws: ConferenceError.notHost(a)) { try c.setHold(true, b, by: a) }
        #expect(throws: ConferenceError.hostAlreadyPresent) { try c.join(as: .host, sampleRate: .wideband) }
        // Refused operations changed nothing.
        #expect(c.settings(of: b) == ParticipantSettings(role: .member))
        // Members may change themselves.
        try c.setMuted(true, a, by: a)
        #expect(c.settings(of: a)?.selfMuted == true)
        try c.setMuted(true, b, by: host)
        #expect(throws: ConferenceError.mutedByHost(b)) { try c.setMuted(false, b, by: b) }
        try c.remove(b, by: host)
        #expect(throws: ConferenceError.unknownParticipant(b)) { try c.setMuted(false, b, by: host) }
        #expect(c.participantCount == 2)
    }

    @Test func badJoinsAreRefused() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 2
        let c = MixMinusBridge(configuration: config).controller
        #expect(throws: ConferenceError.unsupportedSampleRate(44_100)) { try c.join(sampleRate: .cd) }
        _ = try c.join(as: .host, sampleRate: .wideband)
        _ = try c.join(sampleRate: .wideband)
        #expect(throws: ConferenceError.conferenceFull(maximum: 2)) { try c.join(sampleRate: .wideband) }
        #expect(throws: ConferenceError.unknownParticipant(ParticipantID(rawValue: 12345))) {
            try c.leave(ParticipantID(rawValue: 12345))
        }
    }

    /// The seeds' behaviour: the host leaves, recording stops, the others carry on, nobody new joins.
    @Test func hostLeavingStopsRecordingAndInvites() throws {
        var h = BridgeHarness()
        let c = h.bridge.controller
        let host = try c.join(as: .host, sampleRate: .wideband)
        let a = try c.join(sampleRate: .wideband)
        let b = try c.join(sampleRate: .wideband)
        let sa = sine(500, rate: 16_000, count: 16_000, amplitude: 4000)
        h.add(host, signal: [Int16](repeating: 0, count: 16_000))
        h.add(a, signal: sa)
        h.add(b, signal: [Int16](repeating: 0, count: 16_000))
        h.bridge.applyPendingCommands()
        try c.setRecording(true, by: host)
        h.run(frames: 5)
        try c.leave(host)
        h.run(frames: 5)
        #expect(c.isRecording == false)
        #expect(c.host == nil)
        #expect(h.events.contains { $0.kind == .recordingStopped })
        #expect(throws: ConferenceError.noNewInvitesWithoutHost) { try c.join(sampleRate: .wideband) }
        #expect(Array(h.heard[b]![(8 * 320)..<(10 * 320)]) == Array(sa[(8 * 320)..<(10 * 320)]))
    }

    @Test func hostLeavingCanEndTheConference() throws {
        var config = BridgeConfiguration()
        config.hostLeavePolicy = HostLeavePolicy(continuation: .endConference)
        var h = BridgeHarness(config)
        let c = h.bridge.controller
        let host = try c.join(as: .host, sampleRate: .wideband)
        let a = try c.join(sampleRate: .wideband)
        h.add(host, signal: [])
        h.add(a, signal: [])
        h.bridge.applyPendingCommands()
        h.run(frames: 2)
        try c.leave(host)
        h.run(frames: 3)
        #expect(c.isEnded)
        #expect(h.events.contains { $0.kind == .left(a) })
        #expect(h.events.contains { $0.kind == .conferenceEnded })
        #expect(throws: ConferenceError.conferenceEnded) { try c.join(sampleRate: .wideband) }
    }

    /// Control calls from another thread while the media thread mixes: the queue carries them
    /// without a lock on the frame path, and the final state is what the control thread did.
    @Test func controlFromAnotherThreadWhileMixing() throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = 20
        let bridge = MixMinusBridge(configuration: config)
        let controller = bridge.controller
        let host = try controller.join(as: .host, sampleRate: .wideband)
        bridge.applyPendingCommands()
        let flag = DoneFlag()
        let thread = Thread {
            var joined: [ParticipantID] = []
            for i in 0..<40 {
                if let id = try? controller.join(sampleRate: i % 2 == 0 ? .narrowband : .wideband) { joined.append(id) }
                if let id = joined.last { try? controller.setMuted(true, id, by: host) }
                if joined.count > 5 { try? controller.leave(joined.removeFirst()) }
            }
            flag.done.store(true, ordering: .releasing)
        }
        thread.start()
        let frame = [Int16](repeating: 100, count: 320)
        var frames = 0
        while !flag.done.load(ordering: .acquiring) || frames < 10 {
            frame.withUnsafeBufferPointer { _ = bridge.write($0, from: host) }
            bridge.mix()
            frames += 1
            while bridge.nextEvent() != nil {}
        }
        for _ in 0..<3 { bridge.mix() }
        #expect(controller.participantCount == 6)
        #expect(controller.host == host)
    }
}

final class DoneFlag: Sendable {
    let done = Atomic<Bool>(false)
}
