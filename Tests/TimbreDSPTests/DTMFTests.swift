import Testing
import TimbreAudioFile
import TimbreCore
import TimbreDSP
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DTMFTests {
    static let allDigits: [DTMFDigit] = DTMFDigit.allCases
    static let keys = "123A456B789C*0#D"

    func detect(_ x: [Int16], rate: Int) -> [DTMFEvent] {
        var d = DTMFDetector(sampleRate: SampleRate(hertz: rate))
        return d.events(in: x)
    }

    func digits(_ events: [DTMFEvent]) -> String {
        String(events.filter { $0.kind == .began }.map(\.digit.character))
    }

    @Test func digitMetadataMatchesQ23AndRFC4733() {
        #expect(DTMFDigit.star.rawValue == 10 && DTMFDigit.pound.rawValue == 11 && DTMFDigit.d.rawValue == 15)
        #expect(DTMFDigit.five.frequencies == (770, 1336))
        #expect(DTMFDigit.star.frequencies == (941, 1209))
        #expect(DTMFDigit.a.frequencies == (697, 1633))
        for d in DTMFDigit.allCases {
            #expect(DTMFDigit(d.character) == d)
            let p = d.position
            #expect(DTMFDigit(row: p.row, column: p.column) == d)
        }
        #expect(DTMFDigit("x") == nil)
        #expect(DTMFDigit(row: 4, column: 0) == nil)
    }

    @Test(arguments: [8000, 16000, 48000])
    func generatedDigitsRoundTrip(rate: Int) {
        let x = DTMFGenerator.samples(for: Self.allDigits, sampleRate: SampleRate(hertz: rate))
        let events = detect(x, rate: rate)
        #expect(digits(events) == "0123456789*#ABCD")
        // Each digit ends too, with a duration near the 100 ms tone (block resolution 12.75 ms).
        let ended = events.filter { $0.kind == .ended }
        #expect(ended.count == 16)
        for e in ended {
            let ms = Double(e.durationSamples) * 1000 / Double(rate)
            #expect(ms >= 75 && ms <= 115, "\(e.digit): \(ms) ms")
        }
    }

    @Test func q24TimingFortyMillisecondsAcceptedShortTonesRejected() {
        let rate = SampleRate.narrowband
        // 40 ms tones with 40 ms pauses, at every alignment against the 102-sample blocks.
        for offset in stride(from: 0, to: 102, by: 17) {
            let lead = [Int16](repeating: 0, count: offset)
            let x = lead + DTMFGenerator.samples(for: Array("159#".compactMap(DTMFDigit.init)), sampleRate: rate, toneMilliseconds: 40, pauseMilliseconds: 40)
            #expect(digits(detect(x, rate: 8000)) == "159#", "offset \(offset)")
        }
        // Tones of 18 ms or less never register, at any alignment.
        for offset in stride(from: 0, to: 102, by: 17) {
            let lead = [Int16](repeating: 0, count: offset)
            let x = lead + DTMFGenerator.samples(for: Array("159#".compactMap(DTMFDigit.init)), sampleRate: rate, toneMilliseconds: 18, pauseMilliseconds: 60)
            #expect(digits(detect(x, rate: 8000)).isEmpty, "offset \(offset)")
        }
    }

    @Test func levelAndTwistRules() {
        let rate = SampleRate.narrowband
        let digits: [DTMFDigit] = [.eight]
        // Level: −25 dBm0 per tone is accepted, −35 dBm0 is not.
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -25, highGroupDBm0: -25), rate: 8000)) == "8")
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -35, highGroupDBm0: -35), rate: 8000)).isEmpty)
        // Twist: high 6 dB over low accepted; 10 dB rejected. Low 4 dB over high accepted; 8 dB rejected.
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -14, highGroupDBm0: -8), rate: 8000)) == "8")
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -18, highGroupDBm0: -8), rate: 8000)).isEmpty)
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -8, highGroupDBm0: -12), rate: 8000)) == "8")
        #expect(self.digits(detect(DTMFGenerator.samples(for: digits, sampleRate: rate, lowGroupDBm0: -8, highGroupDBm0: -16), rate: 8000)).isEmpty)
    }

    @Test func frequencyDeviationOfOnePointFivePercentIsAccepted() {
        for factor in [0.985, 1.015] {
            var x = [Int16](repeating: 0, count: 1600)
            for i in 0..<800 {
                let t = Double(i) / 8000
                x[i] = Int16(6000 * sin(2 * .pi * 852 * factor * t) + 6000 * sin(2 * .pi * 1477 * factor * t))
            }
            #expect(digits(detect(x, rate: 8000)) == "9", "factor \(factor)")
        }
    }

    @Test func singleTonesAndNoiseAreNotDigits() {
        let tone = SignalGenerator.sine(frequency: 697, sampleRate: 8000, count: 8000, amplitude: 0.3)
        #expect(detect(tone, rate: 8000).isEmpty)
        let noise = SignalGenerator.noise(count: 16000, amplitude: 0.3, seed: 9)
        #expect(detect(noise, rate: 8000).isEmpty)
    }

    @Test func digitsInNoiseAtFifteenDecibelsSNR() {
        let rate = SampleRate.wideband
        let clean = DTMFGenerator.samples(for: Self.allDigits, sampleRate: rate)
        let noise = SignalGenerator.noise(count: clean.count, amplitude: 0.03, seed: 4)  // ≈ −35 dBov
        let x = zip(clean, noise).map { Int16(clamping: Int($0) + Int($1)) }
        #expect(digits(detect(x, rate: 16000)) == "0123456789*#ABCD")
    }

    @Test(arguments: [8000, 16000, 48000])
    func detectsSoxGeneratedDigits(rate: Int) throws {
        // sox: each key as a two-tone synth of 80 ms, then 80 ms of silence.
        var parts: [String] = []
        for ch in Self.keys {
            let f = DTMFDigit(ch)!.frequencies
            let path = "/tmp/timbre-dtmf-sox-\(getpid())-\(rate)-\(parts.count).wav"
            let status = DSPTestSignals.shell("sox -n -r \(rate) -b 16 -c 1 \(path) synth 0.08 sine \(Int(f.low)) sine \(Int(f.high)) channels 1 gain -8 pad 0 0.08 2>/dev/null")
            try #require(status == 0, "sox failed")
            parts.append(path)
        }
        var x: [Int16] = []
        for p in parts {
            x += try AudioFileReader.readMono(path: p).samples
            unlink(p)
        }
        #expect(digits(detect(x, rate: rate)) == Self.keys)
    }

    @Test(arguments: [8000, 16000])
    func detectsFFmpegGeneratedDigits(rate: Int) throws {
        // ffmpeg: two `sine` sources mixed with amix per key, 60 ms on / 60 ms off.
        let path = "/tmp/timbre-dtmf-ffmpeg-\(getpid())-\(rate).wav"
        var inputs = ""
        var filter = ""
        for (i, ch) in Self.keys.enumerated() {
            let f = DTMFDigit(ch)!.frequencies
            inputs += " -f lavfi -i sine=frequency=\(Int(f.low)):sample_rate=\(rate):duration=0.06 -f lavfi -i sine=frequency=\(Int(f.high)):sample_rate=\(rate):duration=0.06"
            filter += "[\(2 * i)][\(2 * i + 1)]amix=inputs=2,apad=pad_dur=0.06[k\(i)];"
        }
        filter += (0..<Self.keys.count).map { "[k\($0)]" }.joined() + "concat=n=\(Self.keys.count):v=0:a=1[out]"
        let status = DSPTestSignals.shell("ffmpeg -v error -y\(inputs) -filter_complex '\(filter)' -map '[out]' -ac 1 -c:a pcm_s16le \(path)")
        try #require(status == 0, "ffmpeg failed")
        defer { unlink(path) }
        let x = try AudioFileReader.readMono(path: path).samples
        #expect(digits(detect(x, rate: rate)) == Self.keys)
    }

    @Test(arguments: [8000, 16000, 48000])
    func talkOffNoFalseDigitsOnAllSampleSpeech(rate: Int) throws {
        do {
            for name in DSPTestSignals.speechNames {
                let x = try DSPTestSignals.speech(name, rate: rate)
                let events = detect(x, rate: rate)
                #expect(events.isEmpty, "\(name) at \(rate): \(digits(events))")
                // Louder speech (+10 dB, clipped) neither.
                let loud = x.map { Int16(clamping: Int($0) * 3) }
                #expect(detect(loud, rate: rate).isEmpty, "\(name) loud at \(rate)")
            }
        }
    }

    @Test func generatorQueueIsBoundedAndResets() {
        var g = DTMFGenerator(sampleRate: .narrowband)
        var accepted = 0
        for _ in 0..<DTMFGenerator.queueCapacity where g.enqueue(.one) { accepted += 1 }
        #expect(accepted == DTMFGenerator.queueCapacity)
        let overflow = g.enqueue(.two)
        #expect(!overflow)
        #expect(!g.isIdle)
        g.reset()
        #expect(g.isIdle)
        var frame = [Int16](repeating: 7, count: 160)
        frame.withUnsafeMutableBufferPointer { g.render(into: $0) }
        #expect(frame.allSatisfy { $0 == 0 })
    }

    @Test func detectorStreamingInOddFrameSizesMatchesOneShot() {
        let x = DTMFGenerator.samples(for: Array("2580".compactMap(DTMFDigit.init)), sampleRate: .narrowband)
        var d = DTMFDetector(sampleRate: .narrowband)
        var events: [DTMFEvent] = []
        var i = 0
        var size = 1
        while i < x.count {
            let n = min(size, x.count - i)
            x[i..<(i + n)].withUnsafeBufferPointer { d.process($0) { events.append($0) } }
            i += n
            size = size % 97 + 13
        }
        #expect(events == detect(x, rate: 8000))
        #expect(digits(events) == "2580")
    }
}
