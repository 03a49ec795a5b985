// Mixing-kernel benchmarks for the conference bridge: one 20 ms tick at 16 kHz (320 samples)
// for N = 3, 10, 100 and 1000 participants, every participant talking, everyone mixed (no
// top-K), int16 in and out through the limiter — `write` × N, `mix()`, `read` × N — and the same
// with top-K (K = 3) for the large rooms.
//
// Metrics: wall clock, instructions and `mallocCountTotal`; every tick must allocate nothing
// (`Thresholds/` pins mallocCountTotal at 0). The same-run comparison with a C mix-minus kernel
// is `peers/mixer/run.sh`, not here.
//
// Workload: the peer comparison's (`timbre mix-bench`, `peers/mixer/mixminus.c`): one synthetic
// talker signal, each participant 7 frames further into it, so the talkers' phases cancel in
// the sum and every room size stays on the limiter's quiet path. (Until session 4 each talker
// had its own phase of one 210 Hz + 1130 Hz signal: with 100 or 1000 of them the 1130 Hz parts
// added up far beyond full scale and every listener went through the limiter's slow path, so
// "all mixed" timed the limiter, 3 µs per listener, not the mix.)
//
// Vectorisation check (Swift 6.3.1, x86_64, release with `-Xcc -march=x86-64-v3 -Xswiftc
// -target-cpu -Xswiftc haswell`), by `objdump -d --no-show-raw-insn .build-release/release/timbre`:
// `MixKernel.accumulate16` (one or two talkers per pass over the 16-bit bus) is
// `vpaddw`/`vpaddsw`/`vpxor`/`vpor`/`vpmaxsw`/`vpminsw` on ymm (16 lanes); `MixKernel.minusWrapping`
// (each listener's mix-minus when provably in range) is `vpsubw` on ymm inside `mix()`;
// `MixKernel.energy` (the speaker detectors' level) is `vpsraw`/`vpmaddwd` on xmm — LLVM lowers
// a 16 × 16 → 32-bit multiply-add reduction at 8 samples per instruction; no formulation tried
// (pairs, packed words, SIMD types) gave the 16-sample ymm form. The 32-bit paths (`contribute`,
// `minusNarrow`) are `vpmovsxwd`/`vpaddd`/`vpsubd` with `vpackssdw` narrowing. No `call` inside
// any of those loops.
//
// "Shared G.722 tick": the whole encode side of a large room — N participants, 3 talking, top-K
// 3 — with one `SharedEncoderGroup<G722Encoder>`: one encode for everyone hearing the full mix
// plus one per mixed talker, and every listener's payload fetched; 0 mallocs per tick.
import Benchmark
import TimbreCodecs
import TimbreConference
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

    /// Two seconds of the peer comparison's synthetic talker (well below −6 dBFS).
    let source: [Int16] = (0..<32_000).map { i in
        let t = Double(i) / 16_000
        return Int16(1500 * sin(2 * .pi * 210 * t) + 700 * sin(2 * .pi * 1130 * t) + Double((i &* 7919) % 401 - 200))
    }
    /// Participant `i`'s frame: 7 frames further into `source` per participant, as in `mix-bench`.
    func talker(_ i: Int, count: Int) -> [Int16] {
        let start = (i * 7 % (source.count / count)) * count
        return Array(source[start..<(start + count)])
    }

    for n in [3, 10, 100, 1000] {
        for topK in [nil, 3] as [Int?] {
            if topK != nil && n <= 10 { continue }
            let name = "Mix-minus tick N=\(n)" + (topK.map { " top-K=\($0)" } ?? " all mixed")
            Benchmark(name) { benchmark, setup in
                let (bridge, ids, frames) = setup
                var out = [Int16](repeating: 0, count: 320)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    for i in 0..<ids.count {
                        frames[i].withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) }
                    }
                    bridge.mix()
                    out.withUnsafeMutableBufferPointer { buffer in
                        for id in ids { _ = bridge.read(into: buffer, for: id) }
                    }
                }
                blackHole(out)
            } setup: { () -> (MixMinusBridge, [ParticipantID], [[Int16]]) in
                var config = BridgeConfiguration()
                config.maximumParticipants = n
                config.topK = topK.map { TopKPolicy.always(k: $0) } ?? TopKPolicy.always(k: n)
                let bridge = MixMinusBridge(configuration: config)
                var ids: [ParticipantID] = []
                for i in 0..<n {
                    ids.append(try! bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband))
                }
                bridge.applyPendingCommands()
                let frames = (0..<n).map { talker($0, count: 320) }
                // Warm up: detectors settle, top-K picks its talkers.
                for _ in 0..<60 {
                    for i in 0..<n { frames[i].withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) } }
                    bridge.mix()
                }
                return (bridge, ids, frames)
            }
        }
    }
    for n in [100, 1000] {
        Benchmark("Shared G.722 tick N=\(n) talkers=3") { benchmark, setup in
            let (bridge, group, ids, frames) = setup
            var bytes = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                for i in 0..<ids.count {
                    frames[min(i, 3)].withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) }
                }
                bridge.mix()
                try group.encode()
                for id in ids { bytes &+= group.payload(for: id)?.count ?? 0 }
            }
            blackHole(bytes)
        } setup: { () -> (MixMinusBridge, SharedEncoderGroup<G722Encoder>, [ParticipantID], [[Int16]]) in
            var config = BridgeConfiguration()
            config.maximumParticipants = n
            config.topK = TopKPolicy(k: 3)
            let bridge = MixMinusBridge(configuration: config)
            let group = try SharedEncoderGroup(bridge: bridge, makeEncoder: { G722Encoder() })
            var ids: [ParticipantID] = []
            for i in 0..<n {
                let id = try bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)
                try group.add(id)
                ids.append(id)
            }
            bridge.applyPendingCommands()
            // Three talkers and one idle-microphone frame (about -60 dBFS) for everyone else.
            let frames = (0..<3).map { talker($0, count: 320) } + [(0..<320).map { Int16(($0 &* 7919) % 61 - 30) }]
            for _ in 0..<60 {
                for i in 0..<n { frames[min(i, 3)].withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) } }
                bridge.mix()
                try group.encode()
            }
            return (bridge, group, ids, frames)
        }
    }
}
