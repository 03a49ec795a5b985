#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TimbreCore

/// In-band DTMF detection with Goertzel filters, following the ITU-T Q.24 receiver rules.
///
/// The input is cut into blocks of 12.75 ms (102 samples at 8 kHz, scaled for other rates). Each
/// block runs 16 Goertzel filters: the eight Q.23 frequencies and their second harmonics. A block
/// holds a digit when
/// - one low-group and one high-group tone are each at least `minimumToneDBm0`;
/// - the twist (high minus low, in dB) lies within `-maxReverseTwistDB ... maxNormalTwistDB`;
/// - each winning tone is `relativePeakDB` above the other tones of its group;
/// - the two tones carry at least `minimumToneFraction` of the block's energy, and their second
///   harmonics are `harmonicRejectionDB` below them (speech is rich in harmonics: talk-off;
///   a low-group harmonic within 150 Hz of the high-group tone is not checked);
/// - the two halves of the block hold similar energy (the tone covers the whole block).
///
/// A digit begins after two such blocks in a row (so tones of 40 ms or more always register,
/// and tones shorter than about 19 ms never do — Q.24's operate/non-operate window) and ends
/// after two blocks without it (a pause of 40 ms or more always separates two digits).
///
/// Real-time: allocation-free, no existentials; the per-sample work is one 16-lane Goertzel
/// step. Call from one thread.
public struct DTMFDetector: Sendable {
    /// Acceptance rules. Levels are per tone in dBm0 (full-scale sine = +3.14 dBm0).
    public struct Configuration: Sendable, Hashable {
        public var minimumToneDBm0: Double = -30
        /// Largest high-group-over-low-group level difference accepted (dB).
        public var maxNormalTwistDB: Double = 8
        /// Largest low-group-over-high-group level difference accepted (dB).
        public var maxReverseTwistDB: Double = 6
        public var relativePeakDB: Double = 10
        public var harmonicRejectionDB: Double = 12
        /// Share of block energy the two tones must carry (0...1).
        public var minimumToneFraction: Double = 0.7
        public init() {}
    }

    public let sampleRate: SampleRate
    public let configuration: Configuration
    /// Samples per analysis block.
    public let blockSamples: Int

    @usableFromInline let coefficients: SIMD16<Float>
    @usableFromInline var s1 = SIMD16<Float>()
    @usableFromInline var s2 = SIMD16<Float>()
    @usableFromInline var energyFirstHalf: Float = 0
    @usableFromInline var energySecondHalf: Float = 0
    @usableFromInline var inBlock = 0

    var sampleCount = 0  // samples consumed since start, at block boundaries
    var candidate: DTMFDigit?
    var candidateRun = 0
    var candidateStart = 0
    var active: DTMFDigit?
    var activeStart = 0
    var activeEnd = 0  // end of the last block that held the active digit
    var misses = 0

    let minimumAmplitude: Double
    let relativePeak: Float
    let harmonicRejection: Float

    public init(sampleRate: SampleRate, configuration: Configuration = Configuration()) {
        self.sampleRate = sampleRate
        self.configuration = configuration
        self.blockSamples = max(32, (102 * sampleRate.hertz + 4000) / 8000)
        var c = SIMD16<Float>()
        let frequencies = DTMFDigit.lowGroupHertz + DTMFDigit.highGroupHertz
        for (i, f) in frequencies.enumerated() {
            c[i] = Float(2 * cos(2 * Double.pi * f / Double(sampleRate.hertz)))
            c[i + 8] = Float(2 * cos(2 * Double.pi * 2 * f / Double(sampleRate.hertz)))
        }
        coefficients = c
        minimumAmplitude = DTMFGenerator.amplitude(dBm0: configuration.minimumToneDBm0)
        relativePeak = Float(pow(10, configuration.relativePeakDB / 10))
        harmonicRejection = Float(pow(10, configuration.harmonicRejectionDB / 10))
    }

    /// Forgets all state, as for a new call. Sample positions restart at 0.
    public mutating func reset() {
        self = DTMFDetector(sampleRate: sampleRate, configuration: configuration)
    }

    /// The digit currently held down, if any.
    public var activeDigit: DTMFDigit? { active }

