import Testing
import TimbreHID
import TimbreHeadset

#if canImport(Glibc)
import Glibc
#endif

/// The live path end to end: made-up sysfs, pty nodes in a made-up /dev, inotify hot-plug.
@Suite struct HeadsetMonitorTests {
    /// Polls until `done` holds for the events seen so far (bounded number of rounds).
    func pollUntil(_ monitor: HeadsetMonitor, _ done: ([HeadsetMonitorEvent]) -> Bool) -> [HeadsetMonitorEvent] {
        var seen: [HeadsetMonitorEvent] = []
        for _ in 0..<40 {
            seen += monitor.poll(timeoutMilliseconds: 100)
            if done(seen) { break }
        }
        return seen
    }

    /// A few rounds of polling in which nothing is expected to happen.
    func pollQuiet(_ monitor: HeadsetMonitor) -> [HeadsetMonitorEvent] {
        (0..<3).flatMap { _ in monitor.poll(timeoutMilliseconds: 50) }
    }

    func events(_ list: [HeadsetMonitorEvent]) -> [String] {
        list.compactMap { if case .event(let e, _) = $0 { e.name } else { nil } }
    }

    func addJabra(_ tree: FakeHidrawTree, _ name: String = "hidraw0") throws {
        try tree.addSysfsNode(
            name, descriptor: FakeHidrawTree.descriptor("jabra-evolve-link-ms"), vendor: 0x0B0E, product: 0x0307,
            productName: "Jabra EVOLVE LINK MS", phys: "usb-0000:00:14.0-1/input3")
    }

    @Test func plugAnswerUnplugReplugMidCallHangUp() throws {
        let tree = try FakeHidrawTree()
        try addJabra(tree)
        let monitor = HeadsetMonitor(discovery: HeadsetDiscovery(sysfsRoot: tree.sysfs, devRoot: tree.dev))
        #expect(monitor.start().isEmpty)  // sysfs knows it, but no /dev node yet

        // Plug: inotify sees the node, the monitor opens it and writes the idle state in full.
        let headset = try tree.plug("hidraw0")
        let attached = pollUntil(monitor) { $0.contains { if case .attached = $0 { true } else { false } } }
        #expect(attached.contains(.attached(path: tree.dev + "/hidraw0", name: "Jabra EVOLVE LINK MS", vendorID: 0x0B0E, productID: 0x0307)))
        #expect(headset.receive() == [0x02, 0x00, 0x00])

        // A call rings: Ring LED.
        _ = monitor.setHost(HostState(call: .ringing))
        #expect(headset.receive() == [0x02, 0x04, 0x00])

        // The user takes the call on the headset: hook switch 0 → 1.
        headset.send([0x02, 0x03, 0x00])
        let answered = pollUntil(monitor) { !events($0).isEmpty }
        #expect(events(answered) == ["answer"])
        #expect(monitor.hub.host.call == .active)
        #expect(headset.receive() == [0x02, 0x01, 0x00])  // Off-Hook confirms

        // Mute press and release (relative): one mute, echoed on Mute + Microphone.
        headset.send([0x02, 0x07, 0x00])
        #expect(events(pollUntil(monitor) { !events($0).isEmpty }) == ["mute"])
        #expect(headset.receive() == [0x02, 0x13, 0x00])
        headset.send([0x02, 0x03, 0x00])
        #expect(events(pollQuiet(monitor)).isEmpty)

        // Unplug mid-call.
        try tree.unplug("hidraw0")
        let detached = pollUntil(monitor) { $0.contains(.detached(path: tree.dev + "/hidraw0")) }
        #expect(detached.contains(.detached(path: tree.dev + "/hidraw0")))
        #expect(monitor.openPaths.isEmpty)
        #expect(monitor.hub.host.call == .active)  // the call goes on without the headset

        // Re-plug: the current state (Off-Hook + Mute) is written in full; the headset reporting
        // off-hook right away is the echo, not an event.
        let again = try tree.plug("hidraw0")
        _ = pollUntil(monitor) { $0.contains { if case .attached = $0 { true } else { false } } }
        #expect(again.receive() == [0x02, 0x13, 0x00])
        again.send([0x02, 0x01, 0x00])
        #expect(events(pollQuiet(monitor)).isEmpty)

        // Hang up on the headset.
        again.send([0x02, 0x00, 0x00])
        #expect(events(pollUntil(monitor) { !events($0).isEmpty }) == ["hangUp"])
        #expect(again.receive() == [0x02, 0x00, 0x00])
        #expect(monitor.hub.host.call == .idle)
    }

