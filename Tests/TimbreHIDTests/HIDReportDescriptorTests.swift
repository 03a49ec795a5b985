import Testing
import TimbreHID

@Suite struct HIDReportDescriptorTests {
    @Test(arguments: DescriptorFixtures.names)
    func everyRealDescriptorParses(name: String) throws {
        let d = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes(name))
        #expect(d.usesReportIDs)
        #expect(!d.fields.isEmpty)
        #expect(d.collections.allSatisfy { $0.parent == nil ? $0.depth == 0 : $0.depth > 0 })
    }

    @Test func reportLengthsMatchTheDevices() throws {
        // Lengths on the wire (ID byte included), as recorded by hid-tools for each device.
        let yealink = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes("yealink-wh66"))
        #expect(yealink.reportLength(.input, reportID: 0xC8) == 1024)
        #expect(yealink.reportLength(.input, reportID: 0x02) == 3)
        #expect(yealink.reportLength(.output, reportID: 0x02) == 3)
        #expect(yealink.maxInputReportLength == 1024)
        let epos = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes("epos-impact-d1"))
        #expect(epos.reportLength(.input, reportID: 0xE9) == 256)
        #expect(epos.reportLength(.input, reportID: 0x58) == 64)
        #expect(epos.reportLength(.output, reportID: 0x03) == 2)
        let jlab = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes("jlab-realtek-teams-headset-firmware"))
        #expect(jlab.reportLength(.feature, reportID: 0x9A) == 63)
        #expect(jlab.reportIDs(.input) == [0x01, 0x0B, 0x9B])
        let plantronics = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes("plantronics-blackwire-c5220"))
        #expect(plantronics.reportLength(.input, reportID: 0x01) == 62)
    }

    @Test func logicalMaximumFFAfterZeroMinimumIsUnsigned() throws {
        // JLab's Teams ASP feature: Logical Minimum(0) Logical Maximum(25 FF), read as 255 as Linux does.
        let d = try HIDReportDescriptor(parsing: DescriptorFixtures.bytes("jlab-realtek-teams-headset-firmware"))
        let asp = try #require(d.fields.first { $0.kind == .feature && $0.reportID == 0x9A })
        #expect(asp.logicalMinimum == 0)
        #expect(asp.logicalMaximum == 255)
        #expect(asp.reportSize == 8 && asp.reportCount == 62)
    }

    @Test func signedLogicalRangeAndSignedValues() throws {
        // Two-button OOC: logical −1..1 in 2 bits.
        let d = try HIDReportDescriptor(parsing: hex("05 0b 09 05 a1 01 15 ff 25 01 75 02 95 01 09 20 81 06 75 06 81 01 c0"))
        let f = try #require(d.fields.first)
        #expect(f.logicalMinimum == -1 && f.logicalMaximum == 1)
        #expect([UInt8(0b11)].withUnsafeBytes { f.value(at: 0, in: $0) } == -1)
        #expect([UInt8(0b01)].withUnsafeBytes { f.value(at: 0, in: $0) } == 1)
        #expect(!d.usesReportIDs)
        #expect(d.reportLength(.input, reportID: 0) == 1)
    }

    @Test func pushPopRestoresGlobals() throws {
        // Push, change report size and page, Pop: the second field uses the saved size 1 and page 0x0B.
        let d = try HIDReportDescriptor(
            parsing: hex("05 0b 09 05 a1 01 75 01 95 01 a4 75 08 05 0c 09 e9 81 02 b4 09 20 81 02 c0"))
        #expect(d.fields.count == 2)
        #expect(d.fields[0].reportSize == 8 && d.fields[0].usage(at: 0) == HIDUsage(page: 0x0C, id: 0xE9))
        #expect(d.fields[1].reportSize == 1 && d.fields[1].usage(at: 0) == HIDUsage(page: 0x0B, id: 0x20))
        #expect(d.fields[1].bitOffset == 8)
    }

    @Test func usageRangesAndExtendedUsagesAndUnits() throws {
        // Usage Minimum/Maximum, a 4-byte extended usage, unit and unit exponent.
        let d = try HIDReportDescriptor(
            parsing: hex("05 0b 09 05 a1 01 19 b0 29 bb 15 00 25 0b 75 04 95 01 81 00 0b 20 00 0b 00 55 0e 65 11 75 01 81 02 75 03 81 01 c0"))
        let keypad = d.fields[0]
        #expect(!keypad.isVariable)
        #expect(keypad.usageCount == 12)
        #expect(keypad.usage(at: 11) == HIDUsage(page: 0x0B, id: 0xBB))
        #expect(keypad.usage(at: 12) == nil)
        let hook = d.fields[1]
        #expect(hook.usage(at: 0) == HIDUsage(page: 0x0B, id: 0x20))
        #expect(hook.unitExponent == -2 && hook.unit == 0x11)
    }

    @Test func longItemsAreSkipped() throws {
        // A long item (FE, size 3, tag 0x10, 3 data bytes) between two short items.
        let d = try HIDReportDescriptor(parsing: hex("05 0b 09 05 a1 01 fe 03 10 aa bb cc 75 01 95 01 09 20 81 02 75 07 81 01 c0"))
        #expect(d.fields.count == 2)
        #expect(d.fields[0].usage(at: 0) == HIDUsage(page: 0x0B, id: 0x20))
    }

    @Test func delimitedAlternativesKeepTheFirst() throws {
        let d = try HIDReportDescriptor(parsing: hex("05 0b 09 05 a1 01 a9 01 09 20 a9 00 a9 01 09 2f a9 00 75 01 95 01 81 02 c0"))
        #expect(d.fields[0].usages.count == 1)
        #expect(d.fields[0].usage(at: 0) == HIDUsage(page: 0x0B, id: 0x20))
    }

    // MARK: Malformed descriptors: each gives its typed error.

    @Test(arguments: [
        ("05", HIDDescriptorError.truncatedItem(offset: 0)),
        ("05 0b 27 ff ff", .truncatedItem(offset: 2)),
        ("fe 05 10 01 02", .truncatedLongItem(offset: 0)),
        ("fe", .truncatedLongItem(offset: 0)),
        ("c0", .endCollectionWithoutCollection(offset: 0)),
        ("05 0b 09 05 a1 01 a1 02 c0", .unclosedCollection(openCount: 1)),
        ("b4", .popWithoutPush(offset: 0)),
        ("05 0b a4 b4 b4", .popWithoutPush(offset: 4)),
        ("76 01 01", .reportSizeTooLarge(bits: 257, offset: 0)),
        ("97 ff ff ff 7f", .reportCountTooLarge(count: 0x7FFF_FFFF, offset: 0)),
        ("85 00", .reportIDZero(offset: 0)),
        ("86 00 01", .reportIDTooLarge(value: 256, offset: 0)),
        ("75 01 95 01 81 02 85 01 81 02", .fieldWithoutReportID(offset: 4)),
        ("19 05 29 01", .invalidUsageRange(offset: 2)),
        ("a9 00", .unbalancedDelimiter(offset: 0)),
        ("a9 01 a9 01", .unbalancedDelimiter(offset: 2)),
        ("f4", .unknownGlobalItem(tag: 0xF, offset: 0)),
        ("76 00 01 96 00 30 81 02 81 02 81 02 81 02 81 02", .reportTooLong(kind: .input, reportID: 0, bits: 256 * 12288 * 1)),
    ])
    func malformed(hexText: String, expected: HIDDescriptorError) {
        #expect(throws: expected) { try HIDReportDescriptor(parsing: hex(hexText)) }
    }

    @Test func nestingPushAndFieldLimits() {
        let deep = [UInt8](repeating: 0xA1, count: 1) + [0x00]
        var bytes: [UInt8] = []
        for _ in 0...HIDDescriptorLimits.maxCollectionDepth { bytes += deep }
        #expect(throws: HIDDescriptorError.collectionNestingTooDeep(offset: 2 * HIDDescriptorLimits.maxCollectionDepth)) {
            try HIDReportDescriptor(parsing: bytes)
        }
        let pushes = [UInt8](repeating: 0xA4, count: HIDDescriptorLimits.maxPushDepth + 1)
        #expect(throws: HIDDescriptorError.pushStackOverflow(offset: HIDDescriptorLimits.maxPushDepth)) {
            try HIDReportDescriptor(parsing: pushes)
        }
        // Zero-size fields cost no report bits but are still capped in number.
        let fields = [UInt8](repeating: 0x80, count: HIDDescriptorLimits.maxFields + 1)
        #expect(throws: HIDDescriptorError.tooManyFields(offset: HIDDescriptorLimits.maxFields)) {
            try HIDReportDescriptor(parsing: fields)
        }
        // Usage ranges are counted, never expanded: 12289 usages in three items is rejected.
        let usages = hex("1b 00 00 00 00 2b ff 2f 00 00 09 01 09 02")
        #expect(throws: HIDDescriptorError.tooManyUsages(offset: 10)) { try HIDReportDescriptor(parsing: usages) }
        #expect(throws: HIDDescriptorError.descriptorTooLong(length: 70_000)) {
            try HIDReportDescriptor(parsing: [UInt8](repeating: 0, count: 70_000))
        }
    }

    @Test func everyTruncationOfRealDescriptorsFailsCleanly() throws {
        // Cutting a real descriptor anywhere gives a value or a typed error, never a trap.
        for name in DescriptorFixtures.names {
            let bytes = try DescriptorFixtures.bytes(name)
            for cut in 0..<bytes.count {
                do {
                    _ = try HIDReportDescriptor(parsing: bytes[0..<cut])
                } catch {
                    switch error {
                    case .truncatedItem, .truncatedLongItem, .unclosedCollection: break
                    default: Issue.record("\(name) cut at \(cut): unexpected \(error)")
                    }
                }
            }
        }
    }
}
