import TimbreAudioFile

/// How a recording is stored: file format, rate and channel layout.
public struct RecordingFormat: Sendable, Hashable {
    /// The encodings a recording may use.
    public enum Encoding: String, Sendable, Hashable, CaseIterable, Codable {
        case wavPCM16 = "wav", wavALaw = "wav-alaw", wavULaw = "wav-ulaw", flac, oggOpus = "opus"

        var fileFormat: AudioFileFormat {
            switch self {
            case .wavPCM16: .wavPCM16
            case .wavALaw: .wavALaw
            case .wavULaw: .wavULaw
            case .flac: .flac16
            case .oggOpus: .oggOpus
            }
        }

        /// True for WAV, whose header sizes the writer keeps true on disk as it goes.
        public var isWAV: Bool { self == .wavPCM16 || self == .wavALaw || self == .wavULaw }
    }

    /// One mixed channel, or one channel per party ("split channels" for review/transcription).
    public enum Layout: Sendable, Hashable {
        case mixed
        case split(parties: Int)

        public var channels: Int {
            switch self {
            case .mixed: 1
            case .split(let n): n
            }
        }
    }

    public var encoding: Encoding
    /// 8000, 16000 or 48000 Hz.
    public var sampleRate: Int
    public var layout: Layout

    public static let supportedRates = [8000, 16000, 48000]

    public init(encoding: Encoding = .wavPCM16, sampleRate: Int = 8000, layout: Layout = .mixed) {
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.layout = layout
    }

    public var channels: Int { layout.channels }
}
