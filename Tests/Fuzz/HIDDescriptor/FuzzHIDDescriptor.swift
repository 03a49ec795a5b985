// libFuzzer entry point for the report-descriptor parser. Compiled together with Sources/TimbreHID by
// run.sh (one module, so no package build is involved).
//
// Each input is a descriptor. When it parses, the telephony mapping is built and the state machine is
// driven with reports cut from the same bytes, so the mapping, the bit reader and the output encoder
// are fuzzed too.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHIDDescriptor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let descriptor = try? HIDReportDescriptor(parsing: bytes) else { return 0 }
    // Invariants: every field lies inside its report, every report within the limit.
    for field in descriptor.fields {
        let bits = descriptor.payloadBits(field.kind, reportID: field.reportID)
        precondition(field.bitOffset + field.bitLength <= bits)
        precondition(bits <= HIDDescriptorLimits.maxReportBytes * 8)
        _ = field.usage(at: 0)
        _ = field.usage(at: field.reportCount)
    }
    let controls = TelephonyControls(descriptor)
    var machine = HeadsetCallControl(controls: controls)
    var host = HostState(call: .ringing)
    var offset = 0
    var now: UInt64 = 0
    while offset < size {
        let length = min(Int(bytes[offset]) % 9 + 1, size - offset)
        let report = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[offset..<(offset + length)])
        _ = machine.handleInput(report, at: now, host: &host)
        for write in machine.pendingWrites(for: host) {
            let declared = controls.outputReports.first { $0.reportID == write.reportID }!.length
            precondition(declared > 0 && write.bytes.count == declared)
        }
        now += 20_000_000
        offset += length
    }
    return 0
}
