import Foundation
import Testing
import TimbreCodecs
import TimbreOpus
import TimbreTestSupport

@Suite struct OggOpusTests {
    /// Writes `pcm` (48 kHz mono) as an Ogg Opus file the way `timbre codec encode` does.
    static func writeOggOpus(_ pcm: [Int16], bitrate: Int = 32_000, tags: OpusTags = OpusTags()) throws -> [UInt8] {
        var file = try OggOpusFileEncoder(.init(application: .audio, bitrate: bitrate), tags: tags, serialNumber: 0x1234_5678)
        try file.append(pcm)
        return file.takeOutput() + (try file.finish())
    }

    static func decodeAll(_ bytes: [UInt8], chunk: Int = 4096) throws(OggOpusError) -> [Int16] {
        var decoder = OggOpusFileDecoder()
        var start = 0
        while start < bytes.count {
            try decoder.append(Array(bytes[start..<min(start + chunk, bytes.count)]))
            start += chunk
        }
        return try decoder.finish()
    }

    @Test func crcIsTheOggPolynomialUnreflected() {
        // CRC-32/POSIX's parameters without its final XOR: check value of "123456789".
        #expect(OggCRC.checksum(Array("123456789".utf8)) == 0x89A1_897F)
        #expect(OggCRC.checksum([]) == 0)
    }

    @Test func ffmpegDecodesOurFileToTheExactLength() throws {
        let speech = try OpusTestSupport.sample("speech-en-male-48k.wav", rate: 48_000)
        let bytes = try Self.writeOggOpus(speech, bitrate: 48_000)
        let path = OpusTestSupport.temporaryPath("ours.opus")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // ffmpeg applies pre-skip and end trimming from our header and final granule, and
        // checks page CRCs.
        let decoded = try OpusTestSupport.ffmpegDecode(path, rate: 48_000)
        #expect(decoded.count == speech.count)
        #expect(OpusTestSupport.snr(speech, decoded) > 10)
        let probe = try OpusTestSupport.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,channels,sample_rate", "-of", "csv=p=0", path])
        #expect(String(decoding: probe, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "opus,48000,1")
        // And our reader agrees with ffmpeg on the content.
        let ours = try Self.decodeAll(bytes)
        #expect(ours.count == speech.count)
        // ffmpeg's own Opus decoder is not libopus (it lags by ~2 samples); through libopus
        // the two decodes are identical.
        #expect(OpusTestSupport.snr(decoded, ours) > 10)
        #expect(try OpusTestSupport.ffmpegDecode(path, rate: 48_000, decoder: "libopus") == ours)
    }

