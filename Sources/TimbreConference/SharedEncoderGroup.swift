#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TimbreCodecs
import TimbreCore

/// Encodes what every listener of one bridge hears, encoding each distinct signal once.
///
/// Why: in a large room only the K mixed talkers hear something other than the full mix;
/// everyone else hears exactly `fullMixFrame`. Encoding that one signal once per tick and
/// handing the same payload to all of them makes the per-listener encoder cost O(K + 1)
/// instead of O(N) — with G.722 the encoder is most of a participant's cost.
///
/// Each listener is in one of two modes:
/// - **shared**: its payload is the shared encoder's payload (no encode of its own);
/// - **own**: its own encoder encodes its own signal.
///
/// Switches keep the stream the far end decodes continuous:
/// - shared → own (the listener starts being mixed): its own encoder first takes the shared
///   encoder's state as it was before this tick (`handover`), so the stream continues exactly
///   as if one encoder had run on this listener's signal all along (bit-exact for value-type
///   encoders such as G.711 and G.722, whose copy is their whole state);
/// - own → shared (it hears the full mix again): it keeps its own encoder until its payload
///   has equalled the shared payload `matchesToShare` ticks in a row (the encoder states have
///   converged as far as the far end can tell), or at most `maximumOwnTicks` ticks.
///
/// The shared encoder runs every tick (its state must stay a continuation of the full mix).
/// Listeners whose rate differs from the bridge's (resampled) always use their own encoder.
///
/// Own encoders are made when a listener is added (not on the media path); `encode()`
/// allocates nothing in steady state. Not thread-safe: call from the bridge's media thread,
/// after `mix()`.
public final class SharedEncoderGroup<Encoder: AudioEncoder> {
    /// Identical payloads in a row before an own encoder hands its listener back to the shared one.
    public let matchesToShare: Int
    /// Ticks at most that a listener hearing the full mix keeps its own encoder.
    public let maximumOwnTicks: Int

    @usableFromInline struct Member {
        @usableFromInline var id = ParticipantID(rawValue: 0)
        @usableFromInline var present = false
        @usableFromInline var sharing = true
        /// Returns to the shared payload at the start of the next tick.
        @usableFromInline var sharesNext = false
        /// Ticks this listener has heard the full mix while on its own encoder, and how many
        /// of the latest in a row gave the shared payload.
        @usableFromInline var ownTicksOnFullMix = 0
        @usableFromInline var matchRun = 0
        @usableFromInline var payloadCount = 0

        @usableFromInline init() {}
    }

    @usableFromInline let bridge: MixMinusBridge
    @usableFromInline let capacity: Int
    @usableFromInline let payloadStride: Int
    @usableFromInline let makeEncoder: () throws(CodecError) -> Encoder
    @usableFromInline let handover: (inout Encoder, Encoder) -> Void
    @usableFromInline var shared: Encoder
    @usableFromInline var encoders: [Encoder?]
    @usableFromInline let members: UnsafeMutablePointer<Member>
    /// capacity + 1 payload buffers; the last is the shared payload.
    @usableFromInline let payloads: UnsafeMutableRawPointer
    @usableFromInline var sharedPayloadCount = 0
    /// Scratch for listeners whose frame must be read (and resampled) through `bridge.read`.
    @usableFromInline let scratch: UnsafeMutableBufferPointer<Int16>

    /// Encoder calls made by the last `encode()`, the shared encoder included.
    public var encodesLastTick: Int { lastEncodes }
    @usableFromInline var lastEncodes = 0

    /// - Parameters:
    ///   - bridge: the bridge whose listeners this group serves.
    ///   - makeEncoder: makes one encoder for the bridge's rate (called once for the shared
    ///     encoder and once per added listener).
    ///   - handover: makes the first encoder continue from the second's state. The default,
    ///     assignment, is exact for value-type encoders; a reference-type encoder must copy
    ///     its state (or, inexactly, reset) instead, never alias the shared one.
    public init(
        bridge: MixMinusBridge, matchesToShare: Int = 2, maximumOwnTicks: Int = 25,
        makeEncoder: @escaping () throws(CodecError) -> Encoder,
        handover: @escaping (inout Encoder, Encoder) -> Void = { $0 = $1 }
    ) throws(CodecError) {
        self.bridge = bridge
        self.matchesToShare = max(1, matchesToShare)
        self.maximumOwnTicks = max(1, maximumOwnTicks)
        self.makeEncoder = makeEncoder
        self.handover = handover
        let first = try makeEncoder()
        shared = first
        capacity = bridge.slotCapacity
        payloadStride = (first.maximumPayloadSize + 63) & ~63
        encoders = Array(repeating: nil, count: capacity)
        members = .allocate(capacity: capacity)
        members.initialize(repeating: Member(), count: capacity)
        payloads = .allocate(byteCount: payloadStride * (capacity + 1), alignment: 64)
        let maximumFrame = bridge.frameSamples * 6  // 48 kHz participant of an 8 kHz bridge
        scratch = .allocate(capacity: maximumFrame)
        scratch.initialize(repeating: 0)
    }

