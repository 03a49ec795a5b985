import CSndFile

/// Container and sample encoding of an audio file, as libsndfile names them.
public struct AudioFileFormat: Hashable, Sendable, CustomStringConvertible {
    public enum Container: String, Hashable, Sendable, CaseIterable {
        case wav, flac, ogg, mp3, raw, aiff, au, other
    }

    public enum Encoding: String, Hashable, Sendable, CaseIterable {
        case pcm8 = "pcm_u8", pcmS8 = "pcm_s8", pcm16 = "pcm16", pcm24 = "pcm24", pcm32 = "pcm32"
        case float32 = "float32", float64 = "float64"
        case alaw, ulaw
        case gsm610 = "gsm"
        case opus, vorbis
        case mpegLayer3 = "mp3"
        case imaADPCM = "ima_adpcm", msADPCM = "ms_adpcm"
        case other
    }

    public var container: Container
    public var encoding: Encoding

    public init(container: Container, encoding: Encoding) {
        self.container = container
        self.encoding = encoding
    }

    public static let wavPCM16 = AudioFileFormat(container: .wav, encoding: .pcm16)
    public static let wavALaw = AudioFileFormat(container: .wav, encoding: .alaw)
    public static let wavULaw = AudioFileFormat(container: .wav, encoding: .ulaw)
    public static let flac16 = AudioFileFormat(container: .flac, encoding: .pcm16)
    public static let oggOpus = AudioFileFormat(container: .ogg, encoding: .opus)
    public static let rawGSM = AudioFileFormat(container: .raw, encoding: .gsm610)

    /// Bits per sample for fixed-size PCM-like encodings, nil for compressed ones.
    public var bitsPerSample: Int? {
        switch encoding {
        case .pcm8, .pcmS8, .alaw, .ulaw: return 8
        case .pcm16: return 16
        case .pcm24: return 24
        case .pcm32, .float32: return 32
        case .float64: return 64
        default: return nil
        }
    }

    public var description: String { "\(container.rawValue)/\(encoding.rawValue)" }

    /// Decodes a libsndfile `format` word.
    init(sndfileFormat f: Int32) {
        let major = Int(f) & SF_FORMAT_TYPEMASK
        let sub = Int(f) & SF_FORMAT_SUBMASK
        switch major {
        case SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_RF64: container = .wav
        case SF_FORMAT_FLAC: container = .flac
        case SF_FORMAT_OGG: container = .ogg
        case SF_FORMAT_MPEG: container = .mp3
        case SF_FORMAT_RAW: container = .raw
        case SF_FORMAT_AIFF: container = .aiff
        case SF_FORMAT_AU: container = .au
        default: container = .other
        }
        switch sub {
        case SF_FORMAT_PCM_U8: encoding = .pcm8
        case SF_FORMAT_PCM_S8: encoding = .pcmS8
        case SF_FORMAT_PCM_16: encoding = .pcm16
        case SF_FORMAT_PCM_24: encoding = .pcm24
        case SF_FORMAT_PCM_32: encoding = .pcm32
        case SF_FORMAT_FLOAT: encoding = .float32
        case SF_FORMAT_DOUBLE: encoding = .float64
        case SF_FORMAT_ALAW: encoding = .alaw
        case SF_FORMAT_ULAW: encoding = .ulaw
        case SF_FORMAT_GSM610: encoding = .gsm610
        case SF_FORMAT_OPUS: encoding = .opus
        case SF_FORMAT_VORBIS: encoding = .vorbis
        case SF_FORMAT_MPEG_LAYER_III: encoding = .mpegLayer3
        case SF_FORMAT_IMA_ADPCM: encoding = .imaADPCM
        case SF_FORMAT_MS_ADPCM: encoding = .msADPCM
        default: encoding = .other
        }
    }

    /// The libsndfile `format` word for writing, or nil when libsndfile cannot write it.
    var sndfileFormat: Int32? {
        let major: Int
        switch container {
        case .wav: major = SF_FORMAT_WAV
        case .flac: major = SF_FORMAT_FLAC
        case .ogg: major = SF_FORMAT_OGG
        case .raw: major = SF_FORMAT_RAW
        case .aiff: major = SF_FORMAT_AIFF
        case .au: major = SF_FORMAT_AU
        case .mp3: major = SF_FORMAT_MPEG
        case .other: return nil
        }
        let sub: Int
        switch encoding {
        case .pcm8: sub = SF_FORMAT_PCM_U8
        case .pcmS8: sub = SF_FORMAT_PCM_S8
        case .pcm16: sub = SF_FORMAT_PCM_16
        case .pcm24: sub = SF_FORMAT_PCM_24
        case .pcm32: sub = SF_FORMAT_PCM_32
        case .float32: sub = SF_FORMAT_FLOAT
        case .float64: sub = SF_FORMAT_DOUBLE
        case .alaw: sub = SF_FORMAT_ALAW
        case .ulaw: sub = SF_FORMAT_ULAW
        case .gsm610: sub = SF_FORMAT_GSM610
        case .opus: sub = SF_FORMAT_OPUS
        case .vorbis: sub = SF_FORMAT_VORBIS
        case .mpegLayer3: sub = SF_FORMAT_MPEG_LAYER_III
        case .imaADPCM: sub = SF_FORMAT_IMA_ADPCM
        case .msADPCM: sub = SF_FORMAT_MS_ADPCM
        case .other: return nil
        }
        return Int32(truncatingIfNeeded: major | sub)
    }
}
