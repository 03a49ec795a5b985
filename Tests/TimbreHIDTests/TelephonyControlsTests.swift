import Testing
import TimbreHID

/// Every real descriptor decodes to the capabilities the device has (positions checked against the
/// hid-tools decoding recorded next to each descriptor in the shared reference).
@Suite struct TelephonyControlsTests {
    struct Expected: Equatable, CustomStringConvertible {
        var name: String
        var reportID: UInt8
        var bit: Int
        var absolute: Bool
        var description: String { "\(name)@\(reportID):\(bit)\(absolute ? "A" : "R")" }
    }

    func inputs(_ c: TelephonyControls) -> [Expected] {
        c.inputs.map { Expected(name: $0.control.name, reportID: $0.reportID, bit: $0.bitOffset, absolute: $0.absolute) }
    }

    func outputs(_ c: TelephonyControls) -> [Expected] {
        c.outputs.map { Expected(name: $0.control.name, reportID: $0.reportID, bit: $0.bitOffset, absolute: $0.absolute) }
    }

    static let jabraInputs = [
        Expected(name: "hookSwitch", reportID: 2, bit: 0, absolute: true),
        Expected(name: "lineBusyTone", reportID: 2, bit: 1, absolute: true),
        Expected(name: "phoneMute", reportID: 2, bit: 2, absolute: false),
        Expected(name: "flash", reportID: 2, bit: 3, absolute: false),
        Expected(name: "redial", reportID: 2, bit: 4, absolute: false),
        Expected(name: "programmableButton", reportID: 2, bit: 6, absolute: true),
    ]
    static let jabraOutputs = [
        Expected(name: "offHook", reportID: 2, bit: 0, absolute: true),
        Expected(name: "mute", reportID: 2, bit: 1, absolute: true),
        Expected(name: "ring", reportID: 2, bit: 2, absolute: true),
        Expected(name: "hold", reportID: 2, bit: 3, absolute: true),
        Expected(name: "microphone", reportID: 2, bit: 4, absolute: true),
        Expected(name: "ringer", reportID: 2, bit: 5, absolute: true),
    ]

    @Test(arguments: ["jabra-evolve-link-ms", "yealink-wh66"])
    func jabraLayout(name: String) throws {
        let c = try DescriptorFixtures.controls(name)
        #expect(c.usesReportIDs)
        #expect(c.isUsable)
        #expect(inputs(c) == Self.jabraInputs)
        #expect(outputs(c) == Self.jabraOutputs)
        #expect(c.outputReports.map(\.reportID) == [2])
        #expect(c.outputReports.map(\.length) == [3])
        // The Button-7 reject key: Usage(0x07) Usage Page(Button) concatenates at the Main item.
        #expect(c.inputs.first { $0.control == .programmableButton }?.usage == HIDUsage(page: 0x09, id: 7))
    }

