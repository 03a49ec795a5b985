// libFuzzer entry for the Ogg Opus reader and file decoder: any bytes, fed in two chunks split
// at a position taken from the input, must end in packets or a typed OggOpusError, never a
// trap, and memory must stay bounded. Built by run.sh together with the TimbreCore,
// TimbreCodecs and TimbreOpus sources as one module.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOggOpus(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let split = size > 0 ? Int(bytes[0]) * size / 256 : 0
    var decoder = OggOpusFileDecoder(sampleRate: .wideband)
    do {
        try decoder.append(UnsafeRawBufferPointer(rebasing: bytes[..<split]))
        try decoder.append(UnsafeRawBufferPointer(rebasing: bytes[split...]))
        _ = try decoder.finish()
    } catch {
        _ = error.description
    }
    // The page parser on its own, at every offset of a short prefix.
    for offset in 0..<min(size, 64) {
        _ = try? OggPage.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }
    _ = try? OpusHead(parsing: Array(bytes))
    _ = try? OpusTags(parsing: Array(bytes))
    return 0
}
