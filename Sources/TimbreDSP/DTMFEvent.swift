public import TimbreCore

/// A DTMF digit seen by `DTMFDetector`. Sample positions count from the detector's start (or
/// last reset) at its sample rate.
public struct DTMFEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The digit was confirmed (after the minimum on-time).
        case began
        /// The digit stopped; `durationSamples` holds its measured length.
        case ended
    }

    public var kind: Kind
    public var digit: DTMFDigit
    /// Where the tone started, in samples since the detector started.
    public var startSample: Int
    /// For `.ended`: the tone's length in samples (block resolution). For `.began`: the on-time
    /// seen so far.
    public var durationSamples: Int
}
