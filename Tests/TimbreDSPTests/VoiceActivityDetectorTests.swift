import Testing
import TimbreDSP
import TimbreTestSupport

@Suite struct VoiceActivityDetectorTests {
    static func frames(_ x: [Int16], size: Int) -> [[Int16]] {
        stride(from: 0, to: x.count - size + 1, by: size).map { Array(x[$0..<($0 + size)]) }
    }

    func run(_ vad: inout VoiceActivityDetector, _ x: [Int16]) -> [VoiceActivityDetector.Activity] {
        Self.frames(x, size: 160).map { f in f.withUnsafeBufferPointer { vad.process($0) } }
    }

    @Test func fullScaleSineLevelIsMinus3dBov() {
        var vad = VoiceActivityDetector()
        let tone = SignalGenerator.sine(frequency: 1000, sampleRate: 8000, count: 160, amplitude: 1)
        let a = tone.withUnsafeBufferPointer { vad.process($0) }
        #expect(abs(a.levelDBov - -3.01) < 0.05)
    }

    @Test func speechBurstRaisesFlagAfterOnsetAndHoldsThroughHangover() {
        var vad = VoiceActivityDetector(frameMilliseconds: 20)
        let noise = SignalGenerator.noise(count: 8000 * 2, amplitude: 0.001, seed: 3)  // ≈ −65 dBov
        let quiet = run(&vad, noise)
        #expect(quiet.allSatisfy { !$0.isSpeaking })
        let tone = SignalGenerator.sine(frequency: 300, sampleRate: 8000, count: 8000, amplitude: 0.1)  // −23 dBov
        let loud = run(&vad, tone)
        #expect(!loud[0].isSpeaking)  // one frame is not enough (onsetFrames = 2)
        #expect(loud[1].isSpeaking)
        #expect(loud.dropFirst().allSatisfy { $0.isSpeaking })
        // A gap shorter than the hangover keeps the flag; a long one drops it after exactly 15 frames.
        let gap = run(&vad, Array(noise.prefix(160 * 10)))
        #expect(gap.allSatisfy { $0.isSpeaking })
        _ = run(&vad, Array(tone.prefix(160 * 3)))
        let long = run(&vad, Array(noise.prefix(160 * 30)))
        #expect(long[13].isSpeaking)
        #expect(!long[14].isSpeaking)
        #expect(long.dropFirst(14).allSatisfy { !$0.isSpeaking })
    }

    @Test func levelBetweenReleaseAndOnsetKeepsButDoesNotStartSpeech() {
        var config = VoiceActivityDetector.Configuration()
        config.onsetMarginDB = 12
        config.releaseMarginDB = 3
        var vad = VoiceActivityDetector(frameMilliseconds: 20, configuration: config)
        let floor = SignalGenerator.sine(frequency: 200, sampleRate: 8000, count: 160 * 60, amplitude: 0.01)  // −43 dBov
        _ = run(&vad, floor)
        // +7 dB above the floor: between release (3) and onset (12): never starts.
        let middle = SignalGenerator.sine(frequency: 200, sampleRate: 8000, count: 160 * 10, amplitude: 0.0224)
        #expect(run(&vad, middle).allSatisfy { !$0.isSpeaking })
        var vad2 = VoiceActivityDetector(frameMilliseconds: 20, configuration: config)
        _ = run(&vad2, floor)
        let loud = SignalGenerator.sine(frequency: 200, sampleRate: 8000, count: 160 * 5, amplitude: 0.3)
        #expect(run(&vad2, loud).last?.isSpeaking == true)
        // Dropping to the middle level keeps the flag (above release).
        #expect(run(&vad2, middle).allSatisfy { $0.isSpeaking })
    }

    @Test func detectsSpeechInSampleAudioAndNotInSilence() throws {
        for name in DSPTestSignals.speechNames {
            var vad = VoiceActivityDetector()
            let x = try DSPTestSignals.speech(name, rate: 8000)
            let speaking = run(&vad, x).filter(\.isSpeaking).count
            #expect(speaking > 40, "\(name): \(speaking) speech frames")
        }
        var vad = VoiceActivityDetector()
        let silence = [Int16](repeating: 0, count: 8000 * 3)
        let r = run(&vad, silence)
        #expect(r.allSatisfy { !$0.isSpeaking && $0.levelDBov == -120 })
    }

    @Test func resetForgetsFlagAndFloor() {
        var vad = VoiceActivityDetector()
        let tone = SignalGenerator.sine(frequency: 300, sampleRate: 8000, count: 1600, amplitude: 0.1)
        _ = run(&vad, tone)
        #expect(vad.isSpeaking)
        vad.reset()
        #expect(!vad.isSpeaking)
        #expect(vad.noiseFloorDBov == -70)
    }
}
