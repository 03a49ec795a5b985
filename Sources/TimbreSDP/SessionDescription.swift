/// An SDP session description (RFC 8866) reduced to what audio offer/answer needs, with
/// faithful round-tripping of the lines it understands.
///
/// Parsing is bounded (size, line count, formats per stream) and never traps: anything
/// malformed is an `SDPError` naming the line.
public struct SessionDescription: Hashable, Sendable {
    public struct Origin: Hashable, Sendable {
        public var username = "-"
        public var sessionID: String
        public var sessionVersion: String
        public var address: String

        public init(username: String = "-", sessionID: String, sessionVersion: String, address: String) {
            self.username = username
            self.sessionID = sessionID
            self.sessionVersion = sessionVersion
            self.address = address
        }
    }

    /// One payload format of a media stream: its type, rtpmap and fmtp.
    public struct Format: Hashable, Sendable {
        public var payloadType: UInt8
        public var encodingName: String?
        public var clockRate: Int?
        public var channels: Int?
        public var parameters: String?

        public init(payloadType: UInt8, encodingName: String? = nil, clockRate: Int? = nil, channels: Int? = nil, parameters: String? = nil) {
            self.payloadType = payloadType
            self.encodingName = encodingName
            self.clockRate = clockRate
            self.channels = channels
            self.parameters = parameters
        }
    }

    public struct Media: Hashable, Sendable {
        public var type: String
        public var port: Int
        public var proto: String
        public var formats: [Format]
        public var connection: String?
        public var direction: Direction?
        public var ptime: Int?
        public var rtcpPort: Int?
        /// Attributes we do not interpret, kept in order (`name` or `name:value`).
        public var otherAttributes: [String] = []

        public init(type: String, port: Int, proto: String, formats: [Format], connection: String? = nil, direction: Direction? = nil, ptime: Int? = nil) {
            self.type = type
            self.port = port
            self.proto = proto
            self.formats = formats
            self.connection = connection
            self.direction = direction
            self.ptime = ptime
        }
    }

    public enum Direction: String, Hashable, Sendable, CaseIterable {
        case sendrecv, sendonly, recvonly, inactive

        /// What the answerer's direction must be for this offered direction (RFC 3264 §6.1),
        /// given what the answerer wants.
        public func answer(wanting ours: Direction) -> Direction {
            let canSend = ours == .sendrecv || ours == .sendonly
            let canReceive = ours == .sendrecv || ours == .recvonly
            switch self {
            case .sendrecv: return ours
            case .sendonly: return canReceive ? .recvonly : .inactive
            case .recvonly: return canSend ? .sendonly : .inactive
            case .inactive: return .inactive
            }
        }
    }

    public var origin: Origin
    public var sessionName: String = "-"
    public var connection: String?
    public var direction: Direction?
    public var media: [Media]

    public static let maximumBytes = 64 * 1024
    public static let maximumLines = 1000
    public static let maximumFormats = 64

    public init(origin: Origin, sessionName: String = "-", connection: String? = nil, media: [Media]) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.media = media
    }

    /// The first audio stream.
    public var audio: Media? { media.first { $0.type == "audio" } }
    public var audioIndex: Int? { media.firstIndex { $0.type == "audio" } }

    /// The connection address for `m` (media level overrides session level).
    public func connectionAddress(for m: Media) -> String? { m.connection ?? connection }

    /// The effective direction of `m` (media level overrides session level; default sendrecv).
    public func direction(of m: Media) -> Direction { m.direction ?? direction ?? .sendrecv }
}

