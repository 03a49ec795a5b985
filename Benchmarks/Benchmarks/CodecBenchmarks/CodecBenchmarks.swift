// Codec kernel benchmarks: G.711 (u-law, A-law) and G.722 encode/decode, int16⇄float, on one
// 20 ms frame (160 samples at 8 kHz, 320 at 16 kHz) and on 1 M-sample buffers.
//
// Metrics: wall clock, instructions and `mallocCountTotal`. Every frame benchmark must allocate
// nothing per frame. Frame benchmarks run 1000 frames per measured sample (`.kilo`), and the
// harness itself accounts a fixed 16 mallocs per sample (the `overhead (empty)` benchmark shows
// the same 16), so a frame benchmark at mallocCountTotal == 16 allocated 0 in 1000 frames; one
// allocation per frame would read ≥ 1016. `Thresholds/` pins these values and
// `swift package benchmark thresholds check --target CodecBenchmarks` fails on any increase.
// Throughput against C peers in the same run is `peers/codecs/run.sh`, not here.
//
// Vectorisation check (Swift 6.3.1, x86_64), on the peer runner's release builds:
//   objdump -d --no-show-raw-insn \
//     .build-peers-{baseline,avx2}/x86_64-unknown-linux-gnu/release/TimbreCodecs.build/G711.swift.o \
//     | swift-demangle
// Every G.711 kernel's main loop is straight-line vector code with no `call`:
// - baseline (`-c release`, SSE2), 8 samples per iteration in 16-bit lanes:
//   encodeMuLaw: psraw, pxor, psrlw, pminsw (the 8191 clip), paddw, 2× cvtdq2ps, psrld $19,
//   psubw, por, packuswb; encodeALaw: the same with pcmpeqw/pand/por for segment 0;
//   decodeMuLaw/decodeALaw: the magnitude built as a float from the code's bits (pslld $19,
//   paddd, addps, pslld/psrad/packssdw), then sign and A-law segment 0 in 16-bit lanes (pcmpgtb,
//   pandn, psraw, pxor, psubw): SSE2 has no per-lane variable shift.
// - AVX2 (`-Xcc -march=x86-64-v3 -Xswiftc -target-cpu -Xswiftc haswell`), ymm registers:
//   encode: vpsraw, vpminsw, vpmovzxwd, 3× vcvtdq2ps, vpsrld, vpsubw, vpackuswb/vpshufb/vpermq
//   (A-law adds vpcmpeqw/vpblendvb); decode: vpmovzxbw, vpsllvd (per-lane variable shift),
//   vpsllw, vpsubw.
// G.722's ADPCM recursion is serial, so it stays scalar; its QMF dot products are 16-bit loops
// (pmaddwd), the encoder's low-band quantiser compares all levels at once (pmulhuw), and each
// band's six-tap zero predictor is `SIMD4<Int32>` pair arithmetic (pmuludq pairs on SSE2, vpmulld
// on AVX2). Check: `G722Decoder.swift.o` / `G722Encoder.swift.o` in the same build directories.
import Benchmark
import TimbreCodecs
import TimbreCore

