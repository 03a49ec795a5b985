/// The item-by-item parser behind `HIDReportDescriptor(parsing:)`.
///
/// Memory stays proportional to the descriptor's length: usages are stored as ranges, fields and
/// collections are capped, and report lengths are checked as they grow.
struct HIDDescriptorParser {
    /// Global items (HID 1.11 §6.2.2.7); Push/Pop save and restore a copy.
    struct GlobalState {
        var usagePage: UInt32 = 0
        var logicalMinimum: Int64 = 0
        /// Kept raw: its signedness depends on the logical minimum in effect at the Main item.
        var logicalMaximumRaw: UInt32 = 0
        var logicalMaximumSize = 0
        var physicalMinimum: Int64 = 0
        var physicalMaximumRaw: UInt32 = 0
        var physicalMaximumSize = 0
        var unitExponent: Int32 = 0
        var unit: UInt32 = 0
        var reportSize: UInt32 = 0
        var reportID: UInt8 = 0
        var reportCount: UInt32 = 0
    }

    /// Local items, cleared after every Main item.
    struct LocalState {
        var usages: [HIDUsageRange] = []
        /// Extended usage (with page when known) of a pending Usage Minimum.
        var usageMinimum: (value: UInt32, explicit: Bool)?
        var usageCount = 0
        var delimiterDepth = 0
        var delimiterBranch = 0

        mutating func clear() {
            usages.removeAll(keepingCapacity: true)
            usageMinimum = nil
            usageCount = 0
            delimiterDepth = 0
            delimiterBranch = 0
        }
    }

