// swift-tools-version: 6.1
//
// Timbre — a telephony audio engine and headless media service.
//
// Data flows bytes in → RTP → jitter buffer → decoder → DSP → mixer → encoder → RTP out,
// with recording, greetings and devices as taps. Dependencies point one way:
//   C shims ← TimbreCore ← codecs / DSP / files ← pipeline pieces ← CLI / service.
// No target here uses `unsafeFlags`: CPU flags (AVX2) come from the Makefile, so that the
// library products stay usable as a versioned dependency.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// A Debian system library wrapped as its own tiny module, so a product links only what it uses.
func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

/// A Swift library module with the house settings.
func library(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, swiftSettings: swiftSettings)
}

/// One test target per module.
func tests(_ name: String, _ dependencies: [Target.Dependency], resources: [Resource]? = nil) -> Target {
    .testTarget(
        name: name,
        dependencies: dependencies + ["TimbreTestSupport"],
        resources: resources,
        swiftSettings: swiftSettings
    )
}

let libraryModules = [
    "TimbreCore", "TimbreCodecs", "TimbreOpus", "TimbreDSP", "TimbreAudioFile", "TimbreRTP",
    "TimbreJitter", "TimbreConference", "TimbreRecording", "TimbreGreetings", "TimbreHID",
    "TimbreHeadset", "TimbreAudioDevices", "TimbreSDP", "TimbreEngine",
]

let package = Package(
    name: "Timbre",
    platforms: [.macOS(.v15)],
    products: libraryModules.map { .library(name: $0, targets: [$0]) } + [
        .executable(name: "timbre", targets: ["timbre"]),
        .executable(name: "timbred", targets: ["timbred"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C layer.
        systemLibrary("COpus", pkgConfig: "opus", apt: "libopus-dev"),
        systemLibrary("CSndFile", pkgConfig: "sndfile", apt: "libsndfile1-dev"),
        systemLibrary("CSpeexDSP", pkgConfig: "speexdsp", apt: "libspeexdsp-dev"),
        systemLibrary("CSampleRate", pkgConfig: "samplerate", apt: "libsamplerate0-dev"),
        systemLibrary("CALSA", pkgConfig: "alsa", apt: "libasound2-dev"),
        .target(name: "CTimbreLinux"),

        // Library modules, one concept each.
        library("TimbreCore", []),
        library("TimbreCodecs", ["TimbreCore"]),
        library("TimbreOpus", ["TimbreCodecs", "COpus"]),
        library("TimbreDSP", ["TimbreCore", "CSampleRate", "CSpeexDSP"]),
        library("TimbreAudioFile", ["TimbreCore", "CSndFile"]),
        library("TimbreRTP", ["TimbreCore"]),
        library("TimbreSDP", ["TimbreCodecs"]),
        library("TimbreJitter", ["TimbreRTP", "TimbreCodecs", "TimbreDSP"]),
        library("TimbreConference", ["TimbreCore", "TimbreCodecs", "TimbreDSP"]),
        library("TimbreRecording", ["TimbreCore", "TimbreAudioFile", "CSndFile"]),
        library("TimbreGreetings", ["TimbreCore", "TimbreAudioFile", "TimbreDSP", "CSndFile"]),
        library("TimbreHID", []),
        .target(
            name: "TimbreHeadset", dependencies: ["TimbreHID", "CTimbreLinux"],
            exclude: ["udev"], swiftSettings: swiftSettings),
        library("TimbreAudioDevices", ["TimbreCore", "CALSA"]),

        // Command line.
        .target(
            name: "TimbreCLI",
            dependencies: [
                "TimbreCore", "TimbreCodecs", "TimbreOpus", "TimbreDSP", "TimbreAudioFile",
                "TimbreRTP", "TimbreJitter", "TimbreConference", "TimbreRecording",
                "TimbreGreetings", "TimbreHID", "TimbreHeadset", "TimbreAudioDevices", "TimbreSDP",
                "CTimbreLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "timbre", dependencies: ["TimbreCLI"], swiftSettings: swiftSettings),

        // Media service.
        library("TimbreEngine", [
            "TimbreCore", "TimbreCodecs", "TimbreOpus", "TimbreDSP", "TimbreRTP", "TimbreSDP",
            "TimbreJitter", "TimbreConference", "TimbreRecording", "TimbreGreetings", "TimbreAudioFile", "CTimbreLinux",
        ]),
        .target(
            name: "TimbreService",
            dependencies: [
                "TimbreEngine", "TimbreCore", "TimbreCodecs", "TimbreOpus", "TimbreDSP", "TimbreSDP", "TimbreRecording",
                "TimbreGreetings", "TimbreConference",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "timbred", dependencies: ["TimbreService"], swiftSettings: swiftSettings),

        // Tests.
        .target(
            name: "TimbreTestSupport",
            dependencies: ["TimbreCore", "TimbreAudioFile"],
            path: "Tests/TimbreTestSupport",
            swiftSettings: swiftSettings
        ),
        tests("TimbreCoreTests", ["TimbreCore"]),
        tests("TimbreCodecsTests", ["TimbreCodecs"]),
        tests("TimbreOpusTests", ["TimbreOpus", "TimbreCodecs"]),
        tests("TimbreDSPTests", ["TimbreDSP"]),
        tests("TimbreAudioFileTests", ["TimbreAudioFile"]),
        tests("TimbreRTPTests", ["TimbreRTP", "TimbreCore"]),
        tests("TimbreSDPTests", ["TimbreSDP"]),
        tests("TimbreJitterTests", ["TimbreJitter", "TimbreRTP", "TimbreCodecs", "TimbreDSP", "TimbreOpus"]),
        tests("TimbreConferenceTests", ["TimbreConference"]),
        tests("TimbreRecordingTests", ["TimbreRecording", "TimbreAudioFile"]),
        tests("TimbreGreetingsTests", ["TimbreGreetings", "TimbreAudioFile"]),
        tests("TimbreHIDTests", ["TimbreHID"], resources: [.copy("Descriptors")]),
        tests("TimbreHeadsetTests", ["TimbreHeadset", "TimbreHID"]),
        tests("TimbreAudioDevicesTests", ["TimbreAudioDevices"]),
        tests("TimbreCLITests", ["TimbreCore"]),
        tests("TimbreEngineTests", ["TimbreEngine", "TimbreCodecs"]),
        tests("TimbreServiceTests", [
            "TimbreService", "TimbreEngine", "TimbreCodecs", "TimbreSDP",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            "TimbreAudioFile",
        ]),
    ]
)