    @Test func pagesHaveGranulesFlagsAndSequence() throws {
        let pcm = SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 48_000 * 3 + 100)
        let bytes = try Self.writeOggOpus(pcm)
        var pages: [OggPage] = []
        var offset = 0
        try bytes.withUnsafeBytes { all in
            while offset < all.count {
                let (page, size) = try #require(try OggPage.parse(UnsafeRawBufferPointer(rebasing: all[offset...])))
                pages.append(page)
                offset += size
            }
        }
        #expect(pages.map(\.sequenceNumber) == Array(0..<UInt32(pages.count)))
        #expect(pages[0].flags == .beginningOfStream && pages[0].granulePosition == 0)
        #expect(pages[1].flags == [] && pages[1].granulePosition == 0)
        #expect(pages.last!.flags == .endOfStream)
        #expect(pages.dropFirst().dropLast().allSatisfy { !$0.flags.contains(.endOfStream) })
        let head = try OpusHead(parsing: pages[0].body)
        // Final granule: pre-skip plus exactly the input length; earlier ones increase.
        #expect(pages.last!.granulePosition == Int64(head.preSkip + pcm.count))
        let granules = pages.dropFirst(2).map(\.granulePosition)
        #expect(granules == granules.sorted() && Set(granules).count == granules.count)
        // 1 s per page by default: 3 s of audio → 4 audio pages.
        #expect(pages.count == 2 + 4)
    }

    @Test func weDecodeFFmpegLibopusOutput() throws {
        let path = OpusTestSupport.temporaryPath("ffmpeg.opus")
        try OpusTestSupport.run("ffmpeg", ["-v", "error", "-y", "-i", Fixtures.sampleAudio("speech-fr-16k.wav"), "-c:a", "libopus", "-b:a", "32k", path])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let ours = try Self.decodeAll(bytes, chunk: 1000)
        let theirs = try OpusTestSupport.ffmpegDecode(path, rate: 48_000, decoder: "libopus")
        let original = try OpusTestSupport.sample("speech-fr-16k.wav", rate: 48_000)
        #expect(ours.count == theirs.count)
        #expect(abs(ours.count - original.count) <= 960)
        #expect(ours == theirs)
    }

    @Test func weDecodeOpusencOutputWithTags() throws {
        let path = OpusTestSupport.temporaryPath("opusenc.opus")
        try OpusTestSupport.run("opusenc", ["--quiet", "--bitrate", "24", "--title", "Bonjour", Fixtures.sampleAudio("speech-fr-48k.wav"), path])
        var decoder = OggOpusFileDecoder(sampleRate: .wideband)
        try decoder.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let ours = try decoder.finish()
        #expect(decoder.reader.tags?.vendor.hasPrefix("libopus") == true)
        #expect(decoder.reader.tags?.comments.contains("title=Bonjour") == true)
        let original = try OpusTestSupport.sample("speech-fr-48k.wav", rate: 16_000)
        #expect(ours.count == original.count)
        #expect(OpusTestSupport.snr(original, ours) > 3)
    }

    @Test func byteAtATimeGivesTheSameResult() throws {
        let bytes = try Self.writeOggOpus(SignalGenerator.sweep(from: 100, to: 4_000, sampleRate: 48_000, count: 30_000))
        #expect(try Self.decodeAll(bytes, chunk: 1) == Self.decodeAll(bytes, chunk: 1 << 20))
    }

    @Test func largeTagsSpanPages() throws {
        let big = "COMMENT=" + String(repeating: "x", count: 100_000)
        let bytes = try Self.writeOggOpus(SignalGenerator.sine(frequency: 200, sampleRate: 48_000, count: 4_800), tags: OpusTags(vendor: "T", comments: [big, "A=b"]))
        var decoder = OggOpusFileDecoder()
        try decoder.append(bytes)
        _ = try decoder.finish()
        #expect(decoder.reader.tags == OpusTags(vendor: "T", comments: [big, "A=b"]))
    }

    @Test func badChecksumIsDetected() throws {
        var bytes = try Self.writeOggOpus(SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 9_600))
        bytes[bytes.count - 10] ^= 0x40
        #expect(throws: OggOpusError.badChecksum(pageSequence: 2)) { try Self.decodeAll(bytes) }
    }

    @Test func truncatedPageIsDetected() throws {
        let bytes = try Self.writeOggOpus(SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 9_600))
        for cut in [bytes.count - 1, bytes.count - 100, 30, 60] {
            #expect(throws: OggOpusError.self) { try Self.decodeAll(Array(bytes[..<cut])) }
        }
        #expect(throws: OggOpusError.truncatedPage(offset: 0)) { try Self.decodeAll(Array(bytes[..<20])) }
    }

    @Test func missingPagesAndNonOggInputAreErrors() throws {
        let pcm = SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 48_000 * 2)
        let bytes = try Self.writeOggOpus(pcm)
        // Drop the first audio page.
        var pages: [[UInt8]] = []
        var offset = 0
        try bytes.withUnsafeBytes { all in
            while offset < all.count {
                let (_, size) = try #require(try OggPage.parse(UnsafeRawBufferPointer(rebasing: all[offset...])))
                pages.append(Array(all[offset..<(offset + size)]))
                offset += size
            }
        }
        var dropped = pages
        dropped.remove(at: 2)
        #expect(throws: OggOpusError.missingPage(expected: 2, found: 3)) { try Self.decodeAll(dropped.flatMap { $0 }) }
        // Headers only, no end of stream.
        #expect(throws: OggOpusError.truncatedStream) { try Self.decodeAll(pages[0] + pages[1]) }
        // A WAV file is not Ogg.
        let wav = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.sampleAudio("tone-1khz-8k.wav"))))
        #expect(throws: OggOpusError.notOgg(offset: 0)) { try Self.decodeAll(wav) }
        #expect(throws: OggOpusError.self) { try Self.decodeAll([]) }
    }

    @Test func absurdFinalGranuleNeitherTrapsNorTrims() throws {
        let pcm = SignalGenerator.sine(frequency: 440, sampleRate: 48_000, count: 9_600)
        let bytes = try Self.writeOggOpus(pcm)
        var pages: [OggPage] = []
        var offset = 0
        try bytes.withUnsafeBytes { all in
            while offset < all.count {
                let (page, size) = try #require(try OggPage.parse(UnsafeRawBufferPointer(rebasing: all[offset...])))
                pages.append(page)
                offset += size
            }
        }
        for granule in [Int64.max, Int64.max / 2, Int64(1) << 62] {
            var edited = pages
            edited[edited.count - 1].granulePosition = granule
            let decoded = try Self.decodeAll(edited.flatMap { $0.serialized() })
            #expect(decoded.count >= pcm.count)
        }
        // A final granule inside the pre-skip leaves nothing, without trapping.
        var early = pages
        early[early.count - 1].granulePosition = 5
        #expect(try Self.decodeAll(early.flatMap { $0.serialized() }).isEmpty)
    }

    @Test func opusHeadValidation() throws {
        let good = OpusHead(channels: 2, preSkip: 312, inputSampleRate: 16_000, outputGain: -256)
        #expect(try OpusHead(parsing: good.bytes) == good)
        #expect(good.bytes.count == 19)
        var zero = good.bytes
        zero[9] = 0
        #expect(throws: OggOpusError.badOpusHead("zero channels")) { try OpusHead(parsing: zero) }
        var three = good.bytes
        three[9] = 3
        #expect(throws: OggOpusError.self) { try OpusHead(parsing: three) }
        var version = good.bytes
        version[8] = 0x10
        #expect(throws: OggOpusError.self) { try OpusHead(parsing: version) }
        #expect(throws: OggOpusError.self) { try OpusHead(parsing: Array(good.bytes.prefix(18))) }
        // Family 1 with a mapping table entry beyond the streams.
        var family1 = Array(good.bytes.prefix(18)) + [1, 1, 1, 0, 5]
        family1[9] = 2
        #expect(throws: OggOpusError.self) { try OpusHead(parsing: family1) }
    }

    @Test func opusTagsValidation() throws {
        var bytes = OpusTags(vendor: "v", comments: ["a=b"]).bytes
        #expect(try OpusTags(parsing: bytes) == OpusTags(vendor: "v", comments: ["a=b"]))
        bytes[8] = 200  // vendor length beyond the packet
        #expect(throws: OggOpusError.self) { try OpusTags(parsing: bytes) }
        var count = OpusTags(vendor: "v").bytes
        count[13] = 0xFF  // a billion comments
        count[14] = 0xFF
        count[15] = 0xFF
        #expect(throws: OggOpusError.self) { try OpusTags(parsing: count) }
    }
}
