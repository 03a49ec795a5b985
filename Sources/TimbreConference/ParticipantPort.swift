import TimbreCore
import TimbreDSP

/// One participant's rate conversion to and from the bridge rate, and its output frame.
///
/// Created (and so allocated) on the control thread when the participant joins, handed to the
/// media thread through the command queue, and handed back through the return queue when the
/// participant has faded out — so neither allocation nor deallocation happens on the media path.
final class ParticipantPort: @unchecked Sendable {
    // @unchecked: owned by exactly one thread at a time; ownership moves through the SPSC queues,
    // whose release/acquire ordering publishes the contents.
    let rate: SampleRate
    /// Samples per frame at the participant's rate.
    let frameSamples: Int
    /// Participant rate → bridge rate (nil when equal).
    let upsampler: FrameResampler?
    /// Bridge rate → participant rate (nil when equal).
    let downsampler: FrameResampler?
    /// What the participant hears this frame, at its own rate.
    let output: UnsafeMutableBufferPointer<Int16>

    init(rate: SampleRate, bridge: BridgeConfiguration) throws(ConferenceError) {
        self.rate = rate
        frameSamples = bridge.frameDuration.samples(at: rate)
        if rate == bridge.sampleRate {
            upsampler = nil
            downsampler = nil
        } else {
            do {
                upsampler = try FrameResampler(
                    inputRate: rate, outputRate: bridge.sampleRate, frameDuration: bridge.frameDuration)
                downsampler = try FrameResampler(
                    inputRate: bridge.sampleRate, outputRate: rate, frameDuration: bridge.frameDuration)
            } catch {
                throw .resamplerUnavailable(error.description)
            }
        }
        output = .allocate(capacity: frameSamples)
        output.initialize(repeating: 0)
    }

    /// Bridge-rate samples of delay the two conversions add to a round trip through the bridge.
    var latencySamples: Int { (upsampler?.latencyFrames ?? 0) }

    deinit { output.deallocate() }
}

/// Control thread → media thread.
enum BridgeCommand: @unchecked Sendable {
    case join(ParticipantID, ParticipantSettings, ParticipantPort)
    case update(ParticipantID, ParticipantSettings)
    case leave(ParticipantID)
    case recording(Bool)
    case end
}

/// Media thread → control thread: a slot whose participant has faded out, with its port (so
/// the port is freed off the media path).
struct SlotReturn: @unchecked Sendable {
    let id: ParticipantID
    let port: ParticipantPort?
}
