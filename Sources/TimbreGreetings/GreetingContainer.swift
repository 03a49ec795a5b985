/// The file type a greeting's bytes really are, found by sniffing its content (never its name).
public enum GreetingContainer: String, Sendable, Codable, CaseIterable {
    case wav, mp3, gsm, flac, ogg, aiff, au, unknown

    /// The container an extension (without dot, any case) claims, or `nil` for one we don't know.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "wav", "wave": self = .wav
        case "mp3": self = .mp3
        case "gsm": self = .gsm
        case "flac": self = .flac
        case "ogg", "oga", "opus": self = .ogg
        case "aif", "aiff": self = .aiff
        case "au", "snd": self = .au
        default: return nil
        }
    }
}

/// The sample encoding inside a container.
public enum GreetingEncoding: String, Sendable, Codable, CaseIterable {
    case pcm8, pcm16, pcm24, pcm32, float32, float64, alaw, ulaw, gsm610, mp1, mp2, mp3, adpcm
    case flac, vorbis, opus, unknown
}
