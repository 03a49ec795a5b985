import Foundation
import TimbreCodecs
import TimbreCore

/// The payloads one codec's legs send, encoded once before the run so the sender only writes
/// RTP headers: a 10 s loop of speech (SampleAudio voices, scaled to −26 dBFS RMS), and the same
/// loop with the latency marker in frames 0–2 of every 50 (once a second; 25–27 for a conference).
///
/// A leg sends the marked loop on the seconds its marker is due and the plain loop otherwise.
/// The two were encoded by separate encoders, but their inputs are identical for the 940 ms
/// before each switch point (420 ms for a conference's), so the encoder states (G.722 ADPCM,
/// Opus) have converged there and a switch is seamless.
///
/// A conference's plan (`conference: true`) measures the bridge's path, not its choice of
/// talkers or its limiter. Every party talks the same loop at once, so in a room mixing only its
/// K loudest talkers the party whose marker is due was usually not mixed, and a talker the
/// bridge starts mixing is faded in across its first frame: the marker showed up to a frame
/// late. And the mixed talkers' in-phase speech held every listener's limiter far below unity
/// (it recovers over about 100 ms), so a marker on top of it, or right after it, reached the
/// listeners too weak for the detector for several frames, or never (10 parties, none mixed
/// out: 0 of 45 onsets found). So in a conference everyone else is silent from `leadInFrames`
/// + `quietFrames` before the marker to one frame after it, while the marked party takes the
/// floor: its speech with a 250 Hz tone under it (−8.7 dBFS peak: louder than any incumbent's
/// speech by more than the 6 dB incumbents are favoured by, even in a pause of the speech, and
/// no false onset: the detector's 1 kHz test rejects it), then `quietFrames` of silence
/// (fewer than the five quiet frames after which a jitter buffer may stretch a pause, so the
/// marker's own leg keeps its delay; enough for the limiters to recover), then the marker.
final class LoadStreamPlan: @unchecked Sendable {
    // @unchecked: immutable after init; shared read-only by the sender thread.
    static let frames = 500
    static let framesPerSecond = 50
    static let markerFrames = LoadMarker.durationMilliseconds / 20
    /// A conference's marker: where in each second it starts, the frames the marked party takes
    /// the floor for and the silent frames after them, and the lead-in's tone.
    static let conferenceMarkerFrame = 25
    static let leadInFrames = 14
    static let quietFrames = 4
    static let leadInToneHertz = 250.0
    static let leadInToneAmplitude = 12_000.0

    let codec: LoadCodec
    /// The frame of each second (of the loop) where the marker starts: 0 for calls.
    let markerFrame: Int
    /// Payload bytes of frame f of loop l (0 plain, 1 marked): `storage[offsets[l][f] ..< +lengths[l][f]]`.
    let storage: UnsafeMutableBufferPointer<UInt8>
    let offsets: UnsafeMutableBufferPointer<Int>
    let lengths: UnsafeMutableBufferPointer<Int>
    /// Where the marker's onset appears in our own stream when decoded (codec delay), in ns
    /// after the send time of the marker's first packet.
    let onsetDelayNanoseconds: Int64
    let maximumPayload: Int

