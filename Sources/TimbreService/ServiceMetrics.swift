import Metrics
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The service's metrics, exported at `/metrics` in Prometheus text format through
/// swift-metrics with swift-prometheus as the backend.
///
/// The registry is the service's own (not the process-global default) so that tests can build
/// several applications in one process.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let endpointsActive: Gauge
    public let bridgesActive: Gauge
    public let recordingsActive: Gauge
    public let packetsIn: Counter
    public let packetsOut: Counter
    public let packetsLost: Counter
    public let packetsLate: Counter
    public let packetsMalformed: Counter
    public let jitterBufferDelay: Timer
    public let mediaTickDuration: Timer
    public let mediaTickOverruns: Counter
    public let eventsPublished: Counter
    public let apiRequests: Counter

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        endpointsActive = Gauge(label: "timbre_endpoints_active", factory: factory)
        bridgesActive = Gauge(label: "timbre_bridges_active", factory: factory)
        recordingsActive = Gauge(label: "timbre_recordings_active", factory: factory)
        packetsIn = Counter(label: "timbre_rtp_packets_in_total", factory: factory)
        packetsOut = Counter(label: "timbre_rtp_packets_out_total", factory: factory)
        packetsLost = Counter(label: "timbre_rtp_packets_lost_total", factory: factory)
        packetsLate = Counter(label: "timbre_rtp_packets_late_total", factory: factory)
        packetsMalformed = Counter(label: "timbre_rtp_packets_malformed_total", factory: factory)
        jitterBufferDelay = Timer(label: "timbre_jitter_buffer_delay_seconds", factory: factory)
        mediaTickDuration = Timer(label: "timbre_media_tick_duration_seconds", factory: factory)
        mediaTickOverruns = Counter(label: "timbre_media_tick_overruns_total", factory: factory)
        eventsPublished = Counter(label: "timbre_events_published_total", factory: factory)
        apiRequests = Counter(label: "timbre_api_requests_total", factory: factory)
    }

    /// Prometheus text exposition.
    public func render() -> String { registry.emitToString() }
}
