// libFuzzer entry for the TimbreRTP parsers. Built by build.sh together with the module's
// sources (one module, so no import), never by SwiftPM.
//
// Each input is parsed as RTP, as an RTCP compound packet and as a telephone-event payload.
// Beyond "never traps", it checks round trips: whatever parses must serialise back to bytes that
// parse to the same value, so a parser/serialiser disagreement also counts as a crash.

nonisolated(unsafe) var statistics = RTPReceiverStatistics(minimumSequential: 1)
nonisolated(unsafe) var events = TelephoneEventDecoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    fuzzRTP(bytes)
    fuzzRTCP(bytes)
    return 0
}

func fuzzRTP(_ bytes: UnsafeRawBufferPointer) {
    guard let p = try? RTPPacket(parsing: bytes) else { return }
    precondition(p.count == bytes.count, "parsed length differs from input")
    let payload = p.payload(in: bytes)
    if let ext = p.headerExtension {
        var total = 0
        try? ext.forEachElement(in: bytes) { _, d in total += d.count }
        precondition(total <= ext.dataCount)
    }
    let csrcs = (0..<Int(p.header.csrcCount)).map { p.csrc(at: $0, in: bytes) }
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { out.deallocate() }
    let n = try! RTPPacket.write(
        header: p.header, csrcs: csrcs, extensionProfile: p.headerExtension?.profile ?? 0,
        extensionData: p.headerExtension.map { $0.data(in: bytes) }, payload: payload, paddingCount: p.paddingCount,
        into: out)
    precondition(n == bytes.count, "re-serialised length differs")
    let again = try! RTPPacket(parsing: UnsafeRawBufferPointer(out))
    precondition(again == p, "re-parsed packet differs")
    _ = statistics.receive(ssrc: p.header.ssrc, sequenceNumber: p.header.sequenceNumber, timestamp: p.header.timestamp, arrival: p.header.timestamp &+ 7)
    if let ev = try? TelephoneEvent(parsing: payload) {
        _ = events.receive(marker: p.header.marker, timestamp: p.header.timestamp, event: ev)
        _ = events.expire(now: p.header.timestamp, timeout: 1000)
    }
}

func fuzzRTCP(_ bytes: UnsafeRawBufferPointer) {
    guard let packets = try? RTCPCompoundPacket.parse(bytes) else { return }
    // Serialising may legitimately fail only for values the parser cannot produce; it must not.
    let out = try! RTCPCompoundPacket.serialize(packets)
    let again = try! RTCPCompoundPacket.parse(out)
    precondition(again == packets, "RTCP round trip differs")
    for case .senderReport(let sr) in packets {
        statistics.noteSenderReport(sr, arrivalMiddle32: sr.ntpTimestamp.middle32 &+ 100)
        for b in sr.reports { _ = b.roundTrip(arrivalMiddle32: sr.ntpTimestamp.middle32) }
    }
    _ = statistics.makeReportBlock(nowMiddle32: 12345)
}