    deinit {
        members.deinitialize(count: capacity)
        members.deallocate()
        payloads.deallocate()
        scratch.deallocate()
    }

    /// Adds a listener (made with the bridge's controller), making its own encoder. A listener
    /// starts on the shared encoder. Throws `invalidParameter` for a participant the group
    /// cannot hold, or the encoder's error.
    public func add(_ id: ParticipantID) throws(CodecError) {
        let s = id.slot
        guard s < capacity, !members[s].present || members[s].id != id else {
            throw .invalidParameter("\(id) cannot join this encoder group")
        }
        encoders[s] = try makeEncoder()
        var m = Member()
        m.id = id
        m.present = true
        members[s] = m
    }

    /// Removes a listener; its encoder is released.
    public func remove(_ id: ParticipantID) {
        let s = id.slot
        guard s < capacity, members[s].present, members[s].id == id else { return }
        members[s] = Member()
        encoders[s] = nil
    }

    /// Whether a listener currently receives the shared payload.
    public func isSharing(_ id: ParticipantID) -> Bool {
        let s = id.slot
        return s < capacity && members[s].present && members[s].id == id && members[s].sharing
    }

    /// This tick's payload for a listener (shared listeners all get the same bytes), valid until
    /// the next `encode()`; nil for a listener not in the group.
    public func payload(for id: ParticipantID) -> UnsafeRawBufferPointer? {
        let s = id.slot
        guard s < capacity, members[s].present, members[s].id == id else { return nil }
        if members[s].sharing {
            return UnsafeRawBufferPointer(start: payloads + capacity * payloadStride, count: sharedPayloadCount)
        }
        return UnsafeRawBufferPointer(start: payloads + s * payloadStride, count: members[s].payloadCount)
    }

    /// Encodes this tick for every listener; call once after each `bridge.mix()`.
    @inlinable
    public func encode() throws(CodecError) {
        var encodes = 1
        // 1. Listeners leaving the full mix take over the shared state from before this tick.
        for s in 0..<capacity where members[s].present {
            if members[s].sharesNext {
                members[s].sharesNext = false
                members[s].sharing = true
            }
            guard members[s].sharing else { continue }
            let id = members[s].id
            if !bridge.hearsFullMix(id) || bridge.outputFrame(for: id) == nil {
                handover(&encoders[s]!, shared)
                members[s].sharing = false
                members[s].ownTicksOnFullMix = 0
                members[s].matchRun = 0
            }
        }
        // 2. The shared payload.
        let full = bridge.fullMixFrame
        let sharedOut = UnsafeMutableRawBufferPointer(start: payloads + capacity * payloadStride, count: payloadStride)
        sharedPayloadCount = try shared.encode(full, into: sharedOut)
        let sharedBytes = UnsafeRawBufferPointer(start: sharedOut.baseAddress, count: sharedPayloadCount)
        // 3. Own encoders; those back on the full mix return to the shared payload once they match it.
        for s in 0..<capacity where members[s].present && !members[s].sharing {
            let id = members[s].id
            let frame: UnsafeBufferPointer<Int16>
            if let direct = bridge.outputFrame(for: id) {
                frame = direct
            } else {
                let n = bridge.participantFrameSamples(for: id) ?? 0
                let buffer = UnsafeMutableBufferPointer(rebasing: scratch[0..<min(n, scratch.count)])
                guard bridge.read(into: buffer, for: id) else { continue }
                frame = UnsafeBufferPointer(buffer)
            }
            let out = UnsafeMutableRawBufferPointer(start: payloads + s * payloadStride, count: payloadStride)
            let count = try encoders[s]!.encode(frame, into: out)
            members[s].payloadCount = count
            encodes += 1
            if bridge.hearsFullMix(id) && frame.count == full.count {
                members[s].ownTicksOnFullMix += 1
                let same = count == sharedPayloadCount && memcmp(out.baseAddress!, sharedBytes.baseAddress!, count) == 0
                members[s].matchRun = same ? members[s].matchRun + 1 : 0
                if members[s].matchRun >= matchesToShare || members[s].ownTicksOnFullMix >= maximumOwnTicks {
                    // From the next tick on: this tick's own payload has already been made.
                    members[s].sharesNext = true
                }
            } else {
                members[s].ownTicksOnFullMix = 0
                members[s].matchRun = 0
            }
        }
        lastEncodes = encodes
    }
}
