/// What `timbre load` drives: the service under test, set up through its control protocol.
///
/// One existential call per control operation (never per packet), so a protocol is the plain
/// way to let the same streams and measurement run against timbred, rtpengine or the built-in
/// loopback reflector.
protocol LoadBackend: AnyObject {
    /// For reports: "timbred", "rtpengine", "loopback".
    var name: String { get }
    /// Sets up one call (two legs) or one conference (`legs.count` parties) whose legs send from
    /// these local ports with these codecs; returns, per leg, where the service wants that leg's
    /// media and the negotiated codec and payload type.
    func setUp(group: Int, conference: Bool, legs: [(port: Int, codec: LoadCodec)]) throws -> [LoadSDP.Media]
    /// The service's own counters for the legs set up, read after the streams stopped; nil when
    /// the protocol has none.
    func counters() -> LoadServiceCounters?
    /// Ends every call and conference set up (errors are ignored: the run is over).
    func tearDown()
}

/// Counters a service reports about the media it received, summed over all legs.
struct LoadServiceCounters {
    /// RTP packets the service says it received.
    var received = 0
    /// Packets its jitter buffers discarded as late or overflowing.
    var discarded = 0
    /// Samples the jitter buffers played, and how many of them were concealment (from the start
    /// of each call to the end of the measured window): a buffer that keeps too little delay
    /// conceals without losing.
    var playedSamples = 0
    var concealedSamples = 0
    /// Each leg's jitter-buffer target delay in ms at the end of the run.
    var jitterTargetsMs: [Double] = []
    /// Legs whose statistics could not be read.
    var unreadable = 0
}
