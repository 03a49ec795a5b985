#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import TimbreCore

/// Per-frame speech level and a speaking flag with hysteresis, for active-speaker detection and
/// for gating comfort noise.
///
/// The detector tracks a noise floor (fast down, slow up) and declares speech when a frame is
/// `onsetMarginDB` above that floor and above `minimumSpeechDBov` for `onsetFrames` frames in a
/// row; it keeps the flag through `hangoverFrames` frames below `releaseMarginDB` above the floor,
/// so the flag does not chatter between syllables. Onset margin > release margin is the level
/// hysteresis; onset frames and hangover are the time hysteresis.
///
/// Real-time: value type, allocation-free, one `log10` per frame. Call from one thread.
public struct VoiceActivityDetector: Sendable {
    /// Tuning. Levels in dB relative to overload (dBov), times in frames of the caller's size.
    public struct Configuration: Sendable, Hashable {
        /// Speech must be at least this far above the tracked noise floor to start (dB).
        public var onsetMarginDB: Double = 9
        /// Speech keeps going while frames stay this far above the floor (dB). Less than onset.
        public var releaseMarginDB: Double = 4
        /// Absolute floor below which a frame never counts as speech (dBov).
        public var minimumSpeechDBov: Double = -55
        /// Frames in a row above the onset threshold before the flag rises.
        public var onsetFrames: Int = 2
        /// Frames in a row below the release threshold before the flag falls.
        public var hangoverFrames: Int = 15
        /// How fast the noise floor rises, in dB per second (it falls at once).
        public var floorRiseDBPerSecond: Double = 3

        public init() {}
    }

    /// One frame's result.
    public struct Activity: Sendable, Hashable {
        /// RMS level of the frame in dBov (`LevelMeter.silenceFloor` for digital silence).
        public var levelDBov: Double
        /// The speaking flag after hysteresis.
        public var isSpeaking: Bool
        /// The tracked noise floor in dBov.
        public var noiseFloorDBov: Double
    }

    public let configuration: Configuration
    /// The frame duration this detector was set up for, in milliseconds.
    public let frameMilliseconds: Int

    @usableFromInline var floorDBov: Double = -70
    @usableFromInline var aboveCount = 0
    @usableFromInline var belowCount = 0
    @usableFromInline var speaking = false
    @usableFromInline var framesSeen = 0
    @usableFromInline let floorRisePerFrame: Double

    /// - Parameter frameMilliseconds: the duration of the frames passed to `process` (1...100 ms).
    public init(frameMilliseconds: Int = 20, configuration: Configuration = Configuration()) {
        let ms = min(100, max(1, frameMilliseconds))
        self.frameMilliseconds = ms
        self.configuration = configuration
        self.floorRisePerFrame = configuration.floorRiseDBPerSecond * Double(ms) / 1000
    }

    /// Whether the last frame left the flag raised.
    public var isSpeaking: Bool { speaking }

    /// The tracked noise floor in dBov.
    public var noiseFloorDBov: Double { floorDBov }

    /// Measures one frame and updates the flag. Allocation-free.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>) -> Activity {
        let level = LevelMeter.rmsDBov(of: frame)
        return process(levelDBov: level)
    }

    /// Updates the flag from a frame level measured elsewhere (dBov).
    public mutating func process(levelDBov level: Double) -> Activity {
        framesSeen += 1
        // Noise floor: drops to quiet frames at once, creeps up slowly through speech.
        // During the first second the floor may rise ten times faster, so a steady background
        // that is present from the start is learnt quickly.
        if level < floorDBov {
            floorDBov = max(LevelMeter.silenceFloor, level)
        } else {
            let warmUp = framesSeen * frameMilliseconds <= 1000
            floorDBov = min(level, floorDBov + floorRisePerFrame * (warmUp ? 10 : 1))
        }
        let onset = max(configuration.minimumSpeechDBov, floorDBov + configuration.onsetMarginDB)
        let release = max(configuration.minimumSpeechDBov, floorDBov + configuration.releaseMarginDB)
        if speaking {
            if level < release {
                belowCount += 1
                if belowCount >= configuration.hangoverFrames {
                    speaking = false
                    belowCount = 0
                    aboveCount = 0
                }
            } else {
                belowCount = 0
            }
        } else {
            if level >= onset {
                aboveCount += 1
                if aboveCount >= configuration.onsetFrames {
                    speaking = true
                    aboveCount = 0
                    belowCount = 0
                }
            } else {
                aboveCount = 0
            }
        }
        return Activity(levelDBov: level, isSpeaking: speaking, noiseFloorDBov: floorDBov)
    }

    /// Forgets the noise floor and the flag, as for a new call.
    public mutating func reset() {
        floorDBov = -70
        aboveCount = 0
        belowCount = 0
        speaking = false
        framesSeen = 0
    }
}
