import Testing
import TimbreTestSupport

@testable import TimbreJitter

@Suite struct ConcealerTests {
    /// RMS of `x[range]`.
    func rms(_ x: [Int16], _ range: Range<Int>) -> Double {
        (range.reduce(0.0) { $0 + Double(x[$1]) * Double(x[$1]) } / Double(range.count)).squareRoot()
    }

    @Test func repeatsThePitchPeriodThenFadesToSilenceBy60ms() {
        var c = Concealer(sampleRate: 8000)
        let tone = SignalGenerator.sine(frequency: 200, sampleRate: 8000, count: 800, amplitude: 0.5)
        tone.withUnsafeBufferPointer { c.record($0) }
        var out = [Int16](repeating: 0, count: 640)  // 80 ms of loss
        out.withUnsafeMutableBufferPointer { c.conceal(into: $0) }
        #expect(c.period == 40)  // 200 Hz at 8 kHz
        // The first 10 ms continue the tone at full level and in phase.
        let expected = SignalGenerator.sine(frequency: 200, sampleRate: 8000, count: 880, amplitude: 0.5)
        for k in 0..<80 { #expect(abs(Int(out[k]) - Int(expected[800 + k])) <= 2) }
        // Then the level falls 20 % per 10 ms: 10–20 ms is louder than 30–40 ms, louder than 50–60.
        let a = rms(out, 80..<160), b = rms(out, 240..<320), d = rms(out, 400..<480)
        #expect(a > b && b > d && d > 0)
        #expect(rms(out, 0..<80) > 0.99 * rms(tone, 0..<800))
        // Silence from 60 ms on.
        #expect(out[480..<640].allSatisfy { $0 == 0 })
    }

    @Test func mergeCrossFadesIntoTheFirstGoodFrame() {
        var c = Concealer(sampleRate: 8000)
        let tone = SignalGenerator.sine(frequency: 250, sampleRate: 8000, count: 1200, amplitude: 0.4)
        tone[0..<800].withUnsafeBufferPointer { c.record($0) }
        var lost = [Int16](repeating: 0, count: 160)
        lost.withUnsafeMutableBufferPointer { c.conceal(into: $0) }
        var good = Array(tone[960..<1120])
        good.withUnsafeMutableBufferPointer { c.merge(into: $0) }
        #expect(!c.active)
        // Concealment of a pure tone is the tone, so the joins are as smooth as the tone itself.
        let joined = lost + good
        let maxStep = zip(joined.dropFirst(), joined).map { abs(Int($0) - Int($1)) }.max()!
        let toneStep = zip(tone.dropFirst(), tone).map { abs(Int($0) - Int($1)) }.max()!
        #expect(maxStep <= toneStep + 50)
        // After the merge window (8 ms for a 20 ms loss) the good frame is untouched.
        #expect(Array(good[64...]) == Array(tone[1024..<1120]))
    }
}

@Suite struct TimeStretcherTests {
    @Test func accelerateAndExpandMoveOnePitchPeriodOfVoicedSignal() {
        let s = TimeStretcher(sampleRate: 8000)
        let tone = SignalGenerator.sine(frequency: 160, sampleRate: 8000, count: 160, amplitude: 0.5)
        var out = [Int16](repeating: 0, count: 160 + s.maximumLag)
        let shorter = tone.withUnsafeBufferPointer { y in out.withUnsafeMutableBufferPointer { s.accelerate(y, into: $0) } }
        #expect(shorter == 160 - 50 || shorter == 160 - 100)  // one period of 160 Hz = 50 samples
        #expect(out[0] == tone[0] && out[shorter - 1] == tone[159])
        let longer = tone.withUnsafeBufferPointer { y in out.withUnsafeMutableBufferPointer { s.expand(y, into: $0) } }
        #expect(longer == 160 + 50 || longer == 160 + 100)
        #expect(out[longer - 1] == tone[159])
        let steps = zip(out[0..<longer].dropFirst(), out[0..<longer]).map { abs(Int($0) - Int($1)) }.max()!
        #expect(steps < 2200)  // no splice click: a 160 Hz tone at half scale steps by ≤ 2059
    }

    @Test func loudUnvoicedNoiseIsLeftAlone() {
        let s = TimeStretcher(sampleRate: 8000)
        let noise = SignalGenerator.noise(count: 160, amplitude: 0.5, seed: 9)
        var out = [Int16](repeating: 0, count: 160 + s.maximumLag)
        let n = noise.withUnsafeBufferPointer { y in out.withUnsafeMutableBufferPointer { s.accelerate(y, into: $0) } }
        #expect(n == 160)
        #expect(Array(out[0..<160]) == noise)
    }
}

@Suite struct NetworkTraceTests {
    @Test func parsesRowsInAnyOrderWithLossAndDuplicates() throws {
        let t = try NetworkTrace(csv: "seq,send_ms,arrival_ms\r\n2,40,75.5\n0,0,30\n1,20,\n\n2,40,80\n")
        #expect(t.entries.count == 4)
        #expect(t.entries[2].arrivalMilliseconds == nil)
        #expect(try NetworkTrace(csv: t.csv) == t)
    }

    @Test func rejectsBadInputWithTypedErrors() {
        #expect(throws: NetworkTraceError.missingHeader) { try NetworkTrace(csv: "") }
        #expect(throws: NetworkTraceError.missingHeader) { try NetworkTrace(csv: "seq,send,arrival\n0,0,1\n") }
        #expect(throws: NetworkTraceError.empty) { try NetworkTrace(csv: "seq,send_ms,arrival_ms\n") }
        for (row, line) in [("0,0", 2), ("x,0,1", 2), ("-1,0,1", 2), ("0,nan,1", 2), ("0,0,inf", 2), ("0,20,10", 2), ("99999999,0,1", 2)] {
            #expect(throws: NetworkTraceError.self) { try NetworkTrace(csv: "seq,send_ms,arrival_ms\n" + row + "\n") }
            do {
                _ = try NetworkTrace(csv: "seq,send_ms,arrival_ms\n" + row + "\n")
            } catch {
                if case .invalidRow(let l, _) = error { #expect(l == line) } else { Issue.record("\(error)") }
            }
        }
    }

    @Test(arguments: NetworkModel.allCases)
    func everyModelPlaysWellThroughTheAdaptiveBuffer(model: NetworkModel) {
        let trace = model.trace(seconds: 20, seed: 1)
        #expect(trace.entries.count == 1000)
        #expect(trace == model.trace(seconds: 20, seed: 1))
        #expect(trace.entries.allSatisfy { $0.arrivalMilliseconds.map { $0 >= $0 } ?? true })
        let lost = trace.entries.filter { $0.arrivalMilliseconds == nil }.count
        let signal = TestStreams.voice(seconds: 20)
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.totalSamplesReceived == r.output.count)
        #expect(r.statistics.packetsReceived == 1000 - lost)
        #expect(r.statistics.packetsLost == lost)
        // Concealment covers the losses plus at most a few underruns (handover/outage stalls).
        let budget = Double(lost * 160 + 30 * 160 + (model == .handover4g ? 4000 : 0))
        #expect(Double(r.statistics.concealedSamples) <= budget, "\(model): \(r.statistics)")
        #expect(r.meanPlayoutDelayMilliseconds < (model == .handover4g ? 250 : 150), "\(model)")
    }
}
