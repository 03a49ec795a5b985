import Testing
import TimbreHID

/// Drives the state machine with input reports as each real device sends them (built from its
/// descriptor's bit positions).
@Suite struct HeadsetCallControlTests {
    /// A headset plus the host state it shares, with a millisecond clock.
    struct Rig {
        var machine: HeadsetCallControl
        var host = HostState()
        var ms: UInt64 = 0

        init(_ name: String, policy: CallControlPolicy = CallControlPolicy()) throws {
            machine = HeadsetCallControl(controls: try DescriptorFixtures.controls(name), policy: policy, assumeIdleWritten: true)
        }

        /// Sends one report 100 ms after the previous one; returns the event names.
        mutating func send(_ bytes: [UInt8], after gap: UInt64 = 100) -> [String] {
            ms += gap
            let now = ms * 1_000_000
            return bytes.withUnsafeBytes { machine.handleInput($0, at: now, host: &host) }.map(\.name)
        }

        mutating func writes() -> [[UInt8]] { machine.pendingWrites(for: host).map(\.bytes) }
    }

    // Jabra report 0x02 payload bits: hook 0x01, line busy 0x02, mute 0x04, flash 0x08, redial 0x10,
    // Button 7 (reject) 0x40.

    @Test func answerMuteHoldResumeHangUpOnJabra() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host.call = .ringing
        #expect(r.writes() == [[0x02, 0x04, 0x00]])  // Ring
        #expect(r.send([0x02, 0x03, 0x00]) == ["answer"])  // hook + line busy
        #expect(r.host.call == .active)
        #expect(r.writes() == [[0x02, 0x01, 0x00]])  // Off-Hook confirms the answer, Ring off
        #expect(r.send([0x02, 0x07, 0x00]) == ["mute"])
        #expect(r.writes() == [[0x02, 0x13, 0x00]])  // Off-Hook + Mute + Microphone
        #expect(r.send([0x02, 0x03, 0x00]) == [])  // release
        #expect(r.writes() == [])  // nothing written because input ended
        #expect(r.send([0x02, 0x03, 0x00]) == [])  // identical repeat
        #expect(r.send([0x02, 0x07, 0x00]) == ["unmute"])
        #expect(r.send([0x02, 0x0B, 0x00]) == ["hold"])
        #expect(r.writes() == [[0x02, 0x09, 0x00]])  // hold keeps Off-Hook on
        #expect(r.send([0x02, 0x03, 0x00]) == [])
        #expect(r.send([0x02, 0x0B, 0x00]) == ["resume"])
        #expect(r.send([0x02, 0x00, 0x00]) == ["hangUp"])
        #expect(r.host.call == .idle)
        #expect(r.writes() == [[0x02, 0x00, 0x00]])
    }

    @Test func hookEchoOfTheHostsOffHookIsNotAnEvent() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host.call = .active  // answered in the UI
        #expect(r.writes() == [[0x02, 0x01, 0x00]])
        #expect(r.send([0x02, 0x01, 0x00]) == [])  // the headset confirms Off-Hook
        r.host.call = .idle  // hung up in the UI
        _ = r.writes()
        #expect(r.send([0x02, 0x00, 0x00]) == [])  // and confirms on-hook
        // A headset already off-hook while idle, then a call rings: no spurious event.
        #expect(r.send([0x02, 0x01, 0x00]) == [])
        r.host.call = .ringing
        #expect(r.send([0x02, 0x00, 0x00]) == [])
        #expect(r.send([0x02, 0x01, 0x00]) == ["answer"])
    }

    @Test func rejectWhileRingingAndRejectKeyIgnoredOtherwise() throws {
        var r = try Rig("jabra-evolve-link-ms")
        #expect(r.send([0x02, 0x40, 0x00]) == [])
        #expect(r.send([0x02, 0x00, 0x00]) == [])
        r.host.call = .ringing
        #expect(r.send([0x02, 0x40, 0x00]) == ["reject"])
        #expect(r.host.call == .idle)
    }

    @Test func waitingCallFlashAnswersAndHangUpLeavesItRinging() throws {
        var r = try Rig("yealink-wh66")
        r.host.call = .waiting
        #expect(r.writes() == [[0x02, 0x05, 0x00]])  // Off-Hook + Ring
        #expect(r.send([0x02, 0x09, 0x00]) == ["answerWaiting"])
        #expect(r.host.call == .active)
        r.host.call = .waiting
        #expect(r.send([0x02, 0x00, 0x00]) == ["hangUp"])  // hook 1 → 0 ends the active call
        #expect(r.host.call == .ringing)
    }

    @Test func flashOutsideACallIsAPlainFlashAndRedialIsReported() throws {
        var r = try Rig("jabra-evolve-link-ms")
        #expect(r.send([0x02, 0x18, 0x00]) == ["flash", "redial"])
        #expect(r.host.call == .idle)
    }

    @Test func otherReportIDsProduceNothing() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host.call = .ringing
        #expect(r.send([0x04, 0x01, 0x00]) == [])  // vendor mirror
        #expect(r.send([0x01, 0x03, 0x00]) == [])  // consumer collection volume keys
        #expect(r.send([0x05] + [UInt8](repeating: 0xFF, count: 32)) == [])
        #expect(r.host.call == .ringing)
    }

    @Test func plantronicsPerLEDReports() throws {
        // Report 0x08 bits: mute 0x01, hook 0x02, flash 0x04 (absolute), redial 0x08, programmable 0x10.
        var r = try Rig("plantronics-blackwire-c5220")
        r.host.call = .ringing
        #expect(r.writes() == [[0x18, 0x01]])
        #expect(r.send([0x08, 0x02]) == ["answer"])
        #expect(r.writes() == [[0x17, 0x01], [0x18, 0x00]])
        #expect(r.send([0x08, 0x03]) == ["mute"])
        #expect(r.writes() == [[0x09, 0x01]])
        #expect(r.send([0x08, 0x06]) == ["hold"])  // mute released, flash pressed
        #expect(r.writes() == [[0x20, 0x01]])
        r.host.call = .idle
        #expect(r.writes() == [[0x09, 0x00], [0x17, 0x00], [0x20, 0x00]])
    }

    @Test func relativeHookOnJLabToggles() throws {
        // Report 0x0B bits: hook 0x01 (relative), mute 0x02, redial 0x04, flash 0x08, drop 0x10, button 0x20.
        var r = try Rig("jlab-realtek-teams-headset-firmware")
        r.host.call = .ringing
        #expect(r.send([0x0B, 0x01]) == ["answer"])
        #expect(r.send([0x0B, 0x00]) == [])  // the release
        #expect(r.send([0x0B, 0x01]) == ["hangUp"])
        #expect(r.send([0x0B, 0x00]) == [])
        #expect(r.send([0x0B, 0x01]) == [])  // idle: nothing to answer
        r.host.call = .ringing
        #expect(r.send([0x0B, 0x10]) == ["reject"])  // Drop
        r.host.call = .active
        #expect(r.send([0x0B, 0x00]) == [])
        #expect(r.send([0x0B, 0x10]) == ["hangUp"])
    }

    @Test func eposArrayRejectKey() throws {
        var r = try Rig("epos-impact-d1")
        r.host.call = .ringing
        #expect(r.writes() == [[0x03, 0x04]])
        #expect(r.send([0x02, 0x20]) == ["reject"])
        #expect(r.writes() == [[0x03, 0x00]])
    }

    @Test func muteFollowsHostStateAndIdleTurnsItOff() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host = HostState(call: .active, muted: true)
        #expect(r.writes() == [[0x02, 0x13, 0x00]])
        r.host.call = .idle
        #expect(r.writes() == [[0x02, 0x00, 0x00]])  // Mute LED off although the host stays muted
        #expect(r.send([0x02, 0x04, 0x00]) == ["unmute"])  // host mute was on: next press unmutes
    }

    @Test func bounceWithinTheWindowIsDropped() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host.call = .active
        #expect(r.send([0x02, 0x05, 0x00]) == ["mute"])
        #expect(r.send([0x02, 0x01, 0x00], after: 2) == [])
        #expect(r.send([0x02, 0x05, 0x00], after: 2) == [])  // bounce: 2 ms after the release
        #expect(r.host.muted)
        #expect(r.send([0x02, 0x01, 0x00], after: 200) == [])
        #expect(r.send([0x02, 0x05, 0x00], after: 200) == ["unmute"])
    }

    @Test func audibleRingerWhenAsked() throws {
        var r = try Rig("jabra-evolve-link-ms", policy: CallControlPolicy(audibleRinger: true))
        r.host.call = .ringing
        #expect(r.writes() == [[0x02, 0x24, 0x00]])
    }

    @Test func muteSwitchQuirk() throws {
        let policy = CallControlPolicy(vendorID: 0x18D1, productID: 0x8001)
        #expect(policy.phoneMuteIsSwitch)
        var r = try Rig("jabra-evolve-link-ms", policy: policy)
        r.host.call = .active
        #expect(r.send([0x02, 0x05, 0x00]) == ["mute"])
        #expect(r.send([0x02, 0x01, 0x00]) == ["unmute"])  // a switch: 0 means unmuted
        #expect(CallControlPolicy(vendorID: 0x047F, productID: 0xC053).debounceNanoseconds == 5_000_000)
        #expect(CallControlPolicy(vendorID: 0x0B0E, productID: 0x0307) == CallControlPolicy())
    }

    @Test func baselineTakesTheFirstReportWithoutEvents() throws {
        var r = try Rig("jabra-evolve-link-ms")
        r.host.call = .ringing
        [UInt8]([0x02, 0x01, 0x00]).withUnsafeBytes { r.machine.takeBaseline($0) }
        #expect(r.send([0x02, 0x01, 0x00]) == [])
        #expect(r.host.call == .ringing)
    }

    @Test func hubKeepsSeveralHeadsetsConsistent() throws {
        var hub = CallControlHub()
        let jabra = hub.add(HeadsetCallControl(controls: try DescriptorFixtures.controls("jabra-evolve-link-ms")))
        let poly = hub.add(HeadsetCallControl(controls: try DescriptorFixtures.controls("plantronics-blackwire-c5220")))
        // On add, each headset gets the whole current state (idle).
        let first = hub.pendingWrites()
        #expect(first.filter { $0.headset == jabra }.map(\.write.bytes) == [[0x02, 0x00, 0x00]])
        #expect(first.filter { $0.headset == poly }.count == 4)
        hub.setHost(HostState(call: .ringing))
        _ = hub.pendingWrites()
        let events = [UInt8]([0x08, 0x02]).withUnsafeBytes { hub.handleInput(from: poly, $0, at: 1_000_000_000) }
        #expect(events.map(\.name) == ["answer"])
        let writes = hub.pendingWrites()
        #expect(writes.filter { $0.headset == jabra }.map(\.write.bytes) == [[0x02, 0x01, 0x00]])
        #expect(writes.filter { $0.headset == poly }.map(\.write.bytes) == [[0x17, 0x01], [0x18, 0x00]])
    }

    @Test func eventListPacksInOrder() {
        var list = CallControlEventList()
        for event in CallControlEvent.allCases { list.append(event) }
        #expect(Array(list) == CallControlEvent.allCases)
        for _ in 0..<10 { list.append(.mute) }
        #expect(list.count == 15)
    }
}
