/// Peak, clipping and length of decoded audio, measured in one pass with a fixed buffer.
struct LevelStatistics {
    var frames = 0
    /// Largest absolute sample value (Int16 scale).
    var peak = 0
    /// Samples that sit in runs of three or more identical values at |x| ≥ 32000: the flat tops
    /// a clipped signal leaves (a loud but clean waveform never repeats its peak value three times).
    var clippedSamples = 0
    var totalSamples = 0
    /// libsndfile's error when reading stopped on one.
    var error: String?

    var clippedFraction: Double { totalSamples == 0 ? 0 : Double(clippedSamples) / Double(totalSamples) }

    static func measure(_ source: SoundFileSource) -> LevelStatistics {
        var s = LevelStatistics()
        let capacity = 4096 * source.channels
        let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var run = 0
        var last: Int16 = 0
        while true {
            let n = source.read(into: buffer, capacity: capacity)
            if n <= 0 { break }
            s.frames += n
            let count = n * source.channels
            s.totalSamples += count
            for i in 0..<count {
                let x = buffer[i]
                let a = abs(Int(x))
                if a > s.peak { s.peak = a }
                if a >= 32000 && x == last {
                    run += 1
                    if run == 3 { s.clippedSamples += 3 } else if run > 3 { s.clippedSamples += 1 }
                } else {
                    run = a >= 32000 ? 1 : 0
                }
                last = x
            }
        }
        s.error = source.errorText
        return s
    }
}
