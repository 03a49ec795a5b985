import TimbreAudioFile
import TimbreCore
import TimbreDSP

/// PCM to play into a leg: a file, a call-progress tone or hold music, already at the leg's
/// codec rate. Prepared on the control side (file reading and resampling allocate); reading on
/// the media thread is a copy.
public final class AudioSource: @unchecked Sendable {
    // @unchecked: immutable samples; `position` is touched by the owning media thread only.
    public let samples: [Int16]
    public let loops: Bool
    private var position = 0

    public init(samples: [Int16], loops: Bool) {
        self.samples = samples
        self.loops = loops
    }

    /// Loads a file, downmixes and resamples it to `rate`.
    public static func file(_ path: String, rate: SampleRate, loops: Bool = false) throws -> AudioSource {
        let (mono, fileRate) = try AudioFileReader.readMono(path: path)
        let pcm = try Resampler.convert(mono, from: fileRate, to: rate.hertz)
        return AudioSource(samples: pcm, loops: loops)
    }

    /// Fills `out`; returns true once a non-looping source has run out (the rest is silence).
    func read(into out: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var i = 0
        samples.withUnsafeBufferPointer { src in
            while i < out.count {
                if position >= src.count {
                    if loops && !src.isEmpty { position = 0 } else { break }
                }
                let n = min(out.count - i, src.count - position)
                for k in 0..<n { out[i + k] = src[position + k] }
                i += n
                position += n
            }
        }
        for k in i..<out.count { out[k] = 0 }
        return !loops && position >= samples.count
    }
}