#if canImport(Glibc)
import Glibc
#endif

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 100_000
    )
    let million = 1 << 20
    /// Frames are short: measure 1000 per sample so per-frame allocations would show as ≥ 1000.
    let perFrame = Benchmark.Configuration(scalingFactor: .kilo)

    Benchmark("overhead (empty)", configuration: perFrame) { benchmark in
        for i in benchmark.scaledIterations { blackHole(i) }
    }

    /// Speech-like test input: a chirp plus deterministic noise, full 16-bit range used.
    func signal(_ count: Int) -> [Int16] {
        var state: UInt32 = 12345
        return (0..<count).map { i in
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise: Double = Double(Int32(bitPattern: state) >> 20)
            let t: Double = Double(i % 16000) / 16000
            let phase: Double = 2 * Double.pi * (200 + 1800 * t) * t
            let value: Double = 12000 * sin(phase) + noise
            return Int16(clamping: Int(value))
        }
    }

    // MARK: G.711

    for (law, encode, decode) in [
        ("pcmu", G711.encodeMuLaw, G711.decodeMuLaw), ("pcma", G711.encodeALaw, G711.decodeALaw),
    ] as [(String, (UnsafeBufferPointer<Int16>, UnsafeMutableBufferPointer<UInt8>) -> Void,
           (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<Int16>) -> Void)] {
        for count in [160, million] {
            let label = count == million ? "1M" : "\(count)"
            let pcm = UnsafeMutableBufferPointer<Int16>.allocate(capacity: count)
            _ = pcm.initialize(from: signal(count))
            let codes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
            let decoded = UnsafeMutableBufferPointer<Int16>.allocate(capacity: count)
            encode(UnsafeBufferPointer(pcm), codes)
            let configuration = count == million ? Benchmark.defaultConfiguration : perFrame
            Benchmark("\(law).encode \(label)", configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations {
                    encode(UnsafeBufferPointer(pcm), codes)
                    blackHole(codes[count - 1])
                }
            }
            Benchmark("\(law).decode \(label)", configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations {
                    decode(UnsafeBufferPointer(codes), decoded)
                    blackHole(decoded[count - 1])
                }
            }
        }
    }

    // Through the protocol, as the media path calls it: one existential call per frame.
    Benchmark("pcmu.encode 160 (any AudioEncoder)", configuration: perFrame) { benchmark in
        var encoder: any AudioEncoder = PCMUEncoder()
        let pcm = signal(160)
        var payload = [UInt8](repeating: 0, count: 160)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let n = pcm.withUnsafeBufferPointer { p in payload.withUnsafeMutableBytes { try! encoder.encode(p, into: $0) } }
            blackHole(n)
        }
    }

    // MARK: G.722 (state carried from frame to frame, as on a stream)

    for count in [320, million] {
        let label = count == million ? "1M" : "\(count)"
        let pcm = signal(count)
        var octets = [UInt8](repeating: 0, count: count / 2)
        var pcmOut = [Int16](repeating: 0, count: count)
        let configuration = count == million ? Benchmark.defaultConfiguration : perFrame
        Benchmark("g722.encode \(label)", configuration: configuration) { benchmark in
            var encoder = G722Encoder()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let n = pcm.withUnsafeBufferPointer { p in octets.withUnsafeMutableBytes { try! encoder.encode(p, into: $0) } }
                blackHole(n)
            }
        }
        Benchmark("g722.decode \(label)", configuration: configuration) { benchmark in
            var encoder = G722Encoder()
            _ = pcm.withUnsafeBufferPointer { p in octets.withUnsafeMutableBytes { try! encoder.encode(p, into: $0) } }
            var decoder = G722Decoder()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let n = octets.withUnsafeBytes { o in pcmOut.withUnsafeMutableBufferPointer { try! decoder.decode(o, into: $0) } }
                blackHole(n)
            }
        }
    }

    // MARK: int16 ⇄ float

    for count in [160, 320, million] {
        let label = count == million ? "1M" : "\(count)"
        let pcm = signal(count)
        var floats = [Float](repeating: 0, count: count)
        var back = [Int16](repeating: 0, count: count)
        let configuration = count == million ? Benchmark.defaultConfiguration : perFrame
        Benchmark("int16ToFloat \(label)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                pcm.withUnsafeBufferPointer { p in floats.withUnsafeMutableBufferPointer { SampleConversion.int16ToFloat(p, into: $0) } }
                blackHole(floats[count - 1])
            }
        }
        Benchmark("floatToInt16 \(label)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                floats.withUnsafeBufferPointer { f in back.withUnsafeMutableBufferPointer { SampleConversion.floatToInt16(f, into: $0) } }
                blackHole(back[count - 1])
            }
        }
    }
}
