public import TimbreCore

/// Why a telephone-event payload was rejected.
public enum TelephoneEventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Shorter than the 4-byte event block (bytes given).
    case tooShort(Int)
    /// Output buffer smaller than 4 bytes.
    case bufferTooSmall

    public var description: String {
        switch self {
        case .tooShort(let n): "telephone-event payload of \(n) bytes, need 4"
        case .bufferTooSmall: "telephone-event output buffer smaller than 4 bytes"
        }
    }
}

/// One RFC 4733 event block: the payload of a `telephone-event` RTP packet.
///
/// ```
///  0                   1                   2                   3
/// |     event     |E|R| volume    |          duration             |
/// ```
public struct TelephoneEvent: Hashable, Sendable {
    /// Event code (0...15 for the DTMF keys, 16 for flash; other codes are tones this module
    /// carries as numbers).
    public var event: UInt8
    /// The E bit: this packet reports the end of the event.
    public var isEnd: Bool
    /// Power level in −dBm0, 0...63 (larger is quieter).
    public var volume: UInt8
    /// Duration so far of this event (segment) in RTP timestamp ticks.
    public var duration: UInt16

    public static let size = 4

    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// RFC 4733 §3.2's event code for a hook flash (the only named DTMF event that is not a key).
    public static let flash: UInt8 = 16

    /// The DTMF key, or nil for flash and other event codes.
    public var digit: DTMFDigit? { DTMFDigit(rawValue: event) }

    /// Parses the first event block of `payload` (further blocks, which some senders append, and
    /// the R bit are ignored, as RFC 4733 §2.3 asks).
    public init(parsing payload: UnsafeRawBufferPointer) throws(TelephoneEventError) {
        guard payload.count >= Self.size else { throw .tooShort(payload.count) }
        event = payload[0]
        isEnd = payload[1] & 0x80 != 0
        volume = payload[1] & 0x3F
        duration = BigEndianBytes.u16(payload, 2)
    }

    public init(parsing payload: [UInt8]) throws(TelephoneEventError) {
        let r = payload.withUnsafeBytes { raw in Result { () throws(TelephoneEventError) in try TelephoneEvent(parsing: raw) } }
        self = try r.get()
    }

    /// Writes the 4-byte block into `out`, returning 4.
    public func write(into out: UnsafeMutableRawBufferPointer) throws(TelephoneEventError) -> Int {
        guard out.count >= Self.size else { throw .bufferTooSmall }
        out[0] = event
        out[1] = (isEnd ? 0x80 : 0) | (volume & 0x3F)
        BigEndianBytes.put16(out, 2, duration)
        return Self.size
    }

    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(truncatingIfNeeded: duration)]
    }
}
