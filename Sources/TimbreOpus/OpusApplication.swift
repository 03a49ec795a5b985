internal import COpus

/// What the encoder optimises for. The corresponding libopus values are `OPUS_APPLICATION_*`,
/// passed to `opus_encoder_create`.
public enum OpusApplication: String, Hashable, Sendable, CaseIterable {
    /// Speech on calls: favours intelligibility, enables SILK's speech tools (`OPUS_APPLICATION_VOIP`).
    case voip
    /// Music or mixed content, closest to the input (`OPUS_APPLICATION_AUDIO`).
    case audio
    /// Lowest algorithmic delay; CELT only, no SILK, so no in-band FEC
    /// (`OPUS_APPLICATION_RESTRICTED_LOWDELAY`).
    case restrictedLowDelay

    var opusValue: Int32 {
        switch self {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
    }
}

/// Audio bandwidth an Opus stream codes. The corresponding libopus values are `OPUS_BANDWIDTH_*`.
public enum OpusBandwidth: String, Hashable, Sendable, CaseIterable {
    /// 4 kHz audio bandwidth (8 kHz sampling).
    case narrowband
    /// 6 kHz.
    case mediumband
    /// 8 kHz (16 kHz sampling).
    case wideband
    /// 12 kHz (24 kHz sampling).
    case superWideband
    /// 20 kHz (48 kHz sampling).
    case fullband

    var opusValue: Int32 {
        switch self {
        case .narrowband: OPUS_BANDWIDTH_NARROWBAND
        case .mediumband: OPUS_BANDWIDTH_MEDIUMBAND
        case .wideband: OPUS_BANDWIDTH_WIDEBAND
        case .superWideband: OPUS_BANDWIDTH_SUPERWIDEBAND
        case .fullband: OPUS_BANDWIDTH_FULLBAND
        }
    }
}