    /// `speech`: mono PCM at the codec's rate, at least 10 s. `conference`: the marker in the
    /// middle of its second after a louder lead-in, everyone silent around it (see above).
    init(codec: LoadCodec, speech: [Int16], conference: Bool = false) throws {
        self.codec = codec
        let n = codec.frameSamples
        let total = LoadStreamPlan.frames * n
        precondition(speech.count >= total)
        let markerAt = conference ? LoadStreamPlan.conferenceMarkerFrame : 0
        markerFrame = markerAt
        var plain = Array(speech[0..<total])
        if conference {
            for second in stride(from: 0, to: LoadStreamPlan.frames, by: LoadStreamPlan.framesPerSecond) {
                let first = second + markerAt - LoadStreamPlan.quietFrames - LoadStreamPlan.leadInFrames
                let quiet = first * n..<(second + markerAt + LoadStreamPlan.markerFrames + 1) * n
                for i in quiet { plain[i] = 0 }
            }
        }
        var marked = plain
        for second in stride(from: 0, to: LoadStreamPlan.frames, by: LoadStreamPlan.framesPerSecond) {
            let start = second + markerAt
            if conference {
                let leadIn = start - LoadStreamPlan.quietFrames - LoadStreamPlan.leadInFrames
                for i in leadIn * n..<(start - LoadStreamPlan.quietFrames) * n {
                    let tone = LoadStreamPlan.leadInToneAmplitude
                        * sin(2 * Double.pi * LoadStreamPlan.leadInToneHertz * Double(i) / Double(codec.sampleRate))
                    marked[i] = Int16(max(-32_767, min(32_767, (Double(speech[i]) + tone).rounded())))
                }
            }
            LoadMarker.write(into: &marked, at: start * n, count: LoadStreamPlan.markerFrames * n, rate: codec.sampleRate)
        }
        // Encoders of a phone: 20 ms frames; Opus without FEC at its default bitrate.
        let options = EncoderOptions(frameDuration: .ms20)
        let entry = codec.registryEntry
        var encoded: [[[UInt8]]] = []
        var maximum = 0
        for pcm in [plain, marked] {
            var encoder = try entry.makeEncoder(options)
            var out = [UInt8](repeating: 0, count: max(encoder.maximumPayloadSize, 1500))
            var frames: [[UInt8]] = []
            // Prime with the loop's last 10 frames so frame 0 follows them as it will when looping.
            for f in (LoadStreamPlan.frames - 10)..<LoadStreamPlan.frames + LoadStreamPlan.frames {
                let k = f % LoadStreamPlan.frames
                let bytes = try pcm.withUnsafeBufferPointer { p in
                    try out.withUnsafeMutableBytes { o in
                        try encoder.encode(UnsafeBufferPointer(rebasing: p[(k * n)..<((k + 1) * n)]), into: o)
                    }
                }
                if f >= LoadStreamPlan.frames { frames.append(Array(out[0..<bytes])) }
                maximum = max(maximum, bytes)
            }
            encoded.append(frames)
        }
        let bytes = encoded.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        storage = .allocate(capacity: max(bytes, 1))
        offsets = .allocate(capacity: 2 * LoadStreamPlan.frames)
        lengths = .allocate(capacity: 2 * LoadStreamPlan.frames)
        var at = 0
        for l in 0..<2 {
            for f in 0..<LoadStreamPlan.frames {
                let p = encoded[l][f]
                offsets[l * LoadStreamPlan.frames + f] = at
                lengths[l * LoadStreamPlan.frames + f] = p.count
                for (i, b) in p.enumerated() { storage[at + i] = b }
                at += p.count
            }
        }
        maximumPayload = maximum
        // Calibrate: decode the marked loop as a receiver in mid-stream would (40 frames of
        // speech first, so adaptive decoders such as G.722's ADPCM have adapted) and find the onset.
        var decoder = try entry.makeDecoder()
        var pcmOut = [Int16](repeating: 0, count: max(decoder.maximumFrameSamples, n) * 2)
        var decoded: [Int16] = []
        let lead = 40
        for f in (LoadStreamPlan.frames - lead)..<(LoadStreamPlan.frames + markerAt + 10) {
            let o = encoded[1][f % LoadStreamPlan.frames]
            let got = try o.withUnsafeBytes { src in
                try pcmOut.withUnsafeMutableBufferPointer { try decoder.decode(src, into: $0) }
            }
            decoded += pcmOut[0..<got]
        }
        // Searched from the marker's first frame on (a conference's lead-in comes before it).
        let from = (lead + markerAt) * n
        let onset = decoded.withUnsafeBufferPointer {
            LoadMarker.firstOnset(in: UnsafeBufferPointer(rebasing: $0[from...]), limit: $0.count - from, rate: codec.sampleRate)
        }
        guard let onset else {
            throw CLIError("internal: the \(codec.rawValue) marker is not detectable after encoding")
        }
        onsetDelayNanoseconds = Int64(onset) * 1_000_000_000 / Int64(codec.sampleRate)
    }

    deinit {
        storage.deallocate()
        offsets.deallocate()
        lengths.deallocate()
    }

    /// The payload of frame `frame` of the plain (`marked` false) or marked loop.
    @inline(__always)
    func payload(frame: Int, marked: Bool) -> UnsafeBufferPointer<UInt8> {
        let i = (marked ? LoadStreamPlan.frames : 0) + frame
        return UnsafeBufferPointer(rebasing: storage[offsets[i]..<(offsets[i] + lengths[i])])
    }

    /// Ten seconds of speech at `rate`: SampleAudio's voices one after another, scaled so their
    /// active level (frames above −50 dBFS) is −26 dBFS RMS.
    static func speech(rate: Int) -> [Int16] {
        var pcm: [Int16] = []
        for voice in ["en-male", "en-female", "fr", "zh"] where pcm.count < 10 * rate + rate {
            pcm += SampleAudioLocator.speech(voice: voice, rate: rate).samples
        }
        while pcm.count < 10 * rate { pcm += pcm }
        let frame = rate / 50
        var energy = 0.0
        var active = 0
        let floor = pow(10, -50.0 / 20) * 32_768
        for f in 0..<(pcm.count / frame) {
            var e = 0.0
            for i in (f * frame)..<((f + 1) * frame) { e += Double(pcm[i]) * Double(pcm[i]) }
            if (e / Double(frame)).squareRoot() > floor {
                energy += e
                active += frame
            }
        }
        let rms = active > 0 ? (energy / Double(active)).squareRoot() : 1
        let gain = pow(10, -26.0 / 20) * 32_768 / max(rms, 1)
        return pcm.map { Int16(max(-32_767, min(32_767, (Double($0) * gain).rounded()))) }
    }
}
