import Testing
@testable import TimbreDSP

#if canImport(Glibc)
import Glibc
#endif

@Suite struct PolyphaseDecimatorTests {
    /// |H(f)| of the designed filter in dB, f in Hz at `rate`.
    static func responseDB(_ h: [Float], at f: Double, rate: Int) -> Double {
        var re = 0.0, im = 0.0
        for (n, c) in h.enumerated() {
            let w = 2 * Double.pi * f / Double(rate) * Double(n)
            re += Double(c) * cos(w)
            im -= Double(c) * sin(w)
        }
        return 10 * log10(re * re + im * im + 1e-300)
    }

    /// Runs a whole signal through in blocks of the given sizes (cycled), flushing at the end.
    static func decimate(_ d: PolyphaseDecimator, _ x: [Float], blocks: [Int]) throws -> [Float] {
        var out: [Float] = []
        var scratch = [Float](repeating: 0, count: d.maximumOutputFrames)
        var pos = 0, b = 0
        try x.withUnsafeBufferPointer { all in
            repeat {
                let n = min(blocks[b % blocks.count], x.count - pos)
                b += 1
                let last = pos + n == x.count
                let p = try scratch.withUnsafeMutableBufferPointer {
                    try d.process(UnsafeBufferPointer(rebasing: all[pos..<(pos + n)]), into: $0, endOfInput: last)
                }
                out += scratch[0..<p]
                pos += n
                if last { break }
            } while true
        }
        return out
    }

    @Test(arguments: [(44100, 5), (48000, 5), (32000, 3)])
    func passbandIsFlatAndStopbandIsDeep(rate: Int, factor: Int) throws {
        let intermediate = Double(rate) / Double(factor)
        let d = try PolyphaseDecimator(factor: factor, inputRate: rate, passband: 4000, stopband: intermediate - 4000)
        #expect(d.coefficients.count % (2 * factor) == 1)
        // Symmetric: linear phase.
        for i in 0..<d.coefficients.count / 2 { #expect(d.coefficients[i] == d.coefficients[d.coefficients.count - 1 - i]) }
        // Flat to 1e-4 dB (≈ 1e-5 in amplitude, −100 dB) across 0…4 kHz.
        var f = 0.0
        while f <= 4000 {
            #expect(abs(Self.responseDB(d.coefficients, at: f, rate: rate)) < 1e-4, "passband \(f) Hz")
            f += 25
        }
        // ≥ 120 dB down everywhere from the stop edge to the input Nyquist.
        f = intermediate - 4000
        while f <= Double(rate) / 2 {
            #expect(Self.responseDB(d.coefficients, at: f, rate: rate) < -120, "stopband \(f) Hz")
            f += 7
        }
    }

    @Test func blockSizesDoNotChangeTheOutputAndLengthIsExact() throws {
        var x = [Float](repeating: 0, count: 44100 + 7)
        var seed: UInt32 = 12345
        for i in x.indices {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            x[i] = Float(Int32(bitPattern: seed)) / Float(Int32.max) * 0.5
        }
        let d = try PolyphaseDecimator(factor: 5, inputRate: 44100, passband: 4000, stopband: 4820, maximumInputFrames: 5000)
        let whole = try Self.decimate(d, x, blocks: [5000])
        d.reset()
        let pieces = try Self.decimate(d, x, blocks: [1, 3, 4999, 17, 0, 640, 2])
        // Every input sample's output plus the filter's ring-out after the last one.
        #expect(whole.count == (x.count + d.coefficients.count / 2 + 4) / 5)
        #expect(pieces == whole)
        // After the flush the stream is complete.
        var scratch = [Float](repeating: 0, count: d.maximumOutputFrames)
        let more = try [Float](repeating: 1, count: 10).withUnsafeBufferPointer { i in
            try scratch.withUnsafeMutableBufferPointer { try d.process(i, into: $0, endOfInput: true) }
        }
        #expect(more == 0)
    }

    @Test func outputIsTimeAlignedWithTheInput() throws {
        // A 300 Hz tone lies in the flat passband: output m equals the input at m × factor.
        let rate = 48000, factor = 5
        let x = (0..<rate).map { Float(0.5 * sin(2 * Double.pi * 300 * Double($0) / Double(rate))) }
        let d = try PolyphaseDecimator(factor: factor, inputRate: rate, passband: 4000, stopband: 5600)
        let y = try Self.decimate(d, x, blocks: [4096])
        // Away from the edges, where the zeros before and after the signal are in the window.
        for m in 200..<(y.count - 200) { #expect(abs(y[m] - x[m * factor]) < 2e-5, "m \(m)") }
    }

    @Test func badParametersAreTypedErrors() throws {
        #expect(throws: PolyphaseDecimator.Failure.self) { try PolyphaseDecimator(factor: 1, inputRate: 44100, passband: 4000, stopband: 4820) }
        #expect(throws: PolyphaseDecimator.Failure.self) { try PolyphaseDecimator(factor: 5, inputRate: 44100, passband: 4000, stopband: 3000) }
        #expect(throws: PolyphaseDecimator.Failure.self) { try PolyphaseDecimator(factor: 5, inputRate: 44100, passband: 4000, stopband: 30000) }
        #expect(throws: PolyphaseDecimator.Failure.self) { try PolyphaseDecimator(factor: 5, inputRate: 44100, passband: 4000, stopband: 4001) }
        let d = try PolyphaseDecimator(factor: 4, inputRate: 44100, passband: 4000, stopband: 7000, maximumInputFrames: 100)
        var out = [Float](repeating: 0, count: d.maximumOutputFrames)
        let long = [Float](repeating: 0, count: 101)
        #expect(throws: PolyphaseDecimator.Failure.inputTooLong(101, maximum: 100)) {
            try long.withUnsafeBufferPointer { i in try out.withUnsafeMutableBufferPointer { try d.process(i, into: $0) } }
        }
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: PolyphaseDecimator.Failure.self) {
            try long[0..<10].withUnsafeBufferPointer { i in try small.withUnsafeMutableBufferPointer { try d.process(i, into: $0) } }
        }
    }
}
