/// What the recording tap sees each frame. The buffers belong to the bridge and are valid only
/// during the tap call: copy them (e.g. into an `SPSCRingBuffer` towards the writer thread).
public struct RecordingFrame {
    /// Bridge-rate samples since the first frame.
    public let sampleTime: Int64
    /// The limited mix of everyone contributing, at the bridge rate.
    public let mix: UnsafeBufferPointer<Int16>
    let bridge: MixMinusBridge

    init(sampleTime: Int64, mix: UnsafeBufferPointer<Int16>, bridge: MixMinusBridge) {
        self.sampleTime = sampleTime
        self.mix = mix
        self.bridge = bridge
    }

    /// Calls `body` for each participant present this frame with what it contributed (after
    /// its gain and fades, saturated to 16 bits; silence while muted or on hold). Only filled
    /// when the tap's mode is `.perParticipant`.
    public func forEachChannel(_ body: (ParticipantID, UnsafeBufferPointer<Int16>) -> Void) {
        let f = bridge.frameSamples
        for s in 0..<bridge.slotCapacity where bridge.slots[s].occupied {
            body(bridge.slots[s].id, UnsafeBufferPointer(start: bridge.channels + s * f, count: f))
        }
    }
}

/// The hand-off to the recorder: called on the media thread once per frame while recording is
/// on; must not block or allocate (push into a ring buffer and return).
public struct RecordingTap {
    public enum Mode: Sendable, Hashable {
        /// Only the full mix.
        case fullMix
        /// The full mix plus each participant as its own channel.
        case perParticipant
    }

    public var mode: Mode
    public var handler: (RecordingFrame) -> Void

    public init(mode: Mode, handler: @escaping (RecordingFrame) -> Void) {
        self.mode = mode
        self.handler = handler
    }
}
