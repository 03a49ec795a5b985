import TimbreAudioFile

#if canImport(Glibc)
import Glibc
#endif

/// Finds the repository's `SampleAudio/` for `timbre bench` and `timbre demo`: from
/// `$TIMBRE_SAMPLE_AUDIO`, then next to the executable or up to four directories above it
/// (`.build/release/timbre` → `SampleAudio/`), then the working directory. Without it the
/// commands fall back to a synthesised speech-like signal and say so.
enum SampleAudioLocator {
    static func directory() -> String? {
        var candidates: [String] = []
        if let env = getenv("TIMBRE_SAMPLE_AUDIO") { candidates.append(String(cString: env)) }
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

    /// A deterministic voiced signal: a 100–140 Hz harmonic series shaped by three formants,
    /// in 4 Hz syllables with pauses — enough like speech for codec timing and SNR.
    static func synthesisedSpeech(rate: Int, seconds: Double) -> [Int16] {
        let count = Int(seconds * Double(rate))
        let formants: [(f: Double, bw: Double)] = [(700, 130), (1_220, 70), (2_600, 160)]
        var out = [Int16](repeating: 0, count: count)
        var phase = 0.0
        for i in 0..<count {
            let t = Double(i) / Double(rate)
            let f0 = 120 + 20 * sin(2 * .pi * 0.7 * t)
            phase += 2 * .pi * f0 / Double(rate)
            var s = 0.0
            var h = 1.0
            while h * f0 < Double(rate) / 2 && h < 40 {
                let f = h * f0
                var gain = 0.0
                for fm in formants { gain += 1 / (1 + pow((f - fm.f) / fm.bw, 2)) }
                s += gain / h.squareRoot() * sin(h * phase)
                h += 1
            }
            let syllable = sin(.pi * (t * 4).truncatingRemainder(dividingBy: 1))
            let pause = (Int(t * 4) % 5 == 4) ? 0.0 : 1.0
            out[i] = Int16(max(-32_767, min(32_767, 6_000 * s * syllable * syllable * pause)))
        }
        return out
    }
}
