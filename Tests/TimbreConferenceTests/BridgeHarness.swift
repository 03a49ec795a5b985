#if canImport(Glibc)
import Glibc
#endif
import TimbreConference
import TimbreCore

/// Drives a bridge frame by frame the way a media thread does: write every input, mix, read
/// every output.
struct BridgeHarness {
    let bridge: MixMinusBridge
    var signals: [ParticipantID: [Int16]] = [:]
    var rates: [ParticipantID: Int] = [:]
    var heard: [ParticipantID: [Int16]] = [:]
    var full: [Int16] = []
    var events: [ConferenceEvent] = []
    var position: [ParticipantID: Int] = [:]

    init(_ configuration: BridgeConfiguration = BridgeConfiguration()) {
        bridge = MixMinusBridge(configuration: configuration)
    }

    mutating func add(_ id: ParticipantID, rate: Int = 16_000, signal: [Int16]) {
        signals[id] = signal
        rates[id] = rate
        heard[id] = []
        position[id] = 0
    }

    /// Runs `frames` ticks. Signals shorter than that are padded with silence.
    mutating func run(frames: Int) {
        let ms = bridge.configuration.frameDuration.milliseconds
        for _ in 0..<frames {
            for (id, signal) in signals {
                let n = rates[id]! * ms / 1000
                let p = position[id]!
                var frame = [Int16](repeating: 0, count: n)
                for i in 0..<n where p + i < signal.count { frame[i] = signal[p + i] }
                position[id] = p + n
                frame.withUnsafeBufferPointer { _ = bridge.write($0, from: id) }
            }
            bridge.mix()
            full.append(contentsOf: bridge.fullMixFrame)
            for id in signals.keys {
                let n = rates[id]! * ms / 1000
                var out = [Int16](repeating: 0, count: n)
                let ok = out.withUnsafeMutableBufferPointer { bridge.read(into: $0, for: id) }
                if ok { heard[id]!.append(contentsOf: out) }
            }
            while let e = bridge.nextEvent() { events.append(e) }
        }
    }
}

/// A seeded uniform noise at `amplitude` (sample units).
func noise(count: Int, amplitude: Int, seed: UInt64) -> [Int16] {
    var rng = SeededRandomSource(seed: seed)
    return (0..<count).map { _ in Int16(Int.random(in: -amplitude...amplitude, using: &rng)) }
}

struct SeededRandomSource: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func sine(_ frequency: Double, rate: Int, count: Int, amplitude: Double) -> [Int16] {
    (0..<count).map { Int16((amplitude * sin(2 * .pi * frequency * Double($0) / Double(rate))).rounded()) }
}

/// Amplitude of the `frequency` component of `x` (least-squares projection on sin and cos).
func toneAmplitude(_ x: ArraySlice<Int16>, frequency: Double, rate: Int) -> Double {
    var s = 0.0
    var c = 0.0
    for (k, v) in x.enumerated() {
        let ph = 2 * .pi * frequency * Double(k) / Double(rate)
        s += Double(v) * sin(ph)
        c += Double(v) * cos(ph)
    }
    return 2 * (s * s + c * c).squareRoot() / Double(x.count)
}

func rms(_ x: ArraySlice<Int16>) -> Double {
    guard !x.isEmpty else { return 0 }
    return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
}
