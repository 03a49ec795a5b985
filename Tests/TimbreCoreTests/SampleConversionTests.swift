import Testing
@testable import TimbreCore
import TimbreTestSupport

@Suite struct SampleConversionTests {
    @Test func int16ToFloatToInt16IsExactForEveryValue() {
        let input = SignalGenerator.everyInt16
        var floats = [Float](repeating: 0, count: input.count)
        var back = [Int16](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { i in
            floats.withUnsafeMutableBufferPointer { SampleConversion.int16ToFloat(i, into: $0) }
        }
        #expect(floats.first == -1.0)
        floats.withUnsafeBufferPointer { f in
            back.withUnsafeMutableBufferPointer { SampleConversion.floatToInt16(f, into: $0) }
        }
        #expect(back == input)
    }

    @Test func floatToInt16SaturatesAndMapsNaNToZero() {
        let input: [Float] = [2.0, -2.0, .infinity, -.infinity, .nan, 0.5, 1.0]
        var out = [Int16](repeating: 1, count: input.count)
        input.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { SampleConversion.floatToInt16(f, into: $0) }
        }
        #expect(out == [32767, -32768, 32767, -32768, 0, 16384, 32767])
    }

    @Test func gainSaturatesInsteadOfWrapping() {
        var samples: [Int16] = [20000, -20000, 100, Int16.min, 0]
        samples.withUnsafeMutableBufferPointer { Gain(decibels: 6.0206).apply(to: $0) }
        #expect(samples == [32767, -32768, 200, -32768, 0])
        var quiet: [Int16] = [1000, -1000]
        quiet.withUnsafeMutableBufferPointer { Gain(decibels: -6.0206).apply(to: $0) }
        #expect(quiet == [500, -500])
        #expect(Gain(decibels: 0) == .unity)
    }
}

@Suite struct LevelMeterTests {
    @Test func fullScaleSquareIsZeroDBovAndSineMinusThree() {
        let square = SignalGenerator.square(period: 8, count: 800)
        let sine = SignalGenerator.sine(frequency: 1000, sampleRate: 8000, count: 8000, amplitude: 1.0)
        let sq = square.withUnsafeBufferPointer { LevelMeter.rmsDBov(of: $0) }
        let si = sine.withUnsafeBufferPointer { LevelMeter.rmsDBov(of: $0) }
        #expect(abs(sq) < 0.01)
        #expect(abs(si + 3.01) < 0.02)
        var meter = LevelMeter()
        [Int16.min].withUnsafeBufferPointer { meter.measure($0) }
        #expect(meter.peak == 32768, "Int16.min does not trap and reads as full scale")
    }

    @Test func silenceReportsTheFloor() {
        let zeros = [Int16](repeating: 0, count: 160)
        #expect(zeros.withUnsafeBufferPointer { LevelMeter.rmsDBov(of: $0) } == LevelMeter.silenceFloor)
    }
}

@Suite struct FrameAndClockTests {
    @Test func frameSizesFollowRateAndDuration() {
        #expect(FrameDuration.ms20.samples(at: .narrowband) == 160)
        #expect(FrameDuration.ms10.samples(at: .wideband) == 160)
        #expect(FrameDuration.ms20.samples(at: .fullband) == 960)
        var frame = AudioFrame(format: .widebandMono, duration: .ms20)
        #expect(frame.sampleCount == 320)
        frame.withUnsafeMutableSamples { $0[0] = 7 }
        #expect(frame[0] == 7)
        frame.silence()
        #expect(frame[0] == 0)
    }

    @Test func manualClockAdvancesByWholePeriodsWithoutDrift() {
        var clock = MediaClock(period: .ms20, source: .manual)
        for _ in 0..<50_000 { clock.tick() }
        #expect(clock.now == 50_000 * 20_000_000)
        #expect(clock.mediaTimeMilliseconds == 1_000_000)
        #expect(clock.nextDeadline == 50_001 * 20_000_000)
    }
}
