import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TimbreCodecs
import TimbreEngine
import TimbreOpus

/// The media half of `timbred` as a swift-service-lifecycle `Service`: starts the media
/// threads, pumps their events into the `EventHub`, and on graceful shutdown finishes every
/// recording as a valid file and ends every leg with RTCP BYE before returning.
public final class MediaService: Service, Sendable {
    public let config: ServiceConfig
    public let engine: MediaEngine
    public let events: EventHub
    public let metrics: ServiceMetrics
    public let registry: CodecRegistry
    let logger: Logger
    let endpoints = Mutex([String: EndpointState]())
    let bridges = Mutex([String: BridgeState]())
    let recordings: RecordingManager
    let greetings: GreetingService
    let captures: GreetingCaptureManager
    private let nextPlayback = Atomic<UInt64>(1)

    public init(config: ServiceConfig, events: EventHub, metrics: ServiceMetrics, logger: Logger) throws {
        self.config = config
        self.events = events
        self.metrics = metrics
        self.logger = logger
        var ec = EngineConfiguration()
        ec.rtpHost = config.rtp.host
        ec.portRange = config.rtp.portMin...config.rtp.portMax
        ec.ptime = config.codecs.ptimeMs == 10 ? .ms10 : .ms20
        ec.jitterMode = config.jitterBuffer.mode == "fixed"
            ? .fixed(milliseconds: config.jitterBuffer.fixedDelayMs)
            : .adaptive(minimumMilliseconds: config.jitterBuffer.minDelayMs, maximumMilliseconds: config.jitterBuffer.maxDelayMs)
        ec.rtpTimeoutSeconds = config.rtp.timeoutSeconds
        ec.strictSource = config.rtp.strictSource
        ec.maxPacketBytes = config.rtp.maxPacketBytes
        ec.opusBitrate = config.codecs.opusBitrate
        ec.opusComplexity = config.codecs.opusComplexity
        ec.opusFEC = config.codecs.opusFEC
        engine = MediaEngine(configuration: ec)
        registry = CodecRegistry.standard
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        recordings = try RecordingManager(directory: config.dataDirectory + "/recordings", limit: config.limits.recordings, events: events, logger: logger)
        greetings = try GreetingService(directory: config.dataDirectory + "/greetings", profile: config.greetingProfile, limit: config.limits.greetingsPerMailbox)
        captures = GreetingCaptureManager(greetings: greetings, events: events, logger: logger)
    }

    public var endpointCount: Int { endpoints.withLock { $0.count } }

    public func refreshGauges() {
        metrics.endpointsActive.record(endpointCount)
        metrics.bridgesActive.record(bridges.withLock { $0.count })
        metrics.recordingsActive.record(recordings.activeCount)
    }

    public func run() async throws {
        engine.start()
        logger.info("media engine started", metadata: ["rtp": "\(config.rtp.host):\(config.rtp.portMin)-\(config.rtp.portMax)"])
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                pumpEvents()
                try? await Task.sleep(for: .milliseconds(20))
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: finishing recordings, sending RTCP BYE")
        }
        recordings.stopAll()
        captures.stopAll(reason: .shutdown, engine: engine)
        engine.stop()
        pumpEvents()
        logger.info("media engine stopped")
    }

    /// Moves media-thread events into the hub (and metrics).
    func pumpEvents() {
        engine.drainEvents { e in
            switch e {
            case .dtmf(let leg, let digit, let ms):
                events.publish("dtmf", ["endpoint": .string(endpointID(leg)), "digit": .string(String(digit)), "durationMs": .int(ms)])
                captures.dtmf(leg: leg, digit: digit, engine: engine)
            case .rtpTimeout(let leg, let s):
                events.publish("rtp.timeout", ["endpoint": .string(endpointID(leg)), "seconds": .int(s)])
            case .rtpResumed(let leg):
                events.publish("rtp.resumed", ["endpoint": .string(endpointID(leg))])
            case .sourceLatched(let leg, let addr):
                events.publish("endpoint.latched", ["endpoint": .string(endpointID(leg)), "address": .string(addr.description)])
            case .talking(let bridge, let leg, let speaking):
                let apiID = bridges.withLock { $0.values.first { $0.bridge.id == bridge }?.id } ?? bridgeID(bridge)
                events.publish(speaking ? "talking.started" : "talking.stopped",
                    ["bridge": .string(apiID), "endpoint": .string(endpointID(leg))])
            case .playbackFinished(let leg, let playback):
                events.publish("playback.finished", ["endpoint": .string(endpointID(leg)), "playback": .string("pb-\(playback)")])
            case .recordingFailed, .legRemoved, .bridgeEnded:
                break
            }
            metrics.eventsPublished.increment()
        }
        recordings.poll()
        captures.poll(engine: engine)
    }

    func endpointID(_ leg: UInt64) -> String { "ep-\(leg)" }
    func bridgeID(_ b: UInt64) -> String { "br-\(b)" }

    func newPlaybackID() -> UInt64 { nextPlayback.wrappingAdd(1, ordering: .relaxed).oldValue }
}
