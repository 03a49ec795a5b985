import Testing
import TimbreCodecs
import TimbreOpus

@Suite struct OpusFormatParametersTests {
    @Test func parsesWhatBrowsersOffer() throws {
        let p = try OpusFormatParameters(parsing: "minptime=10;useinbandfec=1; stereo=0 ;maxplaybackrate=16000;x-google-foo=7")
        #expect(p.minptime == 10)
        #expect(p.useInbandFEC == true)
        #expect(p.stereo == false)
        #expect(p.maxPlaybackRate == 16_000)
        #expect(p.maximumBandwidth == .wideband)
        #expect(p.otherParameters == [.init(key: "x-google-foo", value: "7")])
        #expect(p.description == "minptime=10;useinbandfec=1;stereo=0;maxplaybackrate=16000;x-google-foo=7")
        #expect(try OpusFormatParameters(parsing: p.description) == p)
    }

    @Test func buildsFromFields() {
        let p = OpusFormatParameters(maxAverageBitrate: 20_000, stereo: true, useInbandFEC: true, useDTX: false)
        #expect(p.description == "useinbandfec=1;usedtx=0;stereo=1;maxaveragebitrate=20000")
        #expect(OpusFormatParameters().description == "")
        #expect(OpusFormatParameters(maxPlaybackRate: 48_000).maximumBandwidth == nil)
        #expect(OpusFormatParameters(maxPlaybackRate: 8_000).maximumBandwidth == .narrowband)
    }

    @Test func rejectsMalformedKnownValues() {
        for bad in ["useinbandfec=2", "stereo=yes", "maxplaybackrate=4000", "maxaveragebitrate=abc", "ptime", "maxptime=500"] {
            #expect(throws: CodecError.self, "\(bad)") { try OpusFormatParameters(parsing: bad) }
        }
    }

    @Test func descriptorFollowsRFC7587() throws {
        let entry = OpusCodec.registryEntry()
        #expect(entry.descriptor.rtpmap == "opus/48000/2")
        #expect(entry.descriptor.rtpClockRate == 48_000)
        #expect(entry.descriptor.payloadType == 111)
        #expect(!entry.descriptor.isStaticPayloadType)
        #expect(entry.descriptor.defaultFormatParameters == "useinbandfec=1")
        // Whatever the decode rate, RTP ticks are 48 kHz: 20 ms = 960 ticks.
        let decoder = try OpusDecoder(sampleRate: .narrowband)
        #expect(decoder.descriptor.rtpTicksPerFrame(.ms20) == 960)
        #expect(decoder.descriptor.samplesPerFrame(.ms20) == 160)
        var registry = CodecRegistry()
        registry.register(entry)
        #expect(registry.entry(encodingName: "OPUS", clockRate: 48_000) != nil)
        let encoder = try registry.entry(id: "opus")!.makeEncoder(EncoderOptions(bitrate: 20_000, inbandFEC: true))
        #expect(encoder.frameDuration == .ms20)
        #expect(throws: CodecError.self) { try registry.entry(id: "opus")!.makeEncoder(EncoderOptions(bitrate: 1)) }
    }
}
