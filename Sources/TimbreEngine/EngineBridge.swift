import TimbreConference
import TimbreCore

/// A bridge on a media thread: a `MixMinusBridge` (N = 2 is a call; more is a conference) and
/// the legs attached to it. Owned by one media thread.
public final class EngineBridge: @unchecked Sendable {
    // @unchecked: the mixer's control API (`controller`) is thread-safe by design; the member
    // list and per-frame calls are used by the owning media thread only.
    public let id: UInt64
    public let mixer: MixMinusBridge
    var members: [(leg: CallLeg, participant: ParticipantID)] = []
    private var scratch: [Int16] = []

    public init(id: UInt64, configuration: BridgeConfiguration) {
        self.id = id
        self.mixer = MixMinusBridge(configuration: configuration)
        scratch.reserveCapacity(4096)
    }

    public var controller: ConferenceController { mixer.controller }

    /// One frame: every member's inbound audio in, mix-minus out to every member's outbound.
    func tick(events: SPSCRingBuffer<EngineEvent>) {
        mixer.applyPendingCommands()
        for m in members {
            m.leg.inbound.withUnsafeBufferPointer { _ = mixer.write($0, from: m.participant) }
        }
        mixer.mix()
        for m in members {
            m.leg.outbound.withUnsafeMutableBufferPointer { _ = mixer.read(into: $0, for: m.participant) }
        }
        while let e = mixer.nextEvent() {
            switch e.kind {
            case .speakingStarted(let p):
                if let leg = members.first(where: { $0.participant == p })?.leg {
                    _ = events.push(.talking(bridge: id, leg: leg.id, speaking: true))
                }
            case .speakingStopped(let p):
                if let leg = members.first(where: { $0.participant == p })?.leg {
                    _ = events.push(.talking(bridge: id, leg: leg.id, speaking: false))
                }
            default:
                break
            }
        }
    }
}
