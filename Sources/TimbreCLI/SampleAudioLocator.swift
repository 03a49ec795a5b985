import TimbreAudioFile

#if canImport(Glibc)
import Glibc
#endif

/// Finds the repository's `SampleAudio/` for `timbre bench` and `timbre demo`: from
/// `$TIMBRE_SAMPLE_AUDIO` when set (and only there), else next to the executable or up to four directories above it
/// (`.build/release/timbre` → `SampleAudio/`), then the working directory. Without it the
/// commands fall back to a synthesised speech-like signal and say so.
enum SampleAudioLocator {
    static func directory() -> String? {
        if let env = getenv("TIMBRE_SAMPLE_AUDIO") {
            // An explicit choice is the only candidate (an empty directory forces the fallback).
            let dir = String(cString: env)
            return access(dir + "/speech-en-male-8k.wav", R_OK) == 0 ? dir : nil
        }
        var candidates: [String] = []
        var exe = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &exe, exe.count - 1)
        if n > 0 {
            var dir = String(decoding: exe[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<5 {
                guard let slash = dir.lastIndex(of: "/") else { break }
                dir = String(dir[..<slash])
                candidates.append(dir + "/SampleAudio")
            }
        }
        candidates.append("SampleAudio")
        return candidates.first { access($0 + "/speech-en-male-8k.wav", R_OK) == 0 }
    }

    /// Speech (mono) at 8, 16 or 48 kHz: `speech-<voice>-<rate>.wav` from SampleAudio, or the
    /// synthetic fallback (with a note on stderr, once per process) when SampleAudio is absent.
    static func speech(voice: String = "en-male", rate: Int) -> (samples: [Int16], source: String) {
        let name = "speech-\(voice)-\(rate / 1000)k.wav"
        if let dir = directory(), let file = try? AudioFileReader.readMono(path: dir + "/" + name), file.sampleRate == rate {
            return (file.samples, dir + "/" + name)
        }
        warnOnce()
        return (synthesisedSpeech(rate: rate, seconds: 4.5), "synthesised speech-like signal")
    }

    nonisolated(unsafe) private static var warned = false
    private static func warnOnce() {
        if warned { return }
        warned = true
        CLIEntryPoint.note("SampleAudio/ not found (set TIMBRE_SAMPLE_AUDIO); using a synthesised speech-like signal")
    }

    /// A deterministic voiced signal: a 125 Hz harmonic series (to 4 kHz) shaped by three
    /// formants, in 4 Hz syllables with pauses — enough like speech for codec timing and SNR.
    /// 125 Hz divides 8, 16 and 48 kHz, so one period is computed and repeated.
    static func synthesisedSpeech(rate: Int, seconds: Double) -> [Int16] {
        let count = Int(seconds * Double(rate))
        let f0 = 125.0
        let period = Int(Double(rate) / f0)
        let formants: [(f: Double, bw: Double)] = [(700, 130), (1_220, 70), (2_600, 160)]
        let harmonics = max(1, Int(min(4_000, Double(rate) / 2 - f0) / f0))
        var cycle = [Double](repeating: 0, count: period)
        for h in 1...harmonics {
            let f = Double(h) * f0
            let gain = formants.reduce(0) { $0 + 1 / (1 + pow((f - $1.f) / $1.bw, 2)) } / Double(h).squareRoot()
            for i in 0..<period { cycle[i] += gain * sin(2 * .pi * Double(h * i) / Double(period)) }
        }
        var out = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            let t = Double(i) / Double(rate)
            let syllable = sin(.pi * (t * 4).truncatingRemainder(dividingBy: 1))
            let pause = (Int(t * 4) % 5 == 4) ? 0.0 : 1.0
            out[i] = Int16(max(-32_767, min(32_767, 6_000 * cycle[i % period] * syllable * syllable * pause)))
        }
        return out
    }
}