    @Test func eposImpactD1() throws {
        let c = try DescriptorFixtures.controls("epos-impact-d1")
        #expect(
            inputs(c) == [
                Expected(name: "hookSwitch", reportID: 2, bit: 0, absolute: true),
                Expected(name: "flash", reportID: 2, bit: 1, absolute: false),
                Expected(name: "redial", reportID: 2, bit: 2, absolute: false),
                Expected(name: "phoneMute", reportID: 2, bit: 3, absolute: false),
                Expected(name: "drop", reportID: 2, bit: 4, absolute: false),
                Expected(name: "programmableButton", reportID: 2, bit: 5, absolute: true),
            ])
        #expect(
            outputs(c) == [
                Expected(name: "offHook", reportID: 3, bit: 0, absolute: true),
                Expected(name: "microphone", reportID: 3, bit: 1, absolute: true),
                Expected(name: "ring", reportID: 3, bit: 2, absolute: true),
                Expected(name: "mute", reportID: 3, bit: 3, absolute: true),
                Expected(name: "hold", reportID: 3, bit: 5, absolute: true),
            ])
        #expect(c.outputReports.map(\.length) == [2])
        // The reject key is an array of (Programmable Button, Button 1) over 0..1: value 1 = Button 1.
        let reject = try #require(c.inputs.first { $0.control == .programmableButton })
        #expect(reject.match == .array(value: 1, slots: 1, signed: false))
        #expect(reject.usage == HIDUsage(page: 0x09, id: 1))
    }

    @Test func plantronicsBlackwireC5220() throws {
        let c = try DescriptorFixtures.controls("plantronics-blackwire-c5220")
        #expect(
            inputs(c) == [
                Expected(name: "phoneMute", reportID: 8, bit: 0, absolute: false),
                Expected(name: "hookSwitch", reportID: 8, bit: 1, absolute: true),
                Expected(name: "flash", reportID: 8, bit: 2, absolute: true),
                Expected(name: "redial", reportID: 8, bit: 3, absolute: false),
                Expected(name: "programmableButton", reportID: 8, bit: 4, absolute: true),
            ])
        // One output report per LED, two bytes each on the wire.
        #expect(
            outputs(c) == [
                Expected(name: "mute", reportID: 0x09, bit: 0, absolute: true),
                Expected(name: "offHook", reportID: 0x17, bit: 0, absolute: true),
                Expected(name: "ring", reportID: 0x18, bit: 0, absolute: true),
                Expected(name: "hold", reportID: 0x20, bit: 0, absolute: true),
            ])
        #expect(c.outputReports.map(\.reportID) == [0x09, 0x17, 0x18, 0x20])
        #expect(c.outputReports.allSatisfy { $0.length == 2 })
        // Usage(0x07) Usage Page(Button) Usage(1) count 1: the first usage stays Telephony 0x07.
        #expect(c.inputs.first { $0.control == .programmableButton }?.usage == HIDUsage(page: 0x0B, id: 7))
    }

    @Test func jlabRelativeHook() throws {
        let c = try DescriptorFixtures.controls("jlab-realtek-teams-headset-firmware")
        #expect(
            inputs(c) == [
                Expected(name: "hookSwitch", reportID: 11, bit: 0, absolute: false),
                Expected(name: "phoneMute", reportID: 11, bit: 1, absolute: false),
                Expected(name: "redial", reportID: 11, bit: 2, absolute: false),
                Expected(name: "flash", reportID: 11, bit: 3, absolute: false),
                Expected(name: "drop", reportID: 11, bit: 4, absolute: false),
                Expected(name: "programmableButton", reportID: 11, bit: 5, absolute: true),
            ])
        #expect(
            outputs(c) == [
                Expected(name: "offHook", reportID: 11, bit: 0, absolute: true),
                Expected(name: "mute", reportID: 11, bit: 1, absolute: true),
                Expected(name: "ring", reportID: 11, bit: 2, absolute: true),
                Expected(name: "microphone", reportID: 11, bit: 3, absolute: true),
                Expected(name: "hold", reportID: 11, bit: 5, absolute: true),
            ])
        #expect(!c.absoluteControls.contains(.hookSwitch))
    }

    @Test func logitechH540HasNoTelephony() throws {
        let c = try DescriptorFixtures.controls("logitech-h540")
        #expect(!c.hasTelephonyCollection)
        #expect(!c.isUsable)
        #expect(c.inputs.isEmpty)
        #expect(c.outputs.isEmpty)
    }

    @Test func vendorMirrorsAreIgnored() throws {
        // Jabra/Yealink mirror report 0x04 and EPOS mirror 0x04 carry the same usages on vendor pages.
        for name in ["jabra-evolve-link-ms", "yealink-wh66", "epos-impact-d1"] {
            let c = try DescriptorFixtures.controls(name)
            #expect(!c.hasInputs(reportID: 4), "\(name)")
            #expect(!c.inputs.contains { $0.reportID == 4 || $0.reportID == 0x9B }, "\(name)")
        }
    }

    @Test func constantFieldsAreNotInputs() throws {
        // Telephony collection whose only hook switch is Constant (like the Razer RZ19-0229 microphone).
        let c = try TelephonyControls(descriptor: hex("05 0b 09 05 a1 01 85 01 15 00 25 01 75 01 95 01 09 20 81 03 95 07 81 01 c0"))
        #expect(c.hasTelephonyCollection)
        #expect(c.inputs.isEmpty)
        #expect(!c.isUsable)
    }

    @Test func volumeKeysInsideTheTelephonyReportAreListed() throws {
        let c = try TelephonyControls(
            descriptor: hex(
                "05 0b 09 05 a1 01 85 02 15 00 25 01 75 01 95 01 09 20 81 22 05 0c 09 e9 09 ea 09 e2 95 03 81 06 95 04 81 01 c0"
            ))
        #expect(
            inputs(c) == [
                Expected(name: "hookSwitch", reportID: 2, bit: 0, absolute: true),
                Expected(name: "volumeUp", reportID: 2, bit: 1, absolute: false),
                Expected(name: "volumeDown", reportID: 2, bit: 2, absolute: false),
                Expected(name: "consumerMute", reportID: 2, bit: 3, absolute: false),
            ])
    }

    @Test func assertedControlsReadsRealReports() throws {
        let c = try DescriptorFixtures.controls("jabra-evolve-link-ms")
        func asserted(_ bytes: [UInt8]) -> TelephonyControlSet? {
            bytes.withUnsafeBytes { c.assertedControls(in: $0)?.controls }
        }
        #expect(asserted([0x02, 0x01, 0x00]) == TelephonyControlSet(.hookSwitch))
        #expect(asserted([0x02, 0x45, 0x00]) == [TelephonyControlSet(.hookSwitch), TelephonyControlSet(.phoneMute), TelephonyControlSet(.programmableButton)])
        #expect(asserted([0x02]) == [])  // a short report reads its missing bits as 0
        #expect(asserted([0x04, 0x01, 0x00]) == nil)  // vendor mirror
        #expect(asserted([0x9B, 0x01]) == nil)
        #expect(asserted([]) == nil)
    }
}

