// Checks the bridge's level measure built with AVX2 intrinsics (-DTIMBRE_AVX2) against the
// plain Σ (x >> 4)² it replaces, on random, full-scale and odd-length frames. Compiled together
// with Sources/TimbreConference/MixKernel.swift by run.sh (the package's tests build without
// the define, so this is where the intrinsic path is tested).
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic xorshift64*: the same frames on every run.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}

func reference(_ x: UnsafeBufferPointer<Int16>) -> UInt32 {
    var e: UInt32 = 0
    for v in x {
        let q = Int32(v >> 4)
        e &+= UInt32(q * q)
    }
    return e
}

@main
struct EnergyCheck {
    static func main() {
        var rng = Generator(state: 0x9E37_79B9_7F4A_7C15)
        let frame = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 961)
        defer { frame.deallocate() }
        var checked = 0
        var mismatches = 0
        // Every length up to one 48 kHz frame, each with a different kind of content.
        for count in 0...960 {
            for kind in 0..<4 {
                for i in 0..<count {
                    let r = rng.next()
                    switch kind {
                    case 0: frame[i] = Int16(truncatingIfNeeded: r)  // full-range noise
                    case 1: frame[i] = r & 1 == 0 ? .min : .max  // full scale, both signs
                    case 2: frame[i] = Int16(truncatingIfNeeded: Int64(r % 661) - 330)  // about -40 dBFS
                    default: frame[i] = Int16(truncatingIfNeeded: Int64(r % 31) - 15)  // below the shift
                    }
                }
                // Unaligned starts too: the bridge's frames are aligned, callers' need not be.
                for offset in 0..<2 where count - offset >= 0 {
                    let x = UnsafeBufferPointer(rebasing: frame[offset..<count])
                    let got = MixKernel.blockEnergy(x.baseAddress ?? UnsafePointer(frame.baseAddress!), count: x.count)
                    let want = reference(x)
                    checked += 1
                    if got != want {
                        mismatches += 1
                        if mismatches <= 5 { print("mismatch: count \(x.count) kind \(kind) offset \(offset): \(got) != \(want)") }
                    }
                }
            }
        }
        #if TIMBRE_AVX2
        let form = "AVX2 intrinsics"
        #else
        let form = "portable loop"
        #endif
        print("MixKernel.blockEnergy (\(form)): \(checked) frames, \(mismatches) mismatches")
        if mismatches > 0 {
            print("FAIL: the level measure differs from Σ (x >> 4)²")
            exit(1)
        }
    }
}
