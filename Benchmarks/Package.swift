// swift-tools-version: 6.1
//
// Timbre benchmarks (ordo-one/benchmark): one executable target per area under Benchmarks/.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
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
            name: "HIDBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TimbreHID", package: "Timbre"),
            ],
            path: "Benchmarks/HIDBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
