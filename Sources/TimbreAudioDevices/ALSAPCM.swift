#if canImport(Glibc)
import Glibc
#endif
internal import CALSA
import Synchronization

/// One open ALSA PCM: interleaved S16_LE, parameters negotiated at open, blocking reads or
/// writes of whole periods with xrun recovery.
///
/// Negotiation asks for the requested rate, channels, period and buffer with the `_near`
/// setters and reports what the device granted in `parameters`. An xrun (`-EPIPE`) or suspend
/// (`-ESTRPIPE`) is recovered with `snd_pcm_recover` and counted in `xruns`; a vanished device
/// (`-ENODEV` and kin) throws `ALSAError.deviceDisconnected`.
///
/// The corresponding alsa-lib calls are `snd_pcm_open` / `snd_pcm_open_lconf`,
/// `snd_pcm_hw_params_malloc` (not the `_alloca` macro), `snd_pcm_hw_params_set_*_near`,
/// `snd_pcm_hw_params`, `snd_pcm_readi`, `snd_pcm_writei`, `snd_pcm_recover`, `snd_pcm_drain`
/// and `snd_pcm_close`.
///
/// Thread-safety: one thread does I/O (`read`/`write`); `xruns` and `frames` may be read from
/// any thread.
public final class ALSAPCM: @unchecked Sendable {
    // @unchecked: `handle` is used only by the I/O thread after init (documented contract);
    // counters are atomics.
    public enum Stream: Sendable, Hashable { case playback, capture }

    public let device: String
    public let stream: Stream
    /// What the device granted.
    public let parameters: ALSAParameters
    private let handle: OpaquePointer
    private let config: OpaquePointer?
    private let xrunCounter = Atomic<Int>(0)
    private let frameCounter = Atomic<Int>(0)

    /// Underruns/overruns (and suspends) recovered so far.
    public var xruns: Int { xrunCounter.load(ordering: .relaxed) }
    /// Frames read or written so far.
    public var frames: Int { frameCounter.load(ordering: .relaxed) }

    /// Opens `device` and negotiates `requested`.
    /// - Parameter configuration: extra alsa-lib configuration text (e.g. a `pcm.name { … }`
    ///   definition) read on top of the system configuration, for this PCM only.
    public init(device: String, stream: Stream, requested: ALSAParameters, configuration: String? = nil) throws(ALSAError) {
        ALSAError.silenceLibrary
        try requested.validate()
        self.device = device
        self.stream = stream
        let direction = stream == .playback ? SND_PCM_STREAM_PLAYBACK : SND_PCM_STREAM_CAPTURE
        var pcm: OpaquePointer?
        var cfg: OpaquePointer?
        if let text = configuration {
            cfg = try ALSAPCM.loadConfiguration(text)
            let rc = snd_pcm_open_lconf(&pcm, device, direction, 0, cfg)
            guard rc >= 0, let p = pcm else {
                snd_config_delete(cfg)
                throw .openFailed(device: device, code: rc, message: ALSAError.message(rc))
            }
            handle = p
        } else {
            let rc = snd_pcm_open(&pcm, device, direction, 0)
            guard rc >= 0, let p = pcm else { throw .openFailed(device: device, code: rc, message: ALSAError.message(rc)) }
            handle = p
        }
        config = cfg
        do {
            parameters = try ALSAPCM.negotiate(handle, device: device, requested: requested)
        } catch {
            snd_pcm_close(handle)
            if let cfg { snd_config_delete(cfg) }
            throw error
        }
    }

    deinit {
        snd_pcm_close(handle)
        if let config { snd_config_delete(config) }
    }

    /// The global configuration plus `text`, as a private tree for `snd_pcm_open_lconf`.
    static func loadConfiguration(_ text: String) throws(ALSAError) -> OpaquePointer {
        var top: OpaquePointer?
        var global: OpaquePointer?
        var rc = snd_config_update_ref(&global)
        guard rc >= 0, let shared = global else { throw .invalidConfiguration(message: ALSAError.message(rc)) }
        rc = snd_config_copy(&top, shared)
        snd_config_unref(shared)
        guard rc >= 0, let tree = top else { throw .invalidConfiguration(message: ALSAError.message(rc)) }
        var input: OpaquePointer?
        rc = text.withCString { snd_input_buffer_open(&input, $0, strlen($0)) }
        guard rc >= 0, let inp = input else {
            snd_config_delete(tree)
            throw .invalidConfiguration(message: ALSAError.message(rc))
        }
        rc = snd_config_load(tree, inp)
        snd_input_close(inp)
        guard rc >= 0 else {
            snd_config_delete(tree)
            throw .invalidConfiguration(message: ALSAError.message(rc))
        }
        return tree
    }

