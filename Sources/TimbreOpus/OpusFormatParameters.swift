public import TimbreCodecs

/// The SDP `a=fmtp` parameters of an Opus payload type (RFC 7587 §6.1), parsed and built.
///
/// Every parameter is optional; nil means "not present", which RFC 7587 gives a default:
/// `maxplaybackrate` 48000, `stereo` 0, `useinbandfec` 0, `usedtx` 0, `cbr` 0. Parameters this
/// type does not know are kept in `otherParameters` (in order) so a re-built line loses nothing.
public struct OpusFormatParameters: Hashable, Sendable, CustomStringConvertible {
    /// Highest rate (Hz, 8000...48000) the receiver will play: the sender may cap its bandwidth.
    public var maxPlaybackRate: Int?
    /// Highest rate (Hz) the sender captures.
    public var spropMaxCaptureRate: Int?
    /// Largest average bitrate (bit/s, 6000...510000) the receiver wants.
    public var maxAverageBitrate: Int?
    /// Whether the receiver prefers stereo.
    public var stereo: Bool?
    /// Whether the sender is likely to send stereo.
    public var spropStereo: Bool?
    /// Whether the receiver prefers constant bitrate.
    public var cbr: Bool?
    /// Whether the receiver can use in-band FEC (so the sender should enable it).
    public var useInbandFEC: Bool?
    /// Whether the receiver prefers DTX.
    public var useDTX: Bool?
    /// Packetisation preferences in ms.
    public var ptime: Int?
    public var minptime: Int?
    public var maxptime: Int?
    /// Unknown `key=value` pairs, in their original order.
    public var otherParameters: [KeyValuePairs]

    public struct KeyValuePairs: Hashable, Sendable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    public init(
        maxPlaybackRate: Int? = nil, spropMaxCaptureRate: Int? = nil, maxAverageBitrate: Int? = nil,
        stereo: Bool? = nil, spropStereo: Bool? = nil, cbr: Bool? = nil, useInbandFEC: Bool? = nil,
        useDTX: Bool? = nil, ptime: Int? = nil, minptime: Int? = nil, maxptime: Int? = nil
    ) {
        self.maxPlaybackRate = maxPlaybackRate
        self.spropMaxCaptureRate = spropMaxCaptureRate
        self.maxAverageBitrate = maxAverageBitrate
        self.stereo = stereo
        self.spropStereo = spropStereo
        self.cbr = cbr
        self.useInbandFEC = useInbandFEC
        self.useDTX = useDTX
        self.ptime = ptime
        self.minptime = minptime
        self.maxptime = maxptime
        self.otherParameters = []
    }

    /// Parses the part of `a=fmtp:<pt> ...` after the payload type, e.g.
    /// `minptime=10; useinbandfec=1`. Keys are case-insensitive; whitespace around `;` and `=`
    /// is ignored. A known key with a malformed or out-of-range value is an error.
    public init(parsing text: some StringProtocol) throws(CodecError) {
        self.init()
        for item in text.split(separator: ";") {
            let trimmed = item.trimmingSpaces
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw .invalidParameter("fmtp parameter without a value: \(trimmed)")
            }
            let key = trimmed[..<eq].trimmingSpaces.lowercased()
            let value = String(trimmed[trimmed.index(after: eq)...].trimmingSpaces)
            switch key {
            case "maxplaybackrate": maxPlaybackRate = try Self.integer(key, value, 8_000...48_000)
            case "sprop-maxcapturerate": spropMaxCaptureRate = try Self.integer(key, value, 8_000...48_000)
            case "maxaveragebitrate": maxAverageBitrate = try Self.integer(key, value, 6_000...510_000)
            case "stereo": stereo = try Self.flag(key, value)
            case "sprop-stereo": spropStereo = try Self.flag(key, value)
            case "cbr": cbr = try Self.flag(key, value)
            case "useinbandfec": useInbandFEC = try Self.flag(key, value)
            case "usedtx": useDTX = try Self.flag(key, value)
            case "ptime": ptime = try Self.integer(key, value, 3...120)
            case "minptime": minptime = try Self.integer(key, value, 3...120)
            case "maxptime": maxptime = try Self.integer(key, value, 3...120)
            default: otherParameters.append(.init(key: String(key), value: value))
            }
        }
    }

    /// The fmtp value, parameters in a fixed order joined by `;` (e.g. `useinbandfec=1;stereo=0`).
    public var description: String {
        var parts: [String] = []
        func add(_ key: String, _ value: Int?) { if let value { parts.append("\(key)=\(value)") } }
        func add(_ key: String, _ value: Bool?) { if let value { parts.append("\(key)=\(value ? 1 : 0)") } }
        add("minptime", minptime)
        add("ptime", ptime)
        add("maxptime", maxptime)
        add("useinbandfec", useInbandFEC)
        add("usedtx", useDTX)
        add("stereo", stereo)
        add("sprop-stereo", spropStereo)
        add("cbr", cbr)
        add("maxplaybackrate", maxPlaybackRate)
        add("sprop-maxcapturerate", spropMaxCaptureRate)
        add("maxaveragebitrate", maxAverageBitrate)
        parts += otherParameters.map { "\($0.key)=\($0.value)" }
        return parts.joined(separator: ";")
    }

    /// The bandwidth an encoder should cap itself to for the receiver's `maxplaybackrate`
    /// (RFC 7587 §3.1.1), or nil when no cap applies.
    public var maximumBandwidth: OpusBandwidth? {
        guard let rate = maxPlaybackRate else { return nil }
        switch rate {
        case ..<12_000: return .narrowband
        case ..<16_000: return .mediumband
        case ..<24_000: return .wideband
        case ..<48_000: return .superWideband
        default: return nil
        }
    }

    private static func integer(_ key: String, _ value: String, _ range: ClosedRange<Int>) throws(CodecError) -> Int {
        guard let v = Int(value), range.contains(v) else {
            throw .invalidParameter("fmtp \(key)=\(value) is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    private static func flag(_ key: String, _ value: String) throws(CodecError) -> Bool {
        switch value {
        case "0": return false
        case "1": return true
        default: throw .invalidParameter("fmtp \(key)=\(value) must be 0 or 1")
        }
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return s[first...last]
    }
}