    var global = GlobalState()
    var globalStack: [GlobalState] = []
    var local = LocalState()
    var fields: [HIDReportField] = []
    var collections: [HIDCollection] = []
    var openCollections: [Int] = []
    var reportBits: [HIDReportKey: Int] = [:]
    var sawReportID = false

    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HIDDescriptorError) -> HIDReportDescriptor {
        guard bytes.count <= HIDDescriptorLimits.maxDescriptorBytes else {
            throw .descriptorTooLong(length: bytes.count)
        }
        var index = 0
        while index < bytes.count {
            let offset = index
            let prefix = bytes[index]
            if prefix == 0xFE {
                // Long item (HID 1.11 §6.2.2.3): bDataSize, bLongItemTag, data. No long item tags are
                // defined, so it is skipped.
                guard index + 2 < bytes.count else { throw .truncatedLongItem(offset: offset) }
                let size = Int(bytes[index + 1])
                guard index + 3 + size <= bytes.count else { throw .truncatedLongItem(offset: offset) }
                index += 3 + size
                continue
            }
            let sizeCode = Int(prefix & 0x03)
            let size = sizeCode == 3 ? 4 : sizeCode
            guard index + 1 + size <= bytes.count else { throw .truncatedItem(offset: offset) }
            var data: UInt32 = 0
            for i in 0..<size {
                data |= UInt32(bytes[index + 1 + i]) << UInt32(8 * i)
            }
            let item = HIDItem(type: (prefix >> 2) & 0x03, tag: prefix >> 4, size: size, data: data, offset: offset)
            index += 1 + size
            switch item.type {
            case 0: try mainItem(item)
            case 1: try globalItem(item)
            case 2: try localItem(item)
            default: break  // Reserved item type: ignored, as Linux does.
            }
        }
        guard openCollections.isEmpty else { throw .unclosedCollection(openCount: openCollections.count) }
        return HIDReportDescriptor(
            usesReportIDs: sawReportID, fields: fields, collections: collections, reportBits: reportBits)
    }

    // MARK: Main items

    mutating func mainItem(_ item: HIDItem) throws(HIDDescriptorError) {
        switch item.tag {
        case 0x8: try dataField(.input, item)
        case 0x9: try dataField(.output, item)
        case 0xB: try dataField(.feature, item)
        case 0xA:
            guard openCollections.count < HIDDescriptorLimits.maxCollectionDepth else {
                throw .collectionNestingTooDeep(offset: item.offset)
            }
            concatenateUsagePage()
            let usage = local.usages.first.map { HIDUsage(extended: $0.first) } ?? HIDUsage(page: 0, id: 0)
            collections.append(
                HIDCollection(
                    type: UInt8(truncatingIfNeeded: item.data), usage: usage, parent: openCollections.last,
                    depth: openCollections.count))
            openCollections.append(collections.count - 1)
        case 0xC:
            guard !openCollections.isEmpty else { throw .endCollectionWithoutCollection(offset: item.offset) }
            openCollections.removeLast()
        default:
            break  // Reserved main tag: ignored, as Linux does.
        }
        local.clear()
    }

    mutating func dataField(_ kind: HIDReportKind, _ item: HIDItem) throws(HIDDescriptorError) {
        guard fields.count < HIDDescriptorLimits.maxFields else { throw .tooManyFields(offset: item.offset) }
        if sawReportID && global.reportID == 0 { throw .fieldWithoutReportID(offset: item.offset) }
        concatenateUsagePage()
        let key = HIDReportKey(kind: kind, reportID: global.reportID)
        let offset = reportBits[key] ?? 0
        let size = Int(global.reportSize)
        let count = Int(global.reportCount)
        let end = offset + size * count
        guard end <= HIDDescriptorLimits.maxReportBytes * 8 else {
            throw .reportTooLong(kind: kind, reportID: global.reportID, bits: end)
        }
        reportBits[key] = end
        let minimum = global.logicalMinimum
        let maximum = Self.resolveMaximum(raw: global.logicalMaximumRaw, size: global.logicalMaximumSize, minimum: minimum)
        let physicalMaximum = Self.resolveMaximum(
            raw: global.physicalMaximumRaw, size: global.physicalMaximumSize, minimum: global.physicalMinimum)
        fields.append(
            HIDReportField(
                kind: kind, reportID: global.reportID, bitOffset: offset, reportSize: size, reportCount: count,
                flags: HIDMainItemFlags(rawValue: item.data & 0x1FF),
                logicalMinimum: minimum, logicalMaximum: maximum,
                physicalMinimum: global.physicalMinimum, physicalMaximum: physicalMaximum,
                unitExponent: global.unitExponent, unit: global.unit,
                usages: local.usages, collection: openCollections.last, applicationCollection: openCollections.first,
                itemOffset: item.offset))
    }

    /// A maximum is signed when the matching minimum is negative, unsigned otherwise; this reads the
    /// common `Logical Minimum(0) Logical Maximum(25 FF)` (meant as 255) the way Linux does.
    static func resolveMaximum(raw: UInt32, size: Int, minimum: Int64) -> Int64 {
        if minimum < 0 { return Int64(HIDItem.signExtend(raw, size: size)) }
        return Int64(raw)
    }

    /// Re-pages trailing usages that were declared without an explicit page, walking back until one
    /// already carries the current Usage Page (Linux `hid_concatenate_last_usage_page` behaviour).
    mutating func concatenateUsagePage() {
        let page = global.usagePage & 0xFFFF
        var i = local.usages.count - 1
        while i >= 0 {
            let range = local.usages[i]
            if !range.explicitPage {
                if range.first >> 16 == page { break }
                let span = range.last &- range.first
                let first = page << 16 | (range.first & 0xFFFF)
                local.usages[i] = HIDUsageRange(first: first, last: first &+ span, explicitPage: false)
            }
            i -= 1
        }
    }

    // MARK: Global items

    mutating func globalItem(_ item: HIDItem) throws(HIDDescriptorError) {
        switch item.tag {
        case 0x0: global.usagePage = item.data
        case 0x1: global.logicalMinimum = Int64(item.signed)
        case 0x2:
            global.logicalMaximumRaw = item.data
            global.logicalMaximumSize = item.size
        case 0x3: global.physicalMinimum = Int64(item.signed)
        case 0x4:
            global.physicalMaximumRaw = item.data
            global.physicalMaximumSize = item.size
        case 0x5:
            // HID 1.11 encodes the exponent as a signed nibble (0xE = −2); wider values are taken as
            // signed integers, as Linux does.
            global.unitExponent = item.data & ~0xF == 0 ? HIDItem.signExtendNibble(item.data) : item.signed
        case 0x6: global.unit = item.data
        case 0x7:
            guard item.data <= HIDDescriptorLimits.maxReportSize else {
                throw .reportSizeTooLarge(bits: item.data, offset: item.offset)
            }
            global.reportSize = item.data
        case 0x8:
            guard item.data != 0 else { throw .reportIDZero(offset: item.offset) }
            guard item.data <= 0xFF else { throw .reportIDTooLarge(value: item.data, offset: item.offset) }
            if !sawReportID, let first = fields.first {
                throw .fieldWithoutReportID(offset: first.itemOffset)
            }
            sawReportID = true
            global.reportID = UInt8(item.data)
        case 0x9:
            guard item.data <= HIDDescriptorLimits.maxReportCount else {
                throw .reportCountTooLarge(count: item.data, offset: item.offset)
            }
            global.reportCount = item.data
        case 0xA:
            guard globalStack.count < HIDDescriptorLimits.maxPushDepth else {
                throw .pushStackOverflow(offset: item.offset)
            }
            globalStack.append(global)
        case 0xB:
            guard let saved = globalStack.popLast() else { throw .popWithoutPush(offset: item.offset) }
            global = saved
        default:
            throw .unknownGlobalItem(tag: item.tag, offset: item.offset)
        }
    }

    // MARK: Local items

    mutating func localItem(_ item: HIDItem) throws(HIDDescriptorError) {
        switch item.tag {
        case 0x0:
            // Alternative usages inside a delimiter set after the first are ignored (as Linux does).
            if local.delimiterBranch > 1 { return }
            let (usage, explicit) = pagedUsage(item)
            try addUsages(HIDUsageRange(first: usage, last: usage, explicitPage: explicit), item)
        case 0x1:
            if local.delimiterBranch > 1 { return }
            let (usage, explicit) = pagedUsage(item)
            local.usageMinimum = (usage, explicit)
        case 0x2:
            if local.delimiterBranch > 1 { return }
            let (usage, _) = pagedUsage(item)
            guard let minimum = local.usageMinimum else {
                // A Usage Maximum alone names a single usage.
                try addUsages(HIDUsageRange(first: usage, last: usage), item)
                return
            }
            var first = minimum.value
            if !minimum.explicit { first = (usage & 0xFFFF_0000) | (first & 0xFFFF) }
            guard first <= usage else { throw .invalidUsageRange(offset: item.offset) }
            try addUsages(HIDUsageRange(first: first, last: usage, explicitPage: minimum.explicit), item)
            local.usageMinimum = nil
        case 0xA:
            if item.data != 0 {
                guard local.delimiterDepth == 0 else { throw .unbalancedDelimiter(offset: item.offset) }
                local.delimiterDepth += 1
                local.delimiterBranch += 1
            } else {
                guard local.delimiterDepth == 1 else { throw .unbalancedDelimiter(offset: item.offset) }
                local.delimiterDepth -= 1
            }
        default:
            break  // Designator and string indices: parsed, not used.
        }
    }

    func pagedUsage(_ item: HIDItem) -> (UInt32, Bool) {
        if item.size == 4 { return (item.data, true) }
        return ((global.usagePage & 0xFFFF) << 16 | (item.data & 0xFFFF), false)
    }

    mutating func addUsages(_ range: HIDUsageRange, _ item: HIDItem) throws(HIDDescriptorError) {
        let count = range.count
        guard local.usageCount + count <= HIDDescriptorLimits.maxUsagesPerItem else {
            throw .tooManyUsages(offset: item.offset)
        }
        local.usageCount += count
        local.usages.append(range)
    }
}

/// One short item: the prefix byte split into type and tag, and up to four little-endian data bytes.
struct HIDItem {
    /// 0 main, 1 global, 2 local, 3 reserved.
    var type: UInt8
    var tag: UInt8
    /// Data bytes: 0, 1, 2 or 4.
    var size: Int
    var data: UInt32
    var offset: Int

    var signed: Int32 { HIDItem.signExtend(data, size: size) }

    static func signExtendNibble(_ raw: UInt32) -> Int32 {
        raw & 0x8 != 0 ? Int32(raw) - 16 : Int32(raw)
    }

    static func signExtend(_ raw: UInt32, size: Int) -> Int32 {
        switch size {
        case 1: Int32(Int8(truncatingIfNeeded: raw))
        case 2: Int32(Int16(truncatingIfNeeded: raw))
        case 4: Int32(bitPattern: raw)
        default: 0
        }
    }
}