    @Test func twoHeadsetsStayConsistent() throws {
        let tree = try FakeHidrawTree()
        try addJabra(tree)
        try tree.addSysfsNode(
            "hidraw1", descriptor: FakeHidrawTree.descriptor("plantronics-blackwire-c5220"), vendor: 0x047F,
            product: 0xC053, productName: "Plantronics Blackwire 5220", phys: "usb-0000:00:14.0-2/input3")
        let jabra = try tree.plug("hidraw0")
        let poly = try tree.plug("hidraw1")
        let monitor = HeadsetMonitor(discovery: HeadsetDiscovery(sysfsRoot: tree.sysfs, devRoot: tree.dev))
        let started = monitor.start()
        #expect(started.filter { if case .attached = $0 { true } else { false } }.count == 2)
        #expect(jabra.receive() == [0x02, 0x00, 0x00])
        // Four per-LED reports of two bytes each; the pty may deliver them in one read.
        var polyIdle: [UInt8] = []
        while polyIdle.count < 8 {
            let got = poly.receive()
            if got.isEmpty { break }
            polyIdle += got
        }
        #expect(polyIdle == [0x09, 0x00, 0x17, 0x00, 0x18, 0x00, 0x20, 0x00])

        _ = monitor.setHost(HostState(call: .ringing))
        #expect(jabra.receive() == [0x02, 0x04, 0x00])
        #expect(poly.receive() == [0x18, 0x01])

        // Answer on the Poly (report 0x08, hook bit 1): both headsets go off-hook.
        poly.send([0x08, 0x02])
        #expect(events(pollUntil(monitor) { !events($0).isEmpty }) == ["answer"])
        #expect(jabra.receive() == [0x02, 0x01, 0x00])
        var polyAnswer: [UInt8] = []
        while polyAnswer.count < 4 {
            let got = poly.receive()
            if got.isEmpty { break }
            polyAnswer += got
        }
        #expect(polyAnswer == [0x17, 0x01, 0x18, 0x00])

        // Reports merged in one read are split at their declared lengths: the hook echo, then a mute
        // press that only the second report carries.
        jabra.send([0x02, 0x01, 0x00, 0x02, 0x05, 0x00])
        #expect(events(pollUntil(monitor) { !events($0).isEmpty }) == ["mute"])
    }

    @Test func deviceOnlyAndHangUpOfThePeer() throws {
        let tree = try FakeHidrawTree()
        try addJabra(tree)
        try addJabra(tree, "hidraw1")
        let first = try tree.plug("hidraw0")
        _ = try tree.plug("hidraw1")
        let monitor = HeadsetMonitor(
            discovery: HeadsetDiscovery(sysfsRoot: tree.sysfs, devRoot: tree.dev), onlyDevice: tree.dev + "/hidraw0",
            host: HostState(call: .ringing))
        _ = monitor.start()
        #expect(monitor.openPaths == [tree.dev + "/hidraw0"])
        #expect(first.receive() == [0x02, 0x04, 0x00])  // the current state, ringing
        // The stand-in device goes away entirely (its pty closes): POLLHUP → detached.
        first.close()
        let gone = pollUntil(monitor) { $0.contains(.detached(path: tree.dev + "/hidraw0")) }
        #expect(gone.contains(.detached(path: tree.dev + "/hidraw0")))
    }
}
