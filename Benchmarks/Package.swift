// swift-tools-version: 6.1
//
// Timbre's benchmarks (ordo-one/package-benchmark), kept in a nested package so the library's
// own manifest has no benchmark dependency. Run from this directory:
//   swift package benchmark                       # all targets
//   swift package benchmark --target CodecBenchmarks
// Thresholds live in `Thresholds/`; peer comparisons (C libraries) in `peers/`.
import PackageDescription

let package = Package(
    name: "TimbreBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Timbre", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreCore", package: "Timbre"),
                .product(name: "TimbreCodecs", package: "Timbre"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "OpusBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreCore", package: "Timbre"),
                .product(name: "TimbreCodecs", package: "Timbre"),
                .product(name: "TimbreOpus", package: "Timbre"),
                .product(name: "TimbreAudioFile", package: "Timbre"),
            ],
            path: "Benchmarks/OpusBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HIDBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreHID", package: "Timbre"),
            ],
            path: "Benchmarks/HIDBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MixerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreCore", package: "Timbre"),
                .product(name: "TimbreCodecs", package: "Timbre"),
                .product(name: "TimbreConference", package: "Timbre"),
            ],
            path: "Benchmarks/MixerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RTPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreRTP", package: "Timbre"),
            ],
            path: "Benchmarks/RTPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Same-run comparison with the C peers: `peers/codecs/run.sh` builds this in release
        // (baseline and AVX2) and prints Timbre's samples/s beside the C harness's.
        .executableTarget(
            name: "codec-peer-runner",
            dependencies: [
                .product(name: "TimbreCore", package: "Timbre"),
                .product(name: "TimbreCodecs", package: "Timbre"),
            ],
            path: "peers/codecs/runner"
        ),
    ]
)
