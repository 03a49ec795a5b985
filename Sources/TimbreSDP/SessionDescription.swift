/// An SDP session description (RFC 8866), as far as audio offer/answer needs it.
///
/// A value that keeps every line it does not interpret (`attributes`, `otherLines`) so that a
/// description parses and serialises back without loss of meaning. Parse with
/// `init(parsing:)`, build with the memberwise initialisers, print with `serialized()`.
public struct SessionDescription: Hashable, Sendable {
    /// The `o=` line.
    public struct Origin: Hashable, Sendable {
        public var username: String
        /// Numeric session id (decimal digits, kept as text: senders use 64-bit and longer values).
        public var sessionID: String
        /// Incremented by the sender whenever the description changes (RFC 3264 §8).
        public var sessionVersion: UInt64
        public var networkType: String
        public var addressType: String
        public var address: String

        public init(
            username: String = "-", sessionID: String, sessionVersion: UInt64, networkType: String = "IN",
            addressType: String = "IP4", address: String
        ) {
            self.username = username
            self.sessionID = sessionID
            self.sessionVersion = sessionVersion
            self.networkType = networkType
            self.addressType = addressType
            self.address = address
        }
    }

    /// A `c=` line.
    public struct Connection: Hashable, Sendable {
        public var networkType: String
        /// "IP4" or "IP6".
        public var addressType: String
        /// Address, possibly with a multicast `/ttl` suffix kept verbatim.
        public var address: String

        public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
            self.networkType = networkType
            self.addressType = addressType
            self.address = address
        }

        /// The RFC 2543 way of putting a call on hold: connection address 0.0.0.0.
        public var isNullAddress: Bool { address == "0.0.0.0" || address == "::" }
    }

    /// An `a=` line: `a=name` or `a=name:value`.
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var value: String?

        public init(_ name: String, _ value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// Size bounds applied when parsing.
    public enum Limits {
        public static let maximumBytes = 64 * 1024
        public static let maximumLines = 1024
        public static let maximumMedia = 16
        public static let maximumFormats = 64
        public static let maximumLineLength = 4096
    }

    public var origin: Origin
    /// The `s=` line (a single space, "-" or a name).
    public var sessionName: String
    public var connection: Connection?
    /// `b=` lines at session level, verbatim ("AS:64").
    public var bandwidths: [String]
    /// The `t=` line's start and stop (0 0 for an unbounded session).
    public var timing: (start: UInt64, stop: UInt64) {
        get { (timingStart, timingStop) }
        set { (timingStart, timingStop) = newValue }
    }
    public var timingStart: UInt64
    public var timingStop: UInt64
    public var attributes: [Attribute]
    /// Session-level lines we do not interpret (i=, u=, e=, p=, r=, z=, k=, extra t=), kept
    /// verbatim with their type letter.
    public var otherLines: [String]
    public var media: [MediaDescription]

    public init(
        origin: Origin, sessionName: String = "-", connection: Connection? = nil, bandwidths: [String] = [],
        timingStart: UInt64 = 0, timingStop: UInt64 = 0, attributes: [Attribute] = [], otherLines: [String] = [],
        media: [MediaDescription] = []
    ) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.bandwidths = bandwidths
        self.timingStart = timingStart
        self.timingStop = timingStop
        self.attributes = attributes
        self.otherLines = otherLines
        self.media = media
    }

    public static func == (a: SessionDescription, b: SessionDescription) -> Bool {
        a.origin == b.origin && a.sessionName == b.sessionName && a.connection == b.connection
            && a.bandwidths == b.bandwidths && a.timingStart == b.timingStart && a.timingStop == b.timingStop
            && a.attributes == b.attributes && a.otherLines == b.otherLines && a.media == b.media
    }

    public func hash(into h: inout Hasher) {
        h.combine(origin)
        h.combine(media)
    }

    /// The value of the first session-level attribute called `name`.
    public func attribute(_ name: String) -> String?? {
        attributes.first { $0.name == name }.map(\.value)
    }

    /// The connection that applies to media section `index` (its own, else the session's).
    public func effectiveConnection(forMedia index: Int) -> Connection? {
        media[index].connection ?? connection
    }
}
