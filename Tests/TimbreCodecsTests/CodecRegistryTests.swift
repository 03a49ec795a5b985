import Testing
import TimbreCodecs
import TimbreCore

@Suite struct CodecRegistryTests {
    @Test func builtInRegistryFindsTheSwiftCodecs() throws {
        let registry = CodecRegistry.builtIn
        #expect(registry.descriptors.map(\.id) == ["pcmu", "pcma", "g722"])
        #expect(registry.entry(staticPayloadType: 0)?.descriptor == .pcmu)
        #expect(registry.entry(staticPayloadType: 8)?.descriptor == .pcma)
        #expect(registry.entry(staticPayloadType: 9)?.descriptor == .g722)
        #expect(registry.entry(staticPayloadType: 3) == nil)
        #expect(registry.entry(encodingName: "g722", clockRate: 8000)?.descriptor.id == "g722")
        #expect(registry.entry(encodingName: "G722", clockRate: 16000) == nil)
        #expect(registry.entry(encodingName: "pcmu", clockRate: 8000)?.descriptor.id == "pcmu")
        #expect(registry.entry(id: "PCMA")?.descriptor.payloadType == 8)
    }

    /// RFC 3551: G.722 samples at 16 kHz but its RTP clock runs at 8000.
    @Test func g722DescriptorUsesThe8000ClockRate() {
        let g722 = CodecDescriptor.g722
        #expect(g722.sampleRate == .wideband)
        #expect(g722.rtpClockRate == 8000)
        #expect(g722.rtpmap == "G722/8000")
        #expect(g722.samplesPerFrame(.ms20) == 320)
        #expect(g722.rtpTicksPerFrame(.ms20) == 160)
        #expect(CodecDescriptor.pcmu.rtpmap == "PCMU/8000")
        #expect(CodecDescriptor.pcma.rtpmap == "PCMA/8000")
    }

    @Test func registryMakesWorkingCodecs() throws {
        for entry in CodecRegistry.builtIn.entries {
            var encoder = try entry.makeEncoder(EncoderOptions(frameDuration: .ms20))
            var decoder = try entry.makeDecoder()
            let samples = entry.descriptor.samplesPerFrame(.ms20)
            #expect(encoder.maximumPayloadSize == 160)  // 20 ms: 160 G.711 samples, or 320 G.722 samples in 160 octets
            let pcm = (0..<samples).map { Int16(truncatingIfNeeded: ($0 * 397) % 20000 - 10000) }
            var payload = [UInt8](repeating: 0, count: encoder.maximumPayloadSize)
            let bytes = try pcm.withUnsafeBufferPointer { p in try payload.withUnsafeMutableBytes { try encoder.encode(p, into: $0) } }
            #expect(bytes == encoder.maximumPayloadSize)
            var out = [Int16](repeating: 0, count: decoder.maximumFrameSamples)
            let decoded = try payload.withUnsafeBytes { p in try out.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
            #expect(decoded == samples)
            #expect(decoder.hasBuiltInConcealment == false)
        }
    }

    @Test func g711CodersRejectShortOutputAndAcceptAnyLength() throws {
        var encoder = PCMUEncoder()
        let pcm = [Int16](repeating: -5, count: 240)  // 30 ms: a ptime FrameDuration lacks
        var payload = [UInt8](repeating: 0, count: 240)
        #expect(try pcm.withUnsafeBufferPointer { p in try payload.withUnsafeMutableBytes { try encoder.encode(p, into: $0) } } == 240)
        #expect(payload.allSatisfy { $0 == G711.muLaw(-5) })
        var aEncoder = PCMAEncoder()
        #expect(throws: CodecError.outputTooSmall(needed: 240)) {
            try pcm.withUnsafeBufferPointer { p in
                try payload.withUnsafeMutableBytes { try aEncoder.encode(p, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<239])) }
            }
        }
        var decoder = PCMADecoder()
        var out = [Int16](repeating: 0, count: 100)
        #expect(throws: CodecError.outputTooSmall(needed: 240)) {
            try payload.withUnsafeBytes { p in try out.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        }
    }
}
