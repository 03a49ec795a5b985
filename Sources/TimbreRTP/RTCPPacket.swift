/// An RTCP sender report (SR, packet type 200).
public struct RTCPSenderReport: Hashable, Sendable {
    public var ssrc: UInt32
    /// Wallclock time when this report was sent.
    public var ntpTimestamp: NTPTimestamp
    /// The same instant in the sender's RTP clock.
    public var rtpTimestamp: UInt32
    /// Packets sent since the start of transmission.
    public var packetCount: UInt32
    /// Payload octets sent since the start of transmission.
    public var octetCount: UInt32
    /// At most 31 blocks.
    public var reports: [RTCPReportBlock]

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reports: [RTCPReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }
}

/// An RTCP receiver report (RR, packet type 201).
public struct RTCPReceiverReport: Hashable, Sendable {
    public var ssrc: UInt32
    /// At most 31 blocks.
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }
}

/// An RTCP source description (SDES, packet type 202): per source, a list of typed text items.
public struct RTCPSourceDescription: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        /// Item type: 1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE, 8 PRIV.
        public var type: UInt8
        /// UTF-8 text, at most 255 bytes.
        public var value: [UInt8]

        public static let cname: UInt8 = 1

        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        public init(type: UInt8, text: String) { self.init(type: type, value: Array(text.utf8)) }

        public var text: String { String(decoding: value, as: UTF8.self) }
    }

    public struct Chunk: Hashable, Sendable {
        public var ssrc: UInt32
        public var items: [Item]

        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        /// A chunk with just a canonical name, which every compound packet must carry.
        public init(ssrc: UInt32, cname: String) {
            self.init(ssrc: ssrc, items: [Item(type: Item.cname, text: cname)])
        }

        public var cname: String? { items.first { $0.type == Item.cname }?.text }
    }

    /// At most 31 chunks.
    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }
}

/// An RTCP goodbye (BYE, packet type 203).
public struct RTCPGoodbye: Hashable, Sendable {
    /// At most 31 sources leaving.
    public var ssrcs: [UInt32]
    /// Optional reason, at most 255 UTF-8 bytes.
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }
}

/// An RTCP packet of a type this module does not interpret (APP, feedback, XR, …), kept as bytes.
public struct RTCPOpaquePacket: Hashable, Sendable {
    public var packetType: UInt8
    /// The 5-bit count/subtype field.
    public var count: UInt8
    /// Everything after the 4-byte common header, without padding (a multiple of 4 bytes).
    public var body: [UInt8]

    public init(packetType: UInt8, count: UInt8, body: [UInt8]) {
        self.packetType = packetType
        self.count = count
        self.body = body
    }
}

/// One packet of an RTCP compound packet.
public enum RTCPPacket: Hashable, Sendable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case goodbye(RTCPGoodbye)
    case other(RTCPOpaquePacket)

    public static let senderReportType: UInt8 = 200
    public static let receiverReportType: UInt8 = 201
    public static let sourceDescriptionType: UInt8 = 202
    public static let goodbyeType: UInt8 = 203
}
