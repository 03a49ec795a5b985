// Opus benchmarks: Timbre's OpusEncoder/OpusDecoder (libopus underneath) on one 20 ms frame of
// SampleAudio speech (960 samples, mono 48 kHz), plus concealment and FEC recovery.
//
// Metrics: wall clock, instructions and `mallocCountTotal`. Every per-frame call must allocate
// nothing. With Swift 6.3 on Linux the harness itself counts 16 mallocs per sample when its
// runtime interposer is not built: `control.empty` (an empty loop) shows that baseline, and
// every Opus benchmark measured the same 16 (2026-11-22), i.e. zero of its own. The absolute
// p90 threshold is that baseline, so one allocation per frame fails
// `swift package benchmark thresholds check --target OpusBenchmarks`. `valgrind --tool=memcheck`
// on `timbre bench --kernel opus --iterations 1` vs `3` confirms it independently (same count).
// The wrapper's overhead against calling libopus from C on the same input is measured by
// `peers/opus/run.sh` (wall clock and callgrind instructions, same run).
import Benchmark
import TimbreAudioFile
import TimbreCodecs
import TimbreCore
import TimbreOpus

#if canImport(Glibc)
import Glibc
#endif

let benchmarks: @Sendable () -> Void = {
    let zeroMalloc: [BenchmarkMetric: BenchmarkThresholds] = [
        .mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 16])
    ]
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 100_000,
        thresholds: zeroMalloc
    )

    // SampleAudio/speech-en-male-48k.wav: from $TIMBRE_SAMPLE_AUDIO, else found from this
    // file's path.
    var root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
    root.removeLast(4)  // Benchmarks/Benchmarks/OpusBenchmarks/OpusBenchmarks.swift
    let directory = getenv("TIMBRE_SAMPLE_AUDIO").map { String(cString: $0) } ?? root.joined(separator: "/") + "/SampleAudio"
    let path = directory + "/speech-en-male-48k.wav"
    guard let speech = try? AudioFileReader.readMono(path: path).samples else {
        fatalError("cannot read \(path)")
    }
    let frame = 960
    let frames = speech.count / frame
    let pcm = UnsafeMutableBufferPointer<Int16>.allocate(capacity: frames * frame)
    _ = pcm.initialize(from: speech.prefix(frames * frame))
    let out = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 5_760)
    let slot = 4_000

    // Control: an empty loop body, so the harness's own per-sample allocations (if any, e.g.
    // when its runtime interposer is not built) can be told apart from the codec's.
    Benchmark("control.empty") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(0) }
    }

    for complexity in [5, 9, 10] {
        let encoder = try! OpusEncoder(.init(bitrate: 32_000, complexity: complexity))
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: slot, alignment: 1)
        Benchmark("opus.encode 20ms 32k c\(complexity)") { benchmark in
            var i = 0
            for _ in benchmark.scaledIterations {
                let n = try encoder.encodePacket(
                    UnsafeBufferPointer(rebasing: pcm[(i * frame)..<((i + 1) * frame)]), into: payload)
                blackHole(n)
                i = i + 1 == frames ? 0 : i + 1
            }
        }
    }

    // Packets of the whole input, for the decoder benchmarks.
    let encoder = try! OpusEncoder(.init(bitrate: 32_000, inbandFEC: true, expectedPacketLossPercent: 20))
    let packets = UnsafeMutableRawBufferPointer.allocate(byteCount: frames * slot, alignment: 1)
    var lengths = [Int](repeating: 0, count: frames)
    for i in 0..<frames {
        lengths[i] = try! encoder.encodePacket(
            UnsafeBufferPointer(rebasing: pcm[(i * frame)..<((i + 1) * frame)]),
            into: UnsafeMutableRawBufferPointer(rebasing: packets[(i * slot)..<((i + 1) * slot)]))
    }
    let packetLengths = lengths
    func packet(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: packets[(i * slot)..<(i * slot + packetLengths[i])])
    }

    let decoder = try! OpusDecoder()
    Benchmark("opus.decode 20ms 32k") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(packet(i), into: out))
            i = i + 1 == frames ? 0 : i + 1
        }
    }

    let concealer = try! OpusDecoder()
    Benchmark("opus.conceal 20ms") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            // Alternate a received packet and a loss, so PLC always has fresh history.
            if i % 2 == 0 {
                blackHole(try concealer.decode(packet(i), into: out))
            } else {
                blackHole(try concealer.conceal(samples: frame, into: out))
            }
            i = i + 1 == frames ? 0 : i + 1
        }
    }

    let recoverer = try! OpusDecoder()
    Benchmark("opus.decodeFEC 20ms") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(try recoverer.decodeRedundancy(from: packet(i + 1), samples: frame, into: out))
            blackHole(try recoverer.decode(packet(i + 1), into: out))
            i = i + 2 >= frames - 1 ? 0 : i + 2
        }
    }
}
