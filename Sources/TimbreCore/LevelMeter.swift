#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Peak, RMS and dBov of a block of 16-bit PCM.
///
/// dBov is relative to the overload point of the 16-bit scale: a full-scale square wave is
/// 0 dBov and a full-scale sine −3.01 dBov (ITU-T G.100.1). Digital silence reports
/// `LevelMeter.silenceFloor` instead of −∞ so it survives JSON and comparisons.
public struct LevelMeter: Sendable {
    public static let silenceFloor: Double = -120

    @usableFromInline internal(set) var _peak: Int32 = 0
    public var peak: Int32 { _peak }
    @usableFromInline internal(set) var _sumOfSquares: Double = 0
    public var sumOfSquares: Double { _sumOfSquares }
    @usableFromInline internal(set) var _count: Int = 0
    public var count: Int { _count }

    public init() {}

    /// Accumulates `samples`. Allocation-free.
    @inlinable
    public mutating func measure(_ samples: UnsafeBufferPointer<Int16>) {
        guard let p = samples.baseAddress else { return }
        var localPeak: Int32 = _peak
        var sum: Int64 = 0
        for i in 0..<samples.count {
            let v = Int32(p[i])
            let a = v < 0 ? -v : v  // Int32: no trap on Int16.min
            localPeak = max(localPeak, a)
            sum &+= Int64(v &* v)
        }
        _peak = localPeak
        _sumOfSquares += Double(sum)
        _count += samples.count
    }

    public mutating func reset() { self = LevelMeter() }

    /// Root mean square in sample units.
    public var rms: Double { count == 0 ? 0 : (sumOfSquares / Double(count)).squareRoot() }

    /// RMS level in dBov.
    public var rmsDBov: Double { LevelMeter.dBov(rms) }

    /// Peak level in dBov.
    public var peakDBov: Double { LevelMeter.dBov(Double(peak)) }

    /// Converts an amplitude in sample units to dBov.
    public static func dBov(_ amplitude: Double) -> Double {
        guard amplitude > 0 else { return silenceFloor }
        return max(silenceFloor, 20 * log10(amplitude / 32768))
    }

    /// Convenience: RMS dBov of one buffer.
    public static func rmsDBov(of samples: UnsafeBufferPointer<Int16>) -> Double {
        var m = LevelMeter()
        m.measure(samples)
        return m.rmsDBov
    }
}

