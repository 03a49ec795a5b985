/// One `m=` section of an SDP description, with its attributes.
public struct MediaDescription: Hashable, Sendable {
    /// "audio", "video", "application", …
    public var media: String
    /// Transport port; 0 marks a rejected or disabled stream (RFC 3264 §6).
    public var port: Int
    /// The `/<number of ports>` suffix, when present.
    public var portCount: Int?
    /// "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "UDP/TLS/RTP/SAVPF", …
    public var proto: String
    /// Formats in preference order: RTP payload type numbers, as text.
    public var formats: [String]
    public var connection: SessionDescription.Connection?
    /// `b=` lines verbatim.
    public var bandwidths: [String]
    public var attributes: [SessionDescription.Attribute]
    /// Lines we do not interpret (i=, k=), verbatim with their type letter.
    public var otherLines: [String]

    public init(
        media: String = "audio", port: Int, portCount: Int? = nil, proto: String = "RTP/AVP", formats: [String],
        connection: SessionDescription.Connection? = nil, bandwidths: [String] = [],
        attributes: [SessionDescription.Attribute] = [], otherLines: [String] = []
    ) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.bandwidths = bandwidths
        self.attributes = attributes
        self.otherLines = otherLines
    }

    /// Values of every attribute called `name`.
    public func attributeValues(_ name: String) -> [String] {
        attributes.filter { $0.name == name }.compactMap(\.value)
    }

    /// Whether a value-less attribute (a flag such as `rtcp-mux`) is present.
    public func hasAttribute(_ name: String) -> Bool { attributes.contains { $0.name == name } }

    /// An `a=rtpmap` entry.
    public struct RTPMap: Hashable, Sendable {
        public var payloadType: UInt8
        public var encodingName: String
        public var clockRate: Int
        public var channels: Int
    }

    /// The rtpmap for `payloadType`, or for static types without one, the RFC 3551 default.
    public func rtpMap(for payloadType: UInt8) -> RTPMap? {
        for v in attributeValues("rtpmap") {
            if let m = Self.parseRTPMap(v), m.payloadType == payloadType { return m }
        }
        return Self.staticRTPMaps[payloadType]
    }

    /// Parses `96 opus/48000/2`; nil when malformed.
    static func parseRTPMap(_ value: String) -> RTPMap? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let pt = UInt8(parts[0]), pt <= 127 else { return nil }
        let enc = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard enc.count == 2 || enc.count == 3, !enc[0].isEmpty, let rate = Int(enc[1]), rate > 0, rate <= 1_000_000 else {
            return nil
        }
        var channels = 1
        if enc.count == 3 {
            guard let c = Int(enc[2]), (1...255).contains(c) else { return nil }
            channels = c
        }
        return RTPMap(payloadType: pt, encodingName: String(enc[0]), clockRate: rate, channels: channels)
    }

    /// RFC 3551 static audio payload types this service knows.
    static let staticRTPMaps: [UInt8: RTPMap] = [
        0: RTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000, channels: 1),
        8: RTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000, channels: 1),
        9: RTPMap(payloadType: 9, encodingName: "G722", clockRate: 8000, channels: 1),
        13: RTPMap(payloadType: 13, encodingName: "CN", clockRate: 8000, channels: 1),
    ]

    /// The `a=fmtp` parameters for `payloadType`, the text after the number.
    public func formatParameters(for payloadType: UInt8) -> String? {
        for v in attributeValues("fmtp") {
            let parts = v.split(separator: " ", maxSplits: 1)
            if parts.count >= 1, UInt8(parts[0]) == payloadType { return parts.count == 2 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// `a=ptime` in milliseconds, if present and valid.
    public var packetTime: Int? {
        attributeValues("ptime").first.flatMap { Int($0.trimmingSpaces) }.flatMap { (1...1000).contains($0) ? $0 : nil }
    }

    /// `a=maxptime` in milliseconds.
    public var maximumPacketTime: Int? {
        attributeValues("maxptime").first.flatMap { Int($0.trimmingSpaces) }.flatMap { (1...1000).contains($0) ? $0 : nil }
    }

    /// The direction attribute (RFC 3264 §5.1), sendrecv when absent.
    public var direction: MediaDirection {
        get {
            for a in attributes.reversed() {
                if let d = MediaDirection(rawValue: a.name), a.value == nil { return d }
            }
            return .sendrecv
        }
        set {
            attributes.removeAll { MediaDirection(rawValue: $0.name) != nil }
            attributes.append(.init(newValue.rawValue))
        }
    }

    /// The RTCP port from `a=rtcp` (RFC 3605), or nil when absent (then RTP port + 1).
    public var rtcpPort: Int? {
        guard let v = attributeValues("rtcp").first else { return nil }
        let first = v.split(separator: " ").first.map(String.init) ?? ""
        guard let p = Int(first), (1...65535).contains(p) else { return nil }
        return p
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
