#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear gain applied to 16-bit PCM with saturation.
///
/// Gains are held in Q12 fixed point (4096 = unity) so the per-sample loop is integer multiply,
/// shift and clamp, which vectorises; 0 dB is exact (the loop is skipped).
public struct Gain: Hashable, Sendable {
    /// The gain in Q12 (4096 = 0 dB). Range 0 ... 65535 (about +24 dB).
    public let q12: Int32

    public static let unity = Gain(q12: 4096)
    public static let mute = Gain(q12: 0)

    public init(q12: Int32) { self.q12 = min(max(q12, 0), 65_535) }

    /// A gain of `decibels` dB, clamped to the representable range (below about -72 dB is mute).
    public init(decibels: Double) {
        let linear = pow(10.0, decibels / 20.0)
        self.init(q12: Int32(max(0, min(65_535, (linear * 4096).rounded()))))
    }

    /// A gain from a linear factor (1.0 = unity).
    public init(linear: Double) {
        self.init(q12: Int32(max(0, min(65_535, (linear * 4096).rounded()))))
    }

    public var linear: Double { Double(q12) / 4096 }

    /// Applies the gain in place. Allocation-free.
    @inlinable
    public func apply(to samples: UnsafeMutableBufferPointer<Int16>) {
        if q12 == 4096 { return }
        guard let p = samples.baseAddress else { return }
        let g = q12
        for i in 0..<samples.count {
            let v = (Int32(p[i]) &* g &+ 2048) >> 12
            p[i] = Int16(truncatingIfNeeded: min(max(v, -32768), 32767))
        }
    }
}

