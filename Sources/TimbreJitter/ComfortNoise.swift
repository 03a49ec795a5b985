#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Comfort noise for DTX gaps, from the level an RFC 3389 CN payload carries.
///
/// The first payload byte is the noise level in −dBov (0…127); the spectral coefficients that may
/// follow are ignored, so the noise is white at that level. A linear congruential generator keeps
/// it deterministic and allocation-free.
struct ComfortNoise {
    /// RMS amplitude in sample units.
    private(set) var amplitude: Double = 0
    private var state: UInt32 = 0x1234_5678

    /// Sets the level from a CN payload; an empty payload means silence (−127 dBov).
    mutating func setLevel(payload: UnsafeRawBufferPointer) {
        let level = payload.isEmpty ? 127 : Int(payload[0] & 0x7F)
        amplitude = 32767 * pow(10, -Double(level) / 20)
    }

    mutating func setAmplitude(_ rms: Double) { amplitude = rms }

    mutating func generate(into out: UnsafeMutableBufferPointer<Int16>) {
        // Uniform noise in [−a√3, a√3] has RMS a.
        let peak = amplitude * 1.7320508
        for k in 0..<out.count {
            state = state &* 1_664_525 &+ 1_013_904_223
            let u = Double(Int32(bitPattern: state)) / 2_147_483_648
            out[k] = Int16(max(-32768, min(32767, (u * peak).rounded())))
        }
    }
}
