// libFuzzer entry for the Ogg Opus reader and file decoder. Byte 0 is control: its low bit asks
// for every page's CRC to be repaired first (so mutations reach the packet and header logic
// behind the checksum), and its value picks where the rest is split into two chunks. The rest,
// whatever it holds, must end in packets or a typed OggOpusError, never a trap, with bounded
// memory. Built by run.sh together with the TimbreCore, TimbreCodecs and TimbreOpus sources
// as one module.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOggOpus(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if control & 1 == 1 { repairCRCs(&bytes) }
    let split = Int(control) * bytes.count / 256
    var decoder = OggOpusFileDecoder(sampleRate: .wideband)
    do {
        try decoder.append(Array(bytes[..<split]))
        try decoder.append(Array(bytes[split...]))
        _ = try decoder.finish()
    } catch {
        _ = error.description
    }
    // The page parser on its own, at every offset of a short prefix.
    bytes.withUnsafeBytes { all in
        for offset in 0..<min(all.count, 64) {
            _ = try? OggPage.parse(UnsafeRawBufferPointer(rebasing: all[offset...]))
        }
    }
    _ = try? OpusHead(parsing: bytes)
    _ = try? OpusTags(parsing: bytes)
    return 0
}

/// Rewrites the CRC of each structurally complete page from the start.
func repairCRCs(_ bytes: inout [UInt8]) {
    var offset = 0
    while offset + 27 <= bytes.count, bytes[offset] == 0x4F, bytes[offset + 1] == 0x67 {
        let segments = Int(bytes[offset + 26])
        guard offset + 27 + segments <= bytes.count else { return }
        var size = 27 + segments
        for i in 0..<segments { size += Int(bytes[offset + 27 + i]) }
        guard offset + size <= bytes.count else { return }
        for i in 22..<26 { bytes[offset + i] = 0 }
        let start = offset
        let crc = bytes.withUnsafeBytes { OggCRC.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + size)])) }
        for i in 0..<4 { bytes[offset + 22 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        offset += size
    }
}
