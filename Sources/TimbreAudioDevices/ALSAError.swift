#if canImport(Glibc)
import Glibc
#endif
internal import CALSA

/// What went wrong with an ALSA device, with alsa-lib's own message.
public enum ALSAError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `snd_pcm_open` failed: unknown name, busy device, bad configuration.
    case openFailed(device: String, code: Int32, message: String)
    /// The device refused every setting near what was asked (`snd_pcm_hw_params_*`).
    case configurationFailed(device: String, step: String, message: String)
    /// The device went away (unplugged, driver unloaded): the stream stopped.
    case deviceDisconnected(device: String)
    /// A read or write failed and `snd_pcm_recover` could not recover it.
    case ioFailed(device: String, code: Int32, message: String)
    /// The extra configuration text did not parse (`snd_config_load`).
    case invalidConfiguration(message: String)
    /// A parameter outside what Timbre supports (rate, channels, period).
    case invalidParameters(String)
    /// `start` was called on a stream that is already running or has been stopped.
    case notStartable
    /// The dedicated thread could not be created.
    case threadFailed(code: Int32)

    public var description: String {
        switch self {
        case .openFailed(let d, _, let m): "cannot open ALSA device '\(d)': \(m)"
        case .configurationFailed(let d, let s, let m): "ALSA device '\(d)' refused \(s): \(m)"
        case .deviceDisconnected(let d): "ALSA device '\(d)' disappeared; stream stopped"
        case .ioFailed(let d, _, let m): "ALSA I/O on '\(d)' failed: \(m)"
        case .invalidConfiguration(let m): "invalid ALSA configuration: \(m)"
        case .invalidParameters(let m): "invalid audio parameters: \(m)"
        case .notStartable: "stream already started or stopped"
        case .threadFailed(let c): "cannot start audio thread (error \(c))"
        }
    }

    /// Installs a quiet alsa-lib error handler once (alsa-lib would print to stderr; Timbre
    /// reports every failure as an `ALSAError` instead).
    static let silenceLibrary: Void = timbre_alsa_silence_library_errors()

    /// alsa-lib's text for a negative error code (`snd_strerror`).
    static func message(_ code: Int32) -> String { String(cString: snd_strerror(code)) }

    /// Whether a negative alsa-lib code means the device is gone rather than a passing error.
    static func isDisconnect(_ code: Int32) -> Bool {
        code == -ENODEV || code == -EBADFD || code == -ENOTTY || code == -ENXIO || code == -ESHUTDOWN
    }
}
