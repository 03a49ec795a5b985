/// A PBX's rules for greeting files, as data: a PBX adds its own by building one of these (or
/// decoding it from JSON) instead of writing code.
public struct GreetingProfile: Sendable, Codable, Equatable {
    /// Lower-case name used on the command line (`--profile yeastar`).
    public var name: String
    /// Accepted file name extensions, lower case, without the dot.
    public var extensions: [String]
    /// Largest accepted file in bytes, checked before anything is decoded; `nil` means the
    /// validator's own safety cap (`GreetingValidator.absoluteMaximumBytes`) only.
    public var maximumSizeBytes: Int?
    /// Accepted formats, in order of preference: the first is what `convert` produces by default.
    public var formats: [Rule]

    public init(name: String, extensions: [String], maximumSizeBytes: Int?, formats: [Rule]) {
        self.name = name
        self.extensions = extensions
        self.maximumSizeBytes = maximumSizeBytes
        self.formats = formats
    }

    /// One accepted combination. A `nil` field accepts any value.
    public struct Rule: Sendable, Codable, Equatable {
        public var container: GreetingContainer
        public var encoding: GreetingEncoding
        public var sampleRate: Int?
        public var channels: Int?
        public var bitsPerSample: Int?

        public init(
            _ container: GreetingContainer, _ encoding: GreetingEncoding, sampleRate: Int? = nil,
            channels: Int? = nil, bitsPerSample: Int? = nil
        ) {
            self.container = container
            self.encoding = encoding
            self.sampleRate = sampleRate
            self.channels = channels
            self.bitsPerSample = bitsPerSample
        }
    }

    /// Yeastar's rule: .wav (PCM 8 kHz 16-bit mono, A-law or u-law 8 kHz 8-bit mono), raw
    /// GSM 06.10 .gsm at 8 kHz, any decodable MPEG Layer III .mp3; at most 8 × 1024 × 1024 bytes.
    public static let yeastar = GreetingProfile(
        name: "yeastar",
        extensions: ["wav", "mp3", "gsm"],
        maximumSizeBytes: 8 * 1024 * 1024,
        formats: [
            Rule(.wav, .pcm16, sampleRate: 8000, channels: 1, bitsPerSample: 16),
            Rule(.wav, .alaw, sampleRate: 8000, channels: 1, bitsPerSample: 8),
            Rule(.wav, .ulaw, sampleRate: 8000, channels: 1, bitsPerSample: 8),
            Rule(.gsm, .gsm610, sampleRate: 8000, channels: 1),
            Rule(.mp3, .mp3),
        ]
    )

    /// 3CX: WAV PCM 8 kHz 16-bit mono only. 3CX states no size limit, so only the safety cap applies.
    public static let threeCX = GreetingProfile(
        name: "3cx",
        extensions: ["wav"],
        maximumSizeBytes: nil,
        formats: [Rule(.wav, .pcm16, sampleRate: 8000, channels: 1, bitsPerSample: 16)]
    )

    /// The built-in table; `yeastar` is the default.
    public static let builtIn: [GreetingProfile] = [.yeastar, .threeCX]

    /// A built-in profile by name (case-insensitive).
    public static func named(_ name: String) -> GreetingProfile? {
        builtIn.first { $0.name == name.lowercased() }
    }
}
