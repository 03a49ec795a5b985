#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides, frame by frame, whether one participant is talking: a level detector with
/// hysteresis (separate onset and release thresholds), an onset confirmation and a hangover.
///
/// Why not a spectral VAD: the bridge needs "who is talking now" for events and top-K mixing,
/// for every participant on every 20 ms tick, so the cost must be one mean-square per frame.
/// Idle-microphone noise is kept out by the thresholds (onset at −40 dBFS RMS, and at least
/// `noiseMarginDB` above a tracked noise floor), and short pauses between words are bridged by
/// the hangover, so a talker is not dropped mid-sentence.
///
/// Timing with the defaults (20 ms frames): onset is confirmed after 2 frames (40 ms) above the
/// onset threshold; release follows 320 ms after the last frame above the release threshold.
/// Both are well inside the bridge's contract (onset ≤ 300 ms, release ≤ 600 ms).
///
/// Allocation-free; one value per participant, driven from the media thread.
public struct ActiveSpeakerDetector: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// RMS level, in dBFS (full-scale square = 0), a frame must reach to count as speech onset.
        public var onsetDBFS: Double = -40
        /// RMS level, in dBFS, below which a frame counts as a pause (hysteresis: below onset).
        public var releaseDBFS: Double = -46
        /// A frame must also be this many dB above the tracked noise floor to count as speech.
        public var noiseMarginDB: Double = 9
        /// Consecutive loud frames needed to declare speech (2 × 20 ms = 40 ms).
        public var onsetFrames: Int = 2
        /// Frames of pause tolerated before declaring the talker stopped (16 × 20 ms = 320 ms).
        public var hangoverFrames: Int = 16

        public init() {}
    }

    /// A change of speaking state, reported by `update`.
    public enum Transition: Sendable, Hashable {
        /// Speech started `framesAgo` frames before the current one (the first loud frame).
        case started(framesAgo: Int)
        /// Speech ended with the current frame (the hangover ran out).
        case stopped
    }

    public private(set) var isSpeaking = false
    /// Smoothed frame power (mean square, sample units²): instant attack, 0.3 dB per frame decay.
    /// Kept linear so the per-frame update needs no logarithm.
    public private(set) var smoothedPower: Double = 0
    /// Tracked noise floor power: drops at once to a quieter frame, creeps up 0.05 dB per frame
    /// (2.5 dB/s), so a steady noise is learned in seconds while bursty speech barely moves it.
    public private(set) var noiseFloorPower: Double = power(dBFS: -70)

    /// Smoothed frame level in dBFS, for ranking talkers.
    public var level: Double { ActiveSpeakerDetector.dBFS(meanSquare: smoothedPower) }
    /// Tracked noise floor in dBFS.
    public var noiseFloor: Double { ActiveSpeakerDetector.dBFS(meanSquare: noiseFloorPower) }

    private var loudRun = 0
    private var quietRun = 0
    private let onsetPower: Double
    private let releasePower: Double
    private let marginFactor: Double
    /// Last: `update` reads only the two frame counts from it (layout keeps the hot fields together).
    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        onsetPower = ActiveSpeakerDetector.power(dBFS: configuration.onsetDBFS)
        releasePower = ActiveSpeakerDetector.power(dBFS: configuration.releaseDBFS)
        marginFactor = pow(10, configuration.noiseMarginDB / 10)
    }

    /// Mean-square (in sample units²) → dBFS, where a full-scale square (32768²) is 0 dBFS.
    @inlinable
    public static func dBFS(meanSquare: Double) -> Double {
        meanSquare <= 0 ? -120 : max(-120, 10 * log10(meanSquare / (32768.0 * 32768.0)))
    }

    static func power(dBFS: Double) -> Double { pow(10, dBFS / 10) * 32768.0 * 32768.0 }

    /// 0.3 dB and 0.05 dB as power ratios.
    static let decay = 0.933_254_300_796_991
    static let creep = 1.011_579_454_259_899

    /// Feeds one frame's mean square (sum of squares / samples) and returns the state change, if any.
    /// No logarithm, no allocation.
    @inline(__always)
    public mutating func update(meanSquare: Double) -> Transition? {
        smoothedPower = max(meanSquare, smoothedPower * ActiveSpeakerDetector.decay)
        noiseFloorPower = meanSquare < noiseFloorPower ? max(meanSquare, 1) : noiseFloorPower * ActiveSpeakerDetector.creep
        let aboveFloor = meanSquare >= noiseFloorPower * marginFactor
        if !isSpeaking {
            if meanSquare >= onsetPower && aboveFloor {
                loudRun += 1
                if loudRun >= configuration.onsetFrames {
                    isSpeaking = true
                    quietRun = 0
                    let ago = loudRun - 1
                    loudRun = 0
                    return .started(framesAgo: ago)
                }
            } else {
                loudRun = 0
            }
            return nil
        }
        if meanSquare >= releasePower && aboveFloor {
            quietRun = 0
        } else {
            quietRun += 1
            if quietRun > configuration.hangoverFrames {
                isSpeaking = false
                quietRun = 0
                return .stopped
            }
        }
        return nil
    }

    /// Forces the quiet state (a muted or removed participant); returns `.stopped` if it was talking.
    public mutating func silence() -> Transition? {
        loudRun = 0
        quietRun = 0
        smoothedPower = 0
        if isSpeaking {
            isSpeaking = false
            return .stopped
        }
        return nil
    }
}
