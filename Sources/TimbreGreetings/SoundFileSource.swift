import CSndFile

/// A file opened for reading through libsndfile (`sf_open`), which decodes every format a
/// greeting may arrive in: WAV of any encoding, MP3 (through mpg123), FLAC, Ogg, and raw
/// GSM 06.10 when asked for it explicitly (raw files have no header to sniff).
final class SoundFileSource {
    let handle: OpaquePointer
    let sampleRate: Int
    let channels: Int
    /// libsndfile's frame count (may be an estimate for MP3).
    let frames: Int64
    /// libsndfile's `SF_FORMAT_*` major | subtype.
    let format: Int32

    enum OpenError: Error { case unreadable(String) }

    /// Opens `path`; with `rawGSM` it is read as headerless GSM 06.10 at 8 kHz mono.
    init(path: String, rawGSM: Bool = false) throws(OpenError) {
        var info = SF_INFO()
        if rawGSM {
            info.format = Int32(SF_FORMAT_RAW) | Int32(SF_FORMAT_GSM610)
            info.samplerate = 8000
            info.channels = 1
        }
        guard let h = sf_open(path, Int32(SFM_READ), &info) else {
            throw .unreadable(String(cString: sf_strerror(nil)))
        }
        guard info.channels > 0, info.channels <= 64, info.samplerate > 0 else {
            sf_close(h)
            throw .unreadable("libsndfile reports \(info.channels) channels at \(info.samplerate) Hz")
        }
        handle = h
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frames = info.frames
        format = info.format
    }

    deinit { sf_close(handle) }

    /// Reads up to `capacity / channels` interleaved frames as floats in [-1, 1]; returns frames
    /// read, 0 at the end. The corresponding libsndfile call is `sf_readf_float`.
    func read(into buffer: UnsafeMutablePointer<Float>, capacity: Int) -> Int {
        Int(sf_readf_float(handle, buffer, Int64(capacity / channels)))
    }

    /// Reads interleaved Int16 frames (`sf_readf_short`).
    func read(into buffer: UnsafeMutablePointer<Int16>, capacity: Int) -> Int {
        Int(sf_readf_short(handle, buffer, Int64(capacity / channels)))
    }

    /// libsndfile's error text for this file, if a read stopped on an error.
    var errorText: String? {
        sf_error(handle) == 0 ? nil : String(cString: sf_strerror(handle))
    }
}
