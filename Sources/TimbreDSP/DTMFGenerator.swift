#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TimbreCore

/// In-band DTMF generation (ITU-T Q.23 frequency pairs) into 16-bit PCM frames.
///
/// Levels are per tone in dBm0 (G.711 reference: a full-scale sine is +3.14 dBm0). The defaults
/// follow common network practice — low group −10 dBm0, high group −8 dBm0 (2 dB of forward
/// twist, which compensates line loss at the higher frequencies) — well inside the Q.24
/// receiver acceptance windows.
///
/// Real-time: allocation-free after `init`; the digit queue has a fixed capacity
/// (`queueCapacity`) so outside input cannot grow it.
public struct DTMFGenerator: Sendable {
    public static let queueCapacity = 64

    public let sampleRate: SampleRate
    /// Tone on-time per digit, in samples.
    public let toneSamples: Int
    /// Silence after each digit, in samples.
    public let pauseSamples: Int
    let lowAmplitude: Double
    let highAmplitude: Double

    var queue: [DTMFDigit]
    var head = 0
    var queued = 0
    var current: DTMFDigit?
    var position = 0  // samples into the current digit's tone + pause
    var lowPhase = 0.0
    var highPhase = 0.0

    /// - Parameters:
    ///   - toneMilliseconds: on-time per digit (Q.24 receivers accept ≥ 40 ms; 100 ms default).
    ///   - pauseMilliseconds: silence after each digit (≥ 40 ms; 100 ms default).
    ///   - lowGroupDBm0, highGroupDBm0: per-tone levels in dBm0.
    public init(
        sampleRate: SampleRate,
        toneMilliseconds: Int = 100,
        pauseMilliseconds: Int = 100,
        lowGroupDBm0: Double = -10,
        highGroupDBm0: Double = -8
    ) {
        self.sampleRate = sampleRate
        self.toneSamples = max(1, toneMilliseconds) * sampleRate.hertz / 1000
        self.pauseSamples = max(0, pauseMilliseconds) * sampleRate.hertz / 1000
        self.lowAmplitude = DTMFGenerator.amplitude(dBm0: lowGroupDBm0)
        self.highAmplitude = DTMFGenerator.amplitude(dBm0: highGroupDBm0)
        self.queue = Array(repeating: .zero, count: DTMFGenerator.queueCapacity)
    }

    /// Peak amplitude in sample units of a sine at `dBm0` (G.711: full scale = +3.14 dBm0),
    /// clamped to full scale.
    public static func amplitude(dBm0: Double) -> Double {
        min(32767, 32768 * pow(10, (dBm0 - 3.14) / 20))
    }

    /// Queues a digit. Returns false (and drops nothing already queued) when the queue is full.
    @discardableResult
    public mutating func enqueue(_ digit: DTMFDigit) -> Bool {
        guard queued < queue.count else { return false }
        queue[(head + queued) % queue.count] = digit
        queued += 1
        return true
    }

    /// Whether nothing is playing or queued.
    public var isIdle: Bool { current == nil && queued == 0 }

    /// Stops the current digit and empties the queue.
    public mutating func reset() {
        head = 0
        queued = 0
        current = nil
        position = 0
        lowPhase = 0
        highPhase = 0
    }

    /// Fills `frame` with the queued digits' tones and pauses, then silence. Allocation-free.
    public mutating func render(into frame: UnsafeMutableBufferPointer<Int16>) {
        let twoPi = 2 * Double.pi
        for i in 0..<frame.count {
            if current == nil {
                guard queued > 0 else {
                    frame[i] = 0
                    continue
                }
                current = queue[head]
                head = (head + 1) % queue.count
                queued -= 1
                position = 0
                lowPhase = 0
                highPhase = 0
            }
            guard let digit = current else { continue }
            if position < toneSamples {
                let f = digit.frequencies
                let v = lowAmplitude * sin(lowPhase) + highAmplitude * sin(highPhase)
                lowPhase += twoPi * f.low / Double(sampleRate.hertz)
                highPhase += twoPi * f.high / Double(sampleRate.hertz)
                if lowPhase > twoPi { lowPhase -= twoPi }
                if highPhase > twoPi { highPhase -= twoPi }
                frame[i] = Int16(max(-32768, min(32767, v.rounded())))
            } else {
                frame[i] = 0
            }
            position += 1
            if position >= toneSamples + pauseSamples { current = nil }
        }
    }

    /// The whole signal for `digits` (tones and pauses), for files and tests. Allocates.
    public static func samples(
        for digits: [DTMFDigit],
        sampleRate: SampleRate,
        toneMilliseconds: Int = 100,
        pauseMilliseconds: Int = 100,
        lowGroupDBm0: Double = -10,
        highGroupDBm0: Double = -8
    ) -> [Int16] {
        var generator = DTMFGenerator(
            sampleRate: sampleRate, toneMilliseconds: toneMilliseconds, pauseMilliseconds: pauseMilliseconds,
            lowGroupDBm0: lowGroupDBm0, highGroupDBm0: highGroupDBm0)
        var out = [Int16](repeating: 0, count: digits.count * (generator.toneSamples + generator.pauseSamples))
        var index = 0
        while index < digits.count {
            // Enqueue in chunks that fit the bounded queue and render them.
            let chunk = digits[index..<min(digits.count, index + queueCapacity)]
            for d in chunk { generator.enqueue(d) }
            let start = index * (generator.toneSamples + generator.pauseSamples)
            let length = chunk.count * (generator.toneSamples + generator.pauseSamples)
            out.withUnsafeMutableBufferPointer { buffer in
                generator.render(into: UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + length)]))
            }
            index += chunk.count
        }
        return out
    }
}
