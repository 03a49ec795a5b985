/// Conversions between 16-bit linear PCM and 32-bit float in [-1, 1).
///
/// The scale is 1/32768 both ways, so int16 → float → int16 is exact. Float → int16 rounds to
/// nearest and saturates: a DSP stage that overshoots full scale clips instead of wrapping
/// around (a wrap is a loud click; `Int16(x)` would trap).
///
/// Both loops are plain element loops over unsafe buffers: LLVM vectorises them (SSE2 on the
/// baseline build, AVX2 with `-Xcc -march=x86-64-v3`); see `Benchmarks/` for the check.
public enum SampleConversion {
    public static let int16Scale: Float = 1.0 / 32768.0

    /// Converts `source` to float; `destination` must be at least as long.
    @inlinable
    public static func int16ToFloat(
        _ source: UnsafeBufferPointer<Int16>, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(destination.count >= source.count, "destination too short")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        for i in 0..<source.count {
            d[i] = Float(s[i]) * int16Scale
        }
    }

    /// Converts `source` to int16 with rounding and saturation; `destination` must be at least as long.
    @inlinable
    public static func floatToInt16(
        _ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Int16>
    ) {
        precondition(destination.count >= source.count, "destination too short")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        for i in 0..<source.count {
            d[i] = saturatingInt16(s[i] * 32768.0)
        }
    }

    /// Rounds to nearest and clamps to the int16 range; NaN becomes 0.
    @inlinable @inline(__always)
    public static func saturatingInt16(_ x: Float) -> Int16 {
        let clamped = min(max(x, -32768.0), 32767.0)
        // `clamped == clamped` is false only for NaN.
        return clamped == clamped ? Int16(clamped.rounded(.toNearestOrEven)) : 0
    }

    /// Clamps a 32-bit intermediate to int16.
    @inlinable @inline(__always)
    public static func saturatingInt16(_ x: Int32) -> Int16 {
        Int16(truncatingIfNeeded: min(max(x, -32768), 32767))
    }
}
