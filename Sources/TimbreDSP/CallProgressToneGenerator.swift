#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TimbreCore

/// Plays a `ToneCadence` into 16-bit PCM frames, cycling its on/off pattern for as long as it
/// is called.
///
/// Real-time: allocation-free after `init` (the pattern is converted to sample counts once).
public struct CallProgressToneGenerator: Sendable {
    public let cadence: ToneCadence
    public let sampleRate: SampleRate
    let segments: [Int]  // pattern in samples
    let amplitude: Double
    let step1: Double
    let step2: Double
    var segment = 0
    var inSegment = 0
    var phase1 = 0.0
    var phase2 = 0.0

    public init(cadence: ToneCadence, sampleRate: SampleRate) {
        self.cadence = cadence
        self.sampleRate = sampleRate
        segments = cadence.pattern.map { max(0, $0) * sampleRate.hertz / 1000 }
        amplitude = DTMFGenerator.amplitude(dBm0: cadence.levelDBm0)
        step1 = 2 * Double.pi * cadence.frequencies.0 / Double(sampleRate.hertz)
        step2 = 2 * Double.pi * cadence.frequencies.1 / Double(sampleRate.hertz)
    }

    public init(region: ToneRegion, tone: CallProgressTone, sampleRate: SampleRate) {
        self.init(cadence: ToneCadence.table(region, tone), sampleRate: sampleRate)
    }

    /// Restarts the cadence at the beginning of its first on-period.
    public mutating func reset() {
        segment = 0
        inSegment = 0
        phase1 = 0
        phase2 = 0
    }

    /// Fills `frame` with the next samples of the tone. Allocation-free.
    public mutating func render(into frame: UnsafeMutableBufferPointer<Int16>) {
        let twoPi = 2 * Double.pi
        let hasSecond = cadence.frequencies.1 > 0
        let cycleSamples = segments.reduce(0, +)
        for i in 0..<frame.count {
            var on = true
            if !segments.isEmpty && cycleSamples > 0 {
                while inSegment >= segments[segment] {
                    inSegment = 0
                    segment = (segment + 1) % segments.count
                }
                on = segment % 2 == 0
                inSegment += 1
            }
            if on {
                var v = sin(phase1)
                if hasSecond { v += sin(phase2) }
                frame[i] = Int16(max(-32768, min(32767, (amplitude * v).rounded())))
                phase1 += step1
                phase2 += step2
                if phase1 > twoPi { phase1 -= twoPi }
                if phase2 > twoPi { phase2 -= twoPi }
            } else {
                frame[i] = 0
                // Restart each burst at zero phase so bursts start without a click.
                phase1 = 0
                phase2 = 0
            }
        }
    }
}
