/// Media direction attributes (RFC 3264 §5.1, §6.1), from the point of view of the side that
/// wrote the description.
public enum MediaDirection: String, Hashable, Sendable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The direction an answerer writes for an offered direction, given what the answerer itself
    /// is willing to do (RFC 3264 §6.1): sendonly ↔ recvonly, inactive stays inactive, sendrecv
    /// is narrowed to the local wish.
    public func answer(localWish: MediaDirection = .sendrecv) -> MediaDirection {
        // We may send only if the offerer receives, and receive only if it sends.
        MediaDirection(sends: receives && localWish.sends, receives: sends && localWish.receives)
    }
}