@Suite struct TelephonyHostDutiesTests {
    @Test func jabraStandardModeFeatureIsWrittenAsZero() throws {
        // Telephony collection plus a vendor collection with feature report 0x04 = 0xFF30:0xFFFF (1 bit),
        // the layout of Jabra BIZ 2400 II / SPEAK 810.
        let c = try TelephonyControls(
            descriptor: hex(
                "05 0b 09 05 a1 01 85 02 15 00 25 01 75 01 95 01 09 20 81 22 95 07 81 01 c0 "
                    + "06 00 ff 09 05 a1 01 85 04 06 30 ff 0a ff ff 15 00 25 01 75 01 95 01 b1 22 95 07 b1 01 c0"))
        #expect(c.openFeatureReports == [[0x04, 0x00]])
        #expect(try DescriptorFixtures.controls("jabra-evolve-link-ms").openFeatureReports.isEmpty)
    }

    @Test func unnumberedDescriptorWritesPayloadOnly() throws {
        // No report IDs: the output report is the payload (the live path prefixes 0x00 for hidraw).
        let c = try TelephonyControls(
            descriptor: hex("05 0b 09 05 a1 01 15 00 25 01 75 01 95 01 09 20 81 22 95 07 81 01 05 08 09 17 09 18 95 02 91 22 95 06 91 01 c0"))
        #expect(!c.usesReportIDs)
        var m = HeadsetCallControl(controls: c, assumeIdleWritten: true)
        #expect(m.pendingWrites(for: HostState(call: .ringing)).map(\.bytes) == [[0x02]])
        var host = HostState(call: .ringing)
        #expect([UInt8]([0x01]).withUnsafeBytes { m.handleInput($0, at: 1_000_000_000, host: &host) }.map(\.name) == ["answer"])
        #expect(m.pendingWrites(for: host).map(\.bytes) == [[0x01]])
    }
}

@Suite struct TelephonyFuzzRegressionTests {
    @Test func zeroSizeLEDFieldsAreNotOutputs() throws {
        // Found by the fuzzer: LED usages on a Report Size 0 field gave a 0-byte output report.
        let c = try TelephonyControls(descriptor: hex("05 0b 09 05 a1 01 75 00 95 02 05 08 09 17 09 18 91 02 09 20 81 02 c0"))
        #expect(c.outputs.isEmpty)
        #expect(c.outputReports.isEmpty)
        #expect(c.inputs.isEmpty)
    }
}