    static func negotiate(_ pcm: OpaquePointer, device: String, requested: ALSAParameters) throws(ALSAError) -> ALSAParameters {
        var hw: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hw) >= 0, let params = hw else {
            throw .configurationFailed(device: device, step: "parameter allocation", message: "out of memory")
        }
        defer { snd_pcm_hw_params_free(params) }
        func check(_ rc: Int32, _ step: String) throws(ALSAError) {
            if rc < 0 { throw .configurationFailed(device: device, step: step, message: ALSAError.message(rc)) }
        }
        try check(snd_pcm_hw_params_any(pcm, params), "any configuration")
        try check(snd_pcm_hw_params_set_access(pcm, params, SND_PCM_ACCESS_RW_INTERLEAVED), "interleaved access")
        try check(snd_pcm_hw_params_set_format(pcm, params, SND_PCM_FORMAT_S16_LE), "16-bit format")
        var channels = UInt32(requested.channels)
        try check(snd_pcm_hw_params_set_channels_near(pcm, params, &channels), "\(requested.channels) channels")
        var rate = UInt32(requested.sampleRate)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_resample(pcm, params, 1), "resampling")
        try check(snd_pcm_hw_params_set_rate_near(pcm, params, &rate, &dir), "\(requested.sampleRate) Hz")
        var period = snd_pcm_uframes_t(requested.periodFrames)
        dir = 0
        try check(snd_pcm_hw_params_set_period_size_near(pcm, params, &period, &dir), "period of \(requested.periodFrames) frames")
        var buffer = snd_pcm_uframes_t(requested.bufferFrames)
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm, params, &buffer), "buffer of \(requested.bufferFrames) frames")
        try check(snd_pcm_hw_params(pcm, params), "the negotiated configuration")
        // Read back what was granted.
        var grantedPeriod: snd_pcm_uframes_t = 0
        var grantedBuffer: snd_pcm_uframes_t = 0
        dir = 0
        snd_pcm_hw_params_get_period_size(params, &grantedPeriod, &dir)
        snd_pcm_hw_params_get_buffer_size(params, &grantedBuffer)
        let p = max(1, Int(grantedPeriod))
        return ALSAParameters(sampleRate: Int(rate), channels: Int(channels), periodFrames: p, periods: max(1, Int(grantedBuffer) / p))
    }

    /// Reads up to `buffer.count / channels` frames, blocking; returns frames read. Recovers
    /// xruns. Allocation-free.
    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(ALSAError) -> Int {
        let wanted = buffer.count / parameters.channels
        var done = 0
        while done < wanted {
            let n = snd_pcm_readi(handle, buffer.baseAddress! + done * parameters.channels, snd_pcm_uframes_t(wanted - done))
            if n < 0 {
                try recover(Int32(n))
                continue
            }
            done += n
        }
        frameCounter.add(done, ordering: .relaxed)
        return done
    }

    /// Writes `buffer` (whole frames), blocking. Recovers xruns. Allocation-free.
    public func write(_ buffer: UnsafeBufferPointer<Int16>) throws(ALSAError) {
        let total = buffer.count / parameters.channels
        var done = 0
        while done < total {
            let n = snd_pcm_writei(handle, buffer.baseAddress! + done * parameters.channels, snd_pcm_uframes_t(total - done))
            if n < 0 {
                try recover(Int32(n))
                continue
            }
            done += n
        }
        frameCounter.add(done, ordering: .relaxed)
    }

    /// Lets queued playback finish (`snd_pcm_drain`).
    public func drain() {
        snd_pcm_drain(handle)
    }

    /// Stops at once, dropping queued frames (`snd_pcm_drop`).
    public func drop() {
        snd_pcm_drop(handle)
    }

    /// `snd_pcm_recover` for xruns and suspends; disconnects and the rest throw.
    func recover(_ code: Int32) throws(ALSAError) {
        if code == -EAGAIN || code == -EINTR { return }
        if ALSAError.isDisconnect(code) { throw .deviceDisconnected(device: device) }
        if code == -EPIPE || code == -ESTRPIPE {
            xrunCounter.add(1, ordering: .relaxed)
        }
        let rc = snd_pcm_recover(handle, code, 1)
        if rc < 0 {
            if ALSAError.isDisconnect(rc) { throw .deviceDisconnected(device: device) }
            throw .ioFailed(device: device, code: rc, message: ALSAError.message(rc))
        }
    }

    /// Test hook: runs the recovery path for `code` as a failed read or write would.
    package func _recover(fromErrorCode code: Int32) throws(ALSAError) { try recover(code) }
}
