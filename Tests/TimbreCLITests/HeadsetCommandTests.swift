import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `timbre headset decode|replay|list|monitor`, run as the built binary.
@Suite struct HeadsetCommandTests {
    typealias H = HeadsetCLIHarness

    /// (control, reportId, bitOffset, absolute) of a decode field.
    func summary(_ fields: Any?) -> [String] {
        (fields as? [[String: Any]] ?? []).map {
            "\($0["control"] as? String ?? "?")@\($0["reportId"] as? Int ?? -1):\($0["bitOffset"] as? Int ?? -1)"
                + (($0["absolute"] as? Bool ?? false) ? "A" : "R") + "/\($0["usagePage"] as? Int ?? -1):\($0["usage"] as? Int ?? -1)"
        }
    }

    @Test func decodeJabraJSON() throws {
        let r = try H.run(["headset", "decode", "--file", H.descriptorPath("jabra-evolve-link-ms"), "--json"])
        #expect(r.status == 0)
        #expect(r.lines.count == 1)
        let object = try H.json(r.lines[0])
        #expect(object["usesReportIds"] as? Bool == true)
        #expect(
            summary(object["inputs"]) == [
                "hookSwitch@2:0A/11:32", "lineBusyTone@2:1A/11:151", "phoneMute@2:2R/11:47", "flash@2:3R/11:33",
                "redial@2:4R/11:36", "programmableButton@2:6A/11:7",
            ])
        #expect(
            summary(object["outputs"]) == [
                "offHook@2:0A/8:23", "mute@2:1A/8:9", "ring@2:2A/8:24", "hold@2:3A/8:32", "microphone@2:4A/8:33",
                "ringer@2:5A/11:158",
            ])
        let first = try #require((object["inputs"] as? [[String: Any]])?.first)
        #expect(first["bitSize"] as? Int == 1)
    }

    @Test func decodeEveryDeviceInTheCorpus() throws {
        let expected: [String: (inputs: [String], outputs: [String])] = [
            "yealink-wh66": (
                ["hookSwitch@2:0A", "lineBusyTone@2:1A", "phoneMute@2:2R", "flash@2:3R", "redial@2:4R", "programmableButton@2:6A"],
                ["offHook@2:0A", "mute@2:1A", "ring@2:2A", "hold@2:3A", "microphone@2:4A", "ringer@2:5A"]
            ),
            "epos-impact-d1": (
                ["hookSwitch@2:0A", "flash@2:1R", "redial@2:2R", "phoneMute@2:3R", "programmableButton@2:5A"],
                ["offHook@3:0A", "microphone@3:1A", "ring@3:2A", "mute@3:3A", "hold@3:5A"]
            ),
            "plantronics-blackwire-c5220": (
                ["phoneMute@8:0R", "hookSwitch@8:1A", "flash@8:2A", "redial@8:3R", "programmableButton@8:4A"],
                ["mute@9:0A", "offHook@23:0A", "ring@24:0A", "hold@32:0A"]
            ),
            "jlab-realtek-teams-headset-firmware": (
                ["hookSwitch@11:0R", "phoneMute@11:1R", "redial@11:2R", "flash@11:3R", "programmableButton@11:5A"],
                ["offHook@11:0A", "mute@11:1A", "ring@11:2A", "microphone@11:3A", "hold@11:5A"]
            ),
            "logitech-h540": ([], []),
        ]
        for (name, want) in expected {
            let r = try H.run(["headset", "decode", "--file", H.descriptorPath(name), "--json"])
            #expect(r.status == 0, "\(name)")
            let object = try H.json(r.stdout)
            let strip = { (s: String) in String(s.split(separator: "/")[0]) }
            #expect(summary(object["inputs"]).map(strip) == want.inputs, "\(name)")
            #expect(summary(object["outputs"]).map(strip) == want.outputs, "\(name)")
        }
    }

    @Test func decodeHexEqualsFileAndTextMode() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: H.descriptorPath("jlab-realtek-teams-headset-firmware")))
        let hexText = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
        let fromHex = try H.run(["headset", "decode", "--descriptor", hexText, "--json"])
        let fromFile = try H.run(["headset", "decode", "--file", H.descriptorPath("jlab-realtek-teams-headset-firmware"), "--json"])
        #expect(fromHex.status == 0)
        #expect(fromHex.stdout == fromFile.stdout)
        let text = try H.run(["headset", "decode", "--descriptor", hexText.replacingOccurrences(of: " ", with: "")])
        #expect(text.status == 0)
        #expect(text.stdout.contains("hookSwitch"))
        #expect(text.stdout.contains("relative"))
    }

    @Test(arguments: [
        ["headset", "decode", "--descriptor", "05 0b 09"],  // truncated item
        ["headset", "decode", "--descriptor", "c0"],  // unbalanced collection
        ["headset", "decode", "--descriptor", "05 0x"],  // not hex
        ["headset", "decode", "--descriptor", "050"],  // odd digits
        ["headset", "decode"],  // neither input
        ["headset", "decode", "--descriptor", "c0", "--file", "/dev/null"],  // both
        ["headset", "decode", "--file", "/nonexistent/descriptor"],
    ])
    func decodeBadInputExitsTwoWithOneLine(arguments: [String]) throws {
        let r = try H.run(arguments)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func replayJabraCall() throws {
        let script = """
            # Jabra EVOLVE LINK MS: hook bit 0, line busy bit 1, mute bit 2, flash bit 3, reject bit 6
            host: ringing
            02 03 00
            02 07 00
            02 03 00
            02 03 00
            02 0b 00
            02 03 00
            02 0b 00
            9b 01
            04 01 00
            host: mute off
            02 00 00
            """
        let file = try H.temporaryFile(script)
        let r = try H.run(["headset", "replay", "--file", H.descriptorPath("jabra-evolve-link-ms"), "--reports", file, "--json"])
        #expect(r.status == 0)
        #expect(
            r.lines == [
                #"{"write": "020400", "reportId": 2, "leds": {"offHook": false, "ring": true, "mute": false, "hold": false}}"#,
                #"{"event": "answer"}"#,
                #"{"write": "020100", "reportId": 2, "leds": {"offHook": true, "ring": false, "mute": false, "hold": false}}"#,
                #"{"event": "mute"}"#,
                #"{"write": "021300", "reportId": 2, "leds": {"offHook": true, "ring": false, "mute": true, "hold": false}}"#,
                #"{"event": "hold"}"#,
                #"{"write": "021b00", "reportId": 2, "leds": {"offHook": true, "ring": false, "mute": true, "hold": true}}"#,
                #"{"event": "resume"}"#,
                #"{"write": "021300", "reportId": 2, "leds": {"offHook": true, "ring": false, "mute": true, "hold": false}}"#,
                #"{"write": "020100", "reportId": 2, "leds": {"offHook": true, "ring": false, "mute": false, "hold": false}}"#,
                #"{"event": "hangUp"}"#,
                #"{"write": "020000", "reportId": 2, "leds": {"offHook": false, "ring": false, "mute": false, "hold": false}}"#,
            ])
        for line in r.lines { _ = try H.json(line) }  // every line is valid JSON
    }

    @Test func replayPlantronicsPerLEDReportsAndReject() throws {
        let script = "host: ringing\n08 10\n08 00\nhost: waiting\n08 04\n"
        let file = try H.temporaryFile(script)
        let r = try H.run(["headset", "replay", "--file", H.descriptorPath("plantronics-blackwire-c5220"), "--reports", file, "--json"])
        #expect(r.status == 0)
        #expect(
            r.lines == [
                #"{"write": "1801", "reportId": 24, "leds": {"ring": true}}"#,
                #"{"event": "reject"}"#,
                #"{"write": "1800", "reportId": 24, "leds": {"ring": false}}"#,
                #"{"write": "1701", "reportId": 23, "leds": {"offHook": true}}"#,
                #"{"write": "1801", "reportId": 24, "leds": {"ring": true}}"#,
                #"{"event": "answerWaiting"}"#,
                #"{"write": "1800", "reportId": 24, "leds": {"ring": false}}"#,
            ])
    }

    @Test func replayBadScriptExitsTwo() throws {
        let file = try H.temporaryFile("host: ringing\n02 zz\n")
        let r = try H.run(["headset", "replay", "--file", H.descriptorPath("jabra-evolve-link-ms"), "--reports", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 2"))
        let state = try H.temporaryFile("host: dancing\n")
        #expect(try H.run(["headset", "replay", "--file", H.descriptorPath("jabra-evolve-link-ms"), "--reports", state]).status == 2)
    }

    // MARK: list and monitor on a made-up sysfs tree

    func makeTree() throws -> String {
        let root = NSTemporaryDirectory() + "/timbre-hid-cli-\(UUID().uuidString)"
        for (name, descriptor, id, product, phys) in [
            ("hidraw0", "logitech-h540", "0003:0000046D:00000A37", "Logitech USB Headset H540", "usb-1/input3"),
            ("hidraw1", "jabra-evolve-link-ms", "0003:00000B0E:00000307", "Jabra EVOLVE LINK MS", "usb-2/input3"),
        ] {
            let dir = root + "/sys/class/hidraw/\(name)/device"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "HID_ID=\(id)\nHID_NAME=\(product)\nHID_PHYS=\(phys)\n".write(toFile: dir + "/uevent", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: H.descriptorPath(descriptor), toPath: dir + "/report_descriptor")
        }
        try FileManager.default.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
        return root
    }

    @Test func listJSON() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try H.run(["headset", "list", "--json", "--sysfs-root", root + "/sys", "--dev-root", root + "/dev"])
        #expect(r.status == 0)
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(list.count == 1)
        #expect(list.first?["name"] as? String == "Jabra EVOLVE LINK MS")
        #expect(list.first?["vendorId"] as? Int == 0x0B0E)
        let interfaces = list.first?["interfaces"] as? [[String: Any]] ?? []
        #expect(interfaces.first?["path"] as? String == root + "/dev/hidraw1")
    }

    @Test func monitorAnswersOnAStandInHeadset() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pty = try StandInPty()
        try FileManager.default.createSymbolicLink(atPath: root + "/dev/hidraw1", withDestinationPath: pty.slavePath)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: H.binary)
        process.arguments = [
            "headset", "monitor", "--json", "--host", "ringing", "--max-events", "1", "--sysfs-root", root + "/sys",
            "--dev-root", root + "/dev",
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // The monitor writes the current state (ringing) on open; then the user lifts the hook.
        #expect(pty.receive() == [0x02, 0x04, 0x00])
        pty.send([0x02, 0x01, 0x00])
        #expect(pty.receive() == [0x02, 0x01, 0x00])
        process.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 0)
        #expect(lines.count == 4)
        #expect(lines.first?.contains(#""attached": "\#(root)/dev/hidraw1""#) == true)
        #expect(lines.contains(#"{"event": "answer", "device": "\#(root)/dev/hidraw1"}"#))
        #expect(lines.last?.hasPrefix(#"{"write": "020100", "reportId": 2"#) == true)
    }
}

/// A pseudo-terminal in raw mode standing in for /dev/hidrawN (no uhid here). Opened through
/// /dev/ptmx with the TIOCSPTLCK/TIOCGPTN ioctls, whose request numbers Swift does not import.
final class StandInPty {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard master >= 0 else { throw POSIXError(.ENXIO) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
            ioctl(master, 0x8004_5430 /* TIOCGPTN */, &number) == 0
        else { throw POSIXError(.ENXIO) }
        slavePath = "/dev/pts/\(number)"
        slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw POSIXError(.ENXIO) }
        var t = termios()
        tcgetattr(slave, &t)
        cfmakeraw(&t)
        tcsetattr(slave, TCSANOW, &t)
    }

    deinit {
        close(master)
        close(slave)
    }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }

    func receive() -> [UInt8] {
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 1, 5000) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        return n > 0 ? Array(buffer[0..<n]) : []
    }
}