    /// Feeds samples of any count; calls `onEvent` for each digit that begins or ends.
    /// Allocation-free.
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>, onEvent: (DTMFEvent) -> Void) {
        let half = blockSamples / 2
        var i = 0
        while i < samples.count {
            let n = min(samples.count - i, blockSamples - inBlock)
            var a = s1
            var b = s2
            var e1 = energyFirstHalf
            var e2 = energySecondHalf
            let c = coefficients
            for k in 0..<n {
                let x = Float(samples[i + k])
                let s0 = c * a - b + SIMD16(repeating: x)
                b = a
                a = s0
                if inBlock + k < half { e1 += x * x } else { e2 += x * x }
            }
            s1 = a
            s2 = b
            energyFirstHalf = e1
            energySecondHalf = e2
            inBlock += n
            i += n
            if inBlock == blockSamples {
                finishBlock(onEvent: onEvent)
            }
        }
    }

    /// Convenience: all events in `samples`, followed by the end of a digit still held at the
    /// end. Allocates; for files and tests.
    public mutating func events(in samples: [Int16]) -> [DTMFEvent] {
        var out: [DTMFEvent] = []
        samples.withUnsafeBufferPointer { process($0) { out.append($0) } }
        if let digit = active {
            out.append(DTMFEvent(kind: .ended, digit: digit, startSample: activeStart, durationSamples: activeEnd - activeStart))
            active = nil
        }
        return out
    }

    mutating func finishBlock(onEvent: (DTMFEvent) -> Void) {
        let blockStart = sampleCount
        sampleCount += blockSamples
        let found = classifyBlock()
        s1 = SIMD16()
        s2 = SIMD16()
        energyFirstHalf = 0
        energySecondHalf = 0
        inBlock = 0

        if let f = found, f == candidate {
            candidateRun += 1
        } else {
            candidate = found
            candidateRun = found == nil ? 0 : 1
            candidateStart = blockStart
        }

        if let current = active {
            if found == current {
                misses = 0
                activeEnd = sampleCount
            } else {
                misses += 1
                if misses >= 2 {
                    onEvent(DTMFEvent(kind: .ended, digit: current, startSample: activeStart, durationSamples: activeEnd - activeStart))
                    active = nil
                    misses = 0
                }
            }
        }
        if active == nil, let c = candidate, candidateRun >= 2 {
            active = c
            activeStart = candidateStart
            activeEnd = sampleCount
            misses = 0
            candidateRun = 0
            candidate = nil
            onEvent(DTMFEvent(kind: .began, digit: c, startSample: activeStart, durationSamples: activeEnd - activeStart))
        }
    }

    /// Applies the Q.24-style rules to the finished block.
    func classifyBlock() -> DTMFDigit? {
        let n = Float(blockSamples)
        let energy = energyFirstHalf + energySecondHalf
        guard energy > 0 else { return nil }
        // Squared magnitudes |X(f)|² from the Goertzel state.
        let power = s1 * s1 + s2 * s2 - coefficients * s1 * s2
        var row = 0
        var column = 0
        for k in 1..<4 {
            if power[k] > power[row] { row = k }
            if power[4 + k] > power[4 + column] { column = k }
        }
        let low = power[row]
        let high = power[4 + column]
        // Amplitude of each tone: 2|X|/N.
        let lowAmplitude = Double(2 * low.squareRoot() / n)
        let highAmplitude = Double(2 * high.squareRoot() / n)
        guard lowAmplitude >= minimumAmplitude, highAmplitude >= minimumAmplitude else { return nil }
        let twist = 20 * log10(highAmplitude / lowAmplitude)
        guard twist <= configuration.maxNormalTwistDB, -twist <= configuration.maxReverseTwistDB else { return nil }
        for k in 0..<4 {
            if k != row, power[k] * relativePeak > low { return nil }
            if k != column, power[4 + k] * relativePeak > high { return nil }
        }
        // A pure tone of amplitude A gives |X|² = (AN/2)² and energy A²N/2: fraction 2|X|²/(N·E) = 1.
        let fraction = 2 * (low + high) / (n * energy)
        guard Double(fraction) >= configuration.minimumToneFraction else { return nil }
        // Second harmonics. The low group's (1394–1882 Hz) can sit within a bin of the high-group
        // tone itself (2 × 697 = 1394 vs 1336 Hz): check it only when it is clear of that tone.
        guard power[12 + column] * harmonicRejection <= high else { return nil }
        let lowHarmonicHz = 2 * DTMFDigit.lowGroupHertz[row]
        if abs(lowHarmonicHz - DTMFDigit.highGroupHertz[column]) > 150 {
            guard power[8 + row] * harmonicRejection <= low else { return nil }
        }
        // The tone must fill the block: halves within 3 dB of each other.
        guard energyFirstHalf * 2 >= energySecondHalf, energySecondHalf * 2 >= energyFirstHalf else { return nil }
        return DTMFDigit(row: row, column: column)
    }
}