extension SessionDescription {
    /// Parses SDP text (CRLF or LF line ends).
    public init(parsing text: String) throws(SDPError) {
        let bytes = text.utf8.count
        if bytes > Self.maximumBytes { throw .tooLarge(bytes: bytes, maximum: Self.maximumBytes) }
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        if lines.count > Self.maximumLines { throw .tooManyLines(maximum: Self.maximumLines) }
        var sawVersion = false
        var origin: Origin?
        var sessionName = "-"
        var connection: String?
        var direction: Direction?
        var media: [Media] = []
        for (i, raw) in lines.enumerated() {
            let n = i + 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            guard line.count >= 2, line.dropFirst().first == "=", let type = line.first else {
                throw .malformedLine(number: n, text: String(line))
            }
            let value = String(line.dropFirst(2))
            switch type {
            case "v":
                guard value == "0" else { throw .malformedLine(number: n, text: String(line)) }
                sawVersion = true
            case "o":
                let f = value.split(separator: " ")
                guard f.count == 6 else { throw .malformedLine(number: n, text: String(line)) }
                origin = Origin(username: String(f[0]), sessionID: String(f[1]), sessionVersion: String(f[2]), address: String(f[5]))
            case "s":
                sessionName = value.isEmpty ? "-" : value
            case "c":
                let f = value.split(separator: " ")
                guard f.count == 3, f[0] == "IN", f[1] == "IP4" || f[1] == "IP6" else { throw .malformedLine(number: n, text: String(line)) }
                let addr = String(f[2].split(separator: "/").first ?? f[2])
                if media.isEmpty { connection = addr } else { media[media.count - 1].connection = addr }
            case "m":
                let f = value.split(separator: " ")
                guard f.count >= 3, let port = Int(f[1].split(separator: "/").first ?? ""), (0...65535).contains(port) else {
                    throw .badMediaLine(number: n, text: String(line))
                }
                let fmts = f.dropFirst(3)
                if fmts.count > Self.maximumFormats { throw .badMediaLine(number: n, text: "more than \(Self.maximumFormats) formats") }
                var formats: [Format] = []
                for fmt in fmts {
                    // Non-RTP formats (e.g. "webrtc-datachannel") are not payload types: ignore them.
                    if let pt = UInt8(fmt), pt <= 127 { formats.append(Format(payloadType: pt)) }
                }
                media.append(Media(type: String(f[0]), port: port, proto: String(f[2]), formats: formats))
            case "a":
                let (name, attrValue) = splitAttribute(value)
                if let d = Direction(rawValue: name), attrValue == nil {
                    if media.isEmpty { direction = d } else { media[media.count - 1].direction = d }
                    continue
                }
                guard !media.isEmpty else { continue }
                let mi = media.count - 1
                switch name {
                case "rtpmap":
                    guard let v = attrValue, let (pt, rest) = splitPayloadType(v) else { throw .badAttribute(number: n, text: String(line)) }
                    let parts = rest.split(separator: "/")
                    guard parts.count >= 2, let rate = Int(parts[1]), rate > 0 else { throw .badAttribute(number: n, text: String(line)) }
                    let ch = parts.count > 2 ? Int(parts[2]) : nil
                    if let k = media[mi].formats.firstIndex(where: { $0.payloadType == pt }) {
                        media[mi].formats[k].encodingName = String(parts[0])
                        media[mi].formats[k].clockRate = rate
                        media[mi].formats[k].channels = ch
                    }
                case "fmtp":
                    guard let v = attrValue, let (pt, rest) = splitPayloadType(v) else { throw .badAttribute(number: n, text: String(line)) }
                    if let k = media[mi].formats.firstIndex(where: { $0.payloadType == pt }) {
                        media[mi].formats[k].parameters = rest
                    }
                case "ptime":
                    guard let v = attrValue, let p = Int(v.split(separator: ".").first ?? ""), (1...1000).contains(p) else {
                        throw .badAttribute(number: n, text: String(line))
                    }
                    media[mi].ptime = p
                case "rtcp":
                    guard let v = attrValue, let p = Int(v.split(separator: " ").first ?? ""), (1...65535).contains(p) else {
                        throw .badAttribute(number: n, text: String(line))
                    }
                    media[mi].rtcpPort = p
                default:
                    if media[mi].otherAttributes.count < 200 { media[mi].otherAttributes.append(value) }
                }
            default:
                continue  // b=, t=, i=, u=, e=, p=, z=, k=, r= lines: not needed for audio negotiation
            }
        }
        guard sawVersion else { throw .missingVersion }
        guard let origin else { throw .missingOrigin }
        self.init(origin: origin, sessionName: sessionName, connection: connection, media: media)
        self.direction = direction
        // Static payload types may omit rtpmap (RFC 3551): fill them in.
        for mi in self.media.indices {
            for k in self.media[mi].formats.indices where self.media[mi].formats[k].encodingName == nil {
                if let s = Self.staticFormats[self.media[mi].formats[k].payloadType] {
                    self.media[mi].formats[k].encodingName = s.0
                    self.media[mi].formats[k].clockRate = s.1
                }
            }
        }
    }

    /// RFC 3551 static audio payload types we may meet without an rtpmap.
    static let staticFormats: [UInt8: (String, Int)] = [0: ("PCMU", 8000), 3: ("GSM", 8000), 8: ("PCMA", 8000), 9: ("G722", 8000), 13: ("CN", 8000), 18: ("G729", 8000)]

    /// Serialises with CRLF line ends.
    public var text: String {
        var out = "v=0\r\n"
        out += "o=\(origin.username) \(origin.sessionID) \(origin.sessionVersion) IN IP4 \(origin.address)\r\n"
        out += "s=\(sessionName)\r\n"
        if let c = connection { out += "c=IN IP4 \(c)\r\n" }
        out += "t=0 0\r\n"
        if let d = direction { out += "a=\(d.rawValue)\r\n" }
        for m in media {
            let fmts = m.formats.isEmpty ? "0" : m.formats.map { String($0.payloadType) }.joined(separator: " ")
            out += "m=\(m.type) \(m.port) \(m.proto) \(fmts)\r\n"
            if let c = m.connection { out += "c=IN IP4 \(c)\r\n" }
            if let r = m.rtcpPort { out += "a=rtcp:\(r)\r\n" }
            for f in m.formats {
                if let name = f.encodingName, let rate = f.clockRate {
                    out += "a=rtpmap:\(f.payloadType) \(name)/\(rate)" + (f.channels.map { "/\($0)" } ?? "") + "\r\n"
                }
                if let p = f.parameters { out += "a=fmtp:\(f.payloadType) \(p)\r\n" }
            }
            if let p = m.ptime { out += "a=ptime:\(p)\r\n" }
            for a in m.otherAttributes { out += "a=\(a)\r\n" }
            if let d = m.direction { out += "a=\(d.rawValue)\r\n" }
        }
        return out
    }
}

private func splitAttribute(_ value: String) -> (String, String?) {
    guard let colon = value.firstIndex(of: ":") else { return (value, nil) }
    return (String(value[..<colon]), String(value[value.index(after: colon)...]))
}

private func splitPayloadType(_ v: String) -> (UInt8, String)? {
    let parts = v.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, let pt = UInt8(parts[0]), pt <= 127 else { return nil }
    return (pt, String(parts[1]).trimmingCharacters(in: " "))
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = self[...]
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
