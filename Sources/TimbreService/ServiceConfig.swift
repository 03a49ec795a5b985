import Foundation

/// `timbred`'s configuration, read from a JSON file (`--config FILE`) or the embedded default.
///
/// JSON because Foundation's `JSONDecoder` is the parser made for it that every Swift toolchain
/// has; unknown keys are refused (a typo must not silently fall back to a default), and every
/// error names the key path, e.g. `rtp.portMin: must be an even number`.
public struct ServiceConfig: Codable, Sendable, Equatable {
    public struct API: Codable, Sendable, Equatable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8089
        /// Bearer tokens; required whenever `host` is not a loopback address.
        public var tokens: [String] = []
        /// Largest request body accepted (bytes); larger bodies get 413.
        public var maxBodyBytes: Int = 9 * 1024 * 1024
    }

    public struct RTP: Codable, Sendable, Equatable {
        public var host: String = "127.0.0.1"
        /// Even port range for RTP; RTCP uses the odd port above each.
        public var portMin: Int = 30000
        public var portMax: Int = 30999
        /// An endpoint with no incoming media for this long raises `rtp.timeout`.
        public var timeoutSeconds: Int = 30
        /// Accept media only from the SDP address (no symmetric-RTP latching).
        public var strictSource: Bool = false
        /// Largest UDP payload accepted; longer datagrams are counted as malformed.
        public var maxPacketBytes: Int = 1500
    }

    public struct Codecs: Codable, Sendable, Equatable {
        /// Codecs offered, in preference order (SDP encoding names).
        public var offer: [String] = ["PCMU", "PCMA", "G722", "opus"]
        public var ptimeMs: Int = 20
        public var opusBitrate: Int = 24000
        public var opusComplexity: Int = 5
        public var opusFEC: Bool = true
    }

    public struct JitterBuffer: Codable, Sendable, Equatable {
        /// "adaptive" or "fixed".
        public var mode: String = "adaptive"
        public var minDelayMs: Int = 20
        public var maxDelayMs: Int = 400
        public var fixedDelayMs: Int = 60
    }

    public struct Limits: Codable, Sendable, Equatable {
        public var endpoints: Int = 2000
        public var bridges: Int = 1000
        public var participantsPerBridge: Int = 200
        public var recordings: Int = 1000
        /// Events kept for clients that resume from a sequence number.
        public var eventHistory: Int = 4096
        /// Events queued per WebSocket client before it is disconnected as too slow.
        public var eventsPerClient: Int = 1024
        public var greetingsPerMailbox: Int = 10
    }

    public struct Logging: Codable, Sendable, Equatable {
        /// trace, debug, info, notice, warning, error, critical.
        public var level: String = "info"
        /// "text" or "json" (JSON lines).
        public var format: String = "text"
    }

    public var api = API()
    public var rtp = RTP()
    public var codecs = Codecs()
    public var jitterBuffer = JitterBuffer()
    public var limits = Limits()
    public var logging = Logging()
    public var dataDirectory: String = "./timbre-data"
    /// Greeting validation profile for uploads ("yeastar", "3cx").
    public var greetingProfile: String = "yeastar"

    public init() {}

    /// The embedded default: API on 127.0.0.1:8089, RTP on 127.0.0.1:30000–30999, data under
    /// ./timbre-data.
    public static let `default` = ServiceConfig()

    /// A configuration error: the key path and what is wrong. `timbred` prints it and exits 2.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var key: String
        public var message: String
        public var description: String { key.isEmpty ? message : "\(key): \(message)" }
    }

    /// Loads and validates a JSON configuration; omitted keys keep their defaults.
    public static func load(path: String) throws(Problem) -> ServiceConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(key: "", message: "cannot read config file \(path)")
        }
        return try parse(data)
    }

    public static func parse(_ data: Data) throws(Problem) -> ServiceConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Problem(key: "", message: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dict = object as? [String: Any] else { throw Problem(key: "", message: "top level must be an object") }
        // Omitted keys keep their defaults: the file is laid over the default configuration
        // and the result decoded, so every key is present for the synthesised decoder.
        guard let defaultData = try? JSONEncoder().encode(ServiceConfig.default),
            let defaults = (try? JSONSerialization.jsonObject(with: defaultData)) as? [String: Any]
        else { throw Problem(key: "", message: "internal: cannot encode defaults") }
        try checkKeys(dict, known: defaults, path: "")
        let merged = overlay(dict, on: defaults)
        var config: ServiceConfig
        do {
            let mergedData = try JSONSerialization.data(withJSONObject: merged)
            config = try JSONDecoder().decode(ServiceConfig.self, from: mergedData)
        } catch let error as DecodingError {
            throw problem(from: error)
        } catch {
            throw Problem(key: "", message: "\(error)")
        }
        try config.validate()
        return config
    }

    private static func overlay(_ top: [String: Any], on base: [String: Any]) -> [String: Any] {
        var out = base
        for (k, v) in top {
            if let sub = v as? [String: Any], let baseSub = base[k] as? [String: Any] {
                out[k] = overlay(sub, on: baseSub)
            } else {
                out[k] = v
            }
        }
        return out
    }

    /// Refuses keys that the default configuration does not have, naming the full path.
    private static func checkKeys(_ dict: [String: Any], known: [String: Any], path: String) throws(Problem) {
        for (key, value) in dict {
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard let k = known[key] else { throw Problem(key: full, message: "unknown key") }
            if let sub = value as? [String: Any], let knownSub = k as? [String: Any] {
                try checkKeys(sub, known: knownSub, path: full)
            }
        }
    }

    private static func problem(from error: DecodingError) -> Problem {
        func path(_ p: [any CodingKey]) -> String { p.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let ctx):
            return Problem(key: path(ctx.codingPath), message: "expected \(type)")
        case .valueNotFound(let type, let ctx):
            return Problem(key: path(ctx.codingPath), message: "expected \(type), found null")
        case .keyNotFound(let key, let ctx):
            return Problem(key: path(ctx.codingPath + [key]), message: "missing")
        case .dataCorrupted(let ctx):
            return Problem(key: path(ctx.codingPath), message: ctx.debugDescription)
        @unknown default:
            return Problem(key: "", message: "\(error)")
        }
    }

    /// Range and consistency checks.
    public func validate() throws(Problem) {
        func fail(_ key: String, _ message: String) throws(Problem) { throw Problem(key: key, message: message) }
        if !(1...65535).contains(api.port) { try fail("api.port", "must be 1...65535") }
        if !isLoopback(api.host) && api.tokens.isEmpty {
            try fail("api.tokens", "required when api.host (\(api.host)) is not a loopback address")
        }
        if api.tokens.contains(where: { $0.count < 16 }) { try fail("api.tokens", "each token needs at least 16 characters") }
        if api.maxBodyBytes < 1024 || api.maxBodyBytes > 256 * 1024 * 1024 {
            try fail("api.maxBodyBytes", "must be 1024...268435456")
        }
        if rtp.portMin % 2 != 0 { try fail("rtp.portMin", "must be an even number") }
        if !(1024...65534).contains(rtp.portMin) { try fail("rtp.portMin", "must be 1024...65534") }
        if rtp.portMax < rtp.portMin + 1 || rtp.portMax > 65535 { try fail("rtp.portMax", "must be above rtp.portMin and at most 65535") }
        if !(1...3600).contains(rtp.timeoutSeconds) { try fail("rtp.timeoutSeconds", "must be 1...3600") }
        if !(172...65535).contains(rtp.maxPacketBytes) { try fail("rtp.maxPacketBytes", "must be 172...65535") }
        let supported = ["pcmu", "pcma", "g722", "opus"]
        for c in codecs.offer where !supported.contains(c.lowercased()) {
            try fail("codecs.offer", "unknown codec \(c) (supported: PCMU, PCMA, G722, opus)")
        }
        if codecs.offer.isEmpty { try fail("codecs.offer", "must list at least one codec") }
        if ![10, 20].contains(codecs.ptimeMs) { try fail("codecs.ptimeMs", "must be 10 or 20") }
        if !(6000...510_000).contains(codecs.opusBitrate) { try fail("codecs.opusBitrate", "must be 6000...510000") }
        if !(0...10).contains(codecs.opusComplexity) { try fail("codecs.opusComplexity", "must be 0...10") }
        if !["adaptive", "fixed"].contains(jitterBuffer.mode) { try fail("jitterBuffer.mode", "must be adaptive or fixed") }
        if jitterBuffer.minDelayMs < 0 || jitterBuffer.minDelayMs > jitterBuffer.maxDelayMs {
            try fail("jitterBuffer.minDelayMs", "must be 0...maxDelayMs")
        }
        if jitterBuffer.maxDelayMs > 2000 { try fail("jitterBuffer.maxDelayMs", "must be at most 2000") }
        if !(0...2000).contains(jitterBuffer.fixedDelayMs) { try fail("jitterBuffer.fixedDelayMs", "must be 0...2000") }
        for (k, v, maxV) in [
            ("limits.endpoints", limits.endpoints, 100_000), ("limits.bridges", limits.bridges, 100_000),
            ("limits.participantsPerBridge", limits.participantsPerBridge, 10_000),
            ("limits.recordings", limits.recordings, 100_000), ("limits.eventHistory", limits.eventHistory, 1_000_000),
            ("limits.eventsPerClient", limits.eventsPerClient, 1_000_000),
            ("limits.greetingsPerMailbox", limits.greetingsPerMailbox, 1000),
        ] where v < 1 || v > maxV {
            try fail(k, "must be 1...\(maxV)")
        }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logging.level) {
            try fail("logging.level", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        if !["text", "json"].contains(logging.format) { try fail("logging.format", "must be text or json") }
        if dataDirectory.isEmpty { try fail("dataDirectory", "must not be empty") }
        if !["yeastar", "3cx"].contains(greetingProfile) { try fail("greetingProfile", "must be yeastar or 3cx") }
    }

    func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

