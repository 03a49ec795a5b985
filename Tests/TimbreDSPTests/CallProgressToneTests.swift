import Testing
import TimbreCore
import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CallProgressToneTests {
    /// On/off run lengths in ms, from 5 ms energy blocks.
    static func runs(_ x: [Int16], rate: Int) -> [(on: Bool, ms: Int)] {
        let block = rate / 200
        var out: [(Bool, Int)] = []
        for start in stride(from: 0, to: x.count - block + 1, by: block) {
            var e = 0.0
            for v in x[start..<(start + block)] { e += Double(v) * Double(v) }
            let on = e / Double(block) > 100
            if let last = out.last, last.0 == on { out[out.count - 1].1 += 5 } else { out.append((on, 5)) }
        }
        return out
    }

    /// Share of energy at the cadence's frequencies (single-bin DFT over the segment).
    static func toneShare(_ x: ArraySlice<Int16>, frequencies: [Double], rate: Int) -> Double {
        var total = 0.0
        for v in x { total += Double(v) * Double(v) }
        var tones = 0.0
        for f in frequencies {
            var c = 0.0, s = 0.0
            for (i, v) in x.enumerated() {
                let w = 2 * Double.pi * f * Double(i) / Double(rate)
                c += Double(v) * cos(w)
                s += Double(v) * sin(w)
            }
            tones += 2 * (c * c + s * s) / Double(x.count)
        }
        return tones / total
    }

    @Test(arguments: ToneRegion.allCases)
    func cadencesFrequenciesAndLevelsMatchTheTable(region: ToneRegion) {
        let rate = 8000
        for tone in CallProgressTone.allCases {
            let cadence = ToneCadence.table(region, tone)
            var g = CallProgressToneGenerator(cadence: cadence, sampleRate: SampleRate(hertz: rate))
            let seconds = cadence.isContinuous ? 1 : (2 * cadence.cycleMilliseconds + 999) / 1000
            var x = [Int16](repeating: 0, count: seconds * rate)
            x.withUnsafeMutableBufferPointer { g.render(into: $0) }
            let r = Self.runs(x, rate: rate)
            if cadence.isContinuous {
                #expect(r.count == 1 && r[0].on, "\(region) \(tone)")
            } else {
                // The first full cycle reproduces the pattern within one 5 ms block.
                for (i, ms) in cadence.pattern.enumerated() {
                    guard i < r.count else {
                        Issue.record("\(region) \(tone): too few segments")
                        break
                    }
                    #expect(r[i].on == (i % 2 == 0), "\(region) \(tone) segment \(i)")
                    #expect(abs(r[i].ms - ms) <= 5, "\(region) \(tone) segment \(i): \(r[i].ms) vs \(ms) ms")
                }
            }
            // Frequencies: the first 100 ms (always on) is all at the listed frequencies.
            var freqs = [cadence.frequencies.0]
            if cadence.frequencies.1 > 0 { freqs.append(cadence.frequencies.1) }
            let share = Self.toneShare(x[0..<800], frequencies: freqs, rate: rate)
            #expect(share > 0.95, "\(region) \(tone): share \(share)")
            // Level: per-tone RMS matches dBm0 (full-scale sine = +3.14 dBm0) within 0.3 dB.
            var e = 0.0
            for v in x[0..<800] { e += Double(v) * Double(v) }
            let perToneRMS = (e / 800 / Double(freqs.count)).squareRoot()
            let dBm0 = 20 * log10(perToneRMS * 2.squareRoot() / 32768) + 3.14
            #expect(abs(dBm0 - cadence.levelDBm0) < 0.3, "\(region) \(tone): \(dBm0) dBm0")
        }
    }

    @Test func knownPlansAreDistinct() {
        #expect(ToneCadence.table(.us, .busy).pattern == [500, 500])
        #expect(ToneCadence.table(.uk, .ringback).pattern == [400, 200, 400, 2000])
        #expect(ToneCadence.table(.france, .dial).frequencies == (440, 0))
        #expect(ToneCadence.table(.china, .dial).frequencies == (450, 0))
        #expect(ToneCadence.table(.us, .dial).frequencies == (350, 440))
    }

    @Test func resetRestartsTheCadence() {
        var g = CallProgressToneGenerator(region: .us, tone: .busy, sampleRate: .narrowband)
        var a = [Int16](repeating: 0, count: 4000)
        a.withUnsafeMutableBufferPointer { g.render(into: $0) }
        g.reset()
        var b = [Int16](repeating: 0, count: 4000)
        b.withUnsafeMutableBufferPointer { g.render(into: $0) }
        #expect(a == b)
    }
}
