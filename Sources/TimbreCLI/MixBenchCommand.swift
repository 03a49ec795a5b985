import ArgumentParser
import TimbreAudioFile
import TimbreCodecs
import TimbreConference
import TimbreCore
import TimbreOpus

#if canImport(Glibc)
import Glibc
#endif

/// `timbre mix-bench` (hidden): times the conference bridge for the peer comparison in
/// `Benchmarks/peers/mixer/run.sh`, on one thread.
///
/// `--codec none` times the mixing kernel alone: per 20 ms tick, every participant's frame in
/// (`write`), `mix()`, every participant's frame out (`read`), 16-bit through the limiter.
/// With a codec, each participant also decodes one payload and encodes its mix-minus per tick
/// (the whole bridge a PBX runs), and the figure of merit is real-time participants per core:
/// 20 ms / (time per participant-tick).
struct MixBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix-bench",
        abstract: "Time the conference bridge (for Benchmarks/peers/mixer).",
        shouldDisplay: false
    )

    @Option(help: "Comma-separated participant counts.")
    var participants: String = "3,10,100,1000"

    @Option(help: "Bridge rate in Hz.")
    var rate: Int = 16_000

    @Option(help: "none (kernel only), pcmu, pcma, g722 or opus (complexity 5, 16 kHz).")
    var codec: String = "none"

    @Option(name: .customLong("top-k"), help: "Mix only the K loudest (default: everyone, as the C peer does).")
    var topK: Int?

    @Option(help: "Minimum seconds of timing per participant count.")
    var seconds: Double = 1

    @Option(help: "Run exactly this many timed ticks instead of --seconds (for perf stat / callgrind).")
    var ticks: Int?

    @Option(help: "A speech file to feed every participant (default: a synthetic signal).")
    var input: String?

    @Flag(name: .customLong("zero-copy"), help: "Decode into / encode from the bridge's own buffers (no frame copies).")
    var zeroCopy = false

    @Flag(help: "Encode once for all listeners who hear the full mix (SharedEncoderGroup); implies --zero-copy output.")
    var share = false

    @Option(help: "Participants that talk (the rest are idle microphones at about -60 dBFS); top-K defaults to this. Default: everyone.")
    var talkers: Int?

    @Flag(name: .customLong("no-talk-events"), help: "Bridge without talk events (BridgeConfiguration.detectsSpeakers off): the kernel alone, as the C peer has no speaker detection.")
    var noTalkEvents = false

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func run() throws {
        let counts = participants.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 && $0 <= 10_000 }) else {
            throw CLIError("mix-bench: bad --participants \(participants)")
        }
        guard let bridgeRate = SampleRate(validating: rate), SampleRate.telephonyRates.contains(bridgeRate) else {
            throw CLIError("mix-bench: bad rate \(rate)")
        }
        let f = FrameDuration.ms20.samples(at: bridgeRate)
        var source: [Int16]
        if let input {
            do {
                source = try Resampler.convertForBench(AudioFileReader.readMono(path: input), to: bridgeRate.hertz)
            } catch {
                throw CLIError("mix-bench: \(error)")
            }
        } else {
            source = (0..<(bridgeRate.hertz * 2)).map { i in
                let t = Double(i) / Double(bridgeRate.hertz)
                return Int16(1500 * sin(2 * .pi * 210 * t) + 700 * sin(2 * .pi * 1130 * t) + Double((i &* 7919) % 401 - 200))
            }
        }
        let frames = source.count / f
        guard frames > 0 else { throw CLIError("mix-bench: input shorter than one frame") }
        if let talkers, talkers < 0 { throw CLIError("mix-bench: bad --talkers \(talkers)") }
        if share && codec == "none" { throw CLIError("mix-bench: --share needs a codec") }
        let mode = share ? "shared" : "per-listener"
        for n in counts {
            let result = try measure(n: n, rate: bridgeRate, source: source, frames: frames)
            let perParticipant = result / Double(n)
            let perCore = 20_000_000.0 / perParticipant
            if json {
                print(
                    "{\"participants\": \(n), \"codec\": \"\(codec)\", \"encoding\": \"\(mode)\", \"talkers\": \(min(n, talkers ?? n)), \"talkEvents\": \(!noTalkEvents), \"nsPerTick\": \(Int(result)), \"nsPerParticipantTick\": \(Int(perParticipant)), \"participantsPerCore\": \(Int(perCore))}"
                )
            } else {
                print("N=\(n) codec=\(codec) encoding=\(mode) talkers=\(min(n, talkers ?? n)) talk-events=\(noTalkEvents ? "off" : "on") ns/tick=\(Int(result)) ns/participant-tick=\(Int(perParticipant)) real-time participants/core=\(Int(perCore))")
            }
        }
    }

    /// Mean nanoseconds per 20 ms tick for `n` participants.
    func measure(n: Int, rate: SampleRate, source: [Int16], frames: Int) throws -> Double {
        var config = BridgeConfiguration()
        config.sampleRate = rate
        config.maximumParticipants = n
        config.commandCapacity = max(config.commandCapacity, n + 16)  // every join is queued before the first tick
        let talking = min(n, talkers ?? n)
        config.topK = .always(k: max(1, topK ?? talking))
        config.detectsSpeakers = !noTalkEvents
        let bridge = MixMinusBridge(configuration: config)
        // Participants run at their codec's rate (G.711 is 8 kHz: resampled to and from the bridge).
        let participantRate = try codec == "none" ? rate : makeDecoder(rate: rate).descriptor.sampleRate
        let pf = FrameDuration.ms20.samples(at: participantRate)
        let participantSource =
            participantRate == rate ? source : try Resampler.convert(source, from: rate.hertz, to: participantRate.hertz)
        // Idle microphones: a faint noise (about -60 dBFS), below the speaker detector's onset.
        let idleSource = (0..<source.count).map { i in Int16((i &* 7919) % 61 - 30) }
        let participantIdle = Array(idleSource.prefix(participantSource.count))
        var ids: [ParticipantID] = []
        for i in 0..<n {
            do {
                ids.append(try bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: participantRate))
            } catch {
                throw CLIError("mix-bench: \(error)")
            }
        }
        bridge.applyPendingCommands()
        let pcmIn = UnsafeMutableBufferPointer<Int16>.allocate(capacity: pf)
        let pcmOut = UnsafeMutableBufferPointer<Int16>.allocate(capacity: pf)
        defer {
            pcmIn.deallocate()
            pcmOut.deallocate()
        }

        // Codec mode: every participant has its own encoder and decoder, and the payloads of
        // the source (encoded once, up front) play round-robin, offset per participant.
        var encoders: [any AudioEncoder] = []
        var decoders: [any AudioDecoder] = []
        var talkPayloads: [[UInt8]] = []
        var idlePayloads: [[UInt8]] = []
        var group: SharedEncoding?
        if codec != "none" {
            for _ in 0..<n {
                if !share { encoders.append(try makeEncoder(rate: rate)) }
                decoders.append(try makeDecoder(rate: rate))
            }
            talkPayloads = try encodeAll(participantSource, frames: frames, samples: pf, rate: rate)
            idlePayloads = try encodeAll(participantIdle, frames: frames, samples: pf, rate: rate)
            if share { group = try makeSharedEncoding(bridge: bridge, ids: ids, rate: rate) }
        }
        let payloads = (0..<n).map { $0 < talking ? talkPayloads : idlePayloads }
        var sentBytes = 0
        var payloadOut = [UInt8](repeating: 0, count: encoders.first?.maximumPayloadSize ?? 1)

        // Read the options once: an @Option getter is generic code, not for a timed loop.
        let kernelOnly = codec == "none"
        let direct = zeroCopy && participantRate == rate
        var inputs: [UnsafeMutableBufferPointer<Int16>] = []
        var outputs: [UnsafeBufferPointer<Int16>] = []
        if direct {
            for id in ids {
                guard let i = bridge.inputFrame(for: id), let o = bridge.outputFrame(for: id) else {
                    throw CLIError("mix-bench: zero-copy needs participants at the bridge rate")
                }
                inputs.append(i)
                outputs.append(o)
            }
        }
        // The kernel-only sources as plain pointers, each participant's as its own entry, so the
        // timed loop does what the C peer's does per participant (one frame copy), with no
        // array selection, slicing or bounds checks around it.
        let talkSamples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: source.count)
        let idleSamples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: idleSource.count)
        _ = talkSamples.initialize(from: source)
        _ = idleSamples.initialize(from: idleSource)
        defer {
            talkSamples.deallocate()
            idleSamples.deallocate()
        }
        let sourceOf = (0..<n).map { UnsafePointer(($0 < talking ? talkSamples : idleSamples).baseAddress!) }
        if kernelOnly {  // (participants then run at the bridge rate)
            return MixBenchCommand.timeKernel(
                bridge: bridge, ids: ids, inputs: direct ? inputs.map { $0.baseAddress! } : nil, sources: sourceOf,
                frames: frames, heard: pcmOut, ticks: self.ticks, seconds: seconds)
        }
        var tick = 0
        func oneTick() throws {
            for i in 0..<n {
                let k = (tick + i * 7) % frames
                if direct {
                    _ = bridge.inputFrame(for: ids[i])
                    _ = try payloads[i][k].withUnsafeBytes { p in try decoders[i].decode(p, into: inputs[i]) }
                } else {
                    _ = try payloads[i][k].withUnsafeBytes { p in try decoders[i].decode(p, into: pcmIn) }
                    _ = bridge.write(UnsafeBufferPointer(pcmIn), from: ids[i])
                }
            }
            bridge.mix()
            if let group {
                // One encode per distinct signal; every listener's payload is then ready to send.
                try group.encode()
                for i in 0..<n { sentBytes &+= group.payloadCount(ids[i]) }
                tick += 1
                return
            }
            for i in 0..<n {
                if direct {
                    _ = try payloadOut.withUnsafeMutableBytes { b in try encoders[i].encode(outputs[i], into: b) }
                } else {
                    _ = bridge.read(into: pcmOut, for: ids[i])
                    _ = try payloadOut.withUnsafeMutableBytes { b in
                        try encoders[i].encode(UnsafeBufferPointer(pcmOut), into: b)
                    }
                }
            }
            tick += 1
        }

        let minimumNanoseconds = seconds * 1e9
        for _ in 0..<20 { try oneTick() }
        var ticks = 0
        let start = MixBenchCommand.now()
        var elapsed = 0.0
        if let fixed = self.ticks {
            for _ in 0..<max(0, fixed) { try oneTick() }
            ticks = max(1, fixed)
            elapsed = MixBenchCommand.now() - start
        } else {
            repeat {
                for _ in 0..<10 { try oneTick() }
                ticks += 10
                elapsed = MixBenchCommand.now() - start
            } while elapsed < minimumNanoseconds
        }
        if sentBytes < 0 { print(sentBytes) }  // keeps the payload reads live
        return elapsed / Double(ticks)
    }

    /// The encoded frames of `pcm`, one payload per 20 ms frame.
    func encodeAll(_ pcm: [Int16], frames: Int, samples pf: Int, rate: SampleRate) throws -> [[UInt8]] {
        var enc = try makeEncoder(rate: rate)
        var buffer = [UInt8](repeating: 0, count: enc.maximumPayloadSize)
        var payloads: [[UInt8]] = []
        for k in 0..<frames {
            let size = try pcm.withUnsafeBufferPointer { s in
                try buffer.withUnsafeMutableBytes { b in
                    try enc.encode(UnsafeBufferPointer(rebasing: s[(k * pf)..<((k + 1) * pf)]), into: b)
                }
            }
            payloads.append(Array(buffer[0..<size]))
        }
        return payloads
    }

    /// A `SharedEncoderGroup` of the codec's concrete encoder type (no existential on the
    /// encode path), behind two closures: one call per tick and one per listener.
    func makeSharedEncoding(bridge: MixMinusBridge, ids: [ParticipantID], rate: SampleRate) throws -> SharedEncoding {
        func wrap<E: AudioEncoder>(
            _ make: @escaping () throws(CodecError) -> E, handover: @escaping (inout E, E) -> Void = { $0 = $1 }
        ) throws -> SharedEncoding {
            let group = try SharedEncoderGroup(bridge: bridge, makeEncoder: make, handover: handover)
            for id in ids { try group.add(id) }
            return SharedEncoding(
                encode: { () throws(CodecError) in try group.encode() },
                payloadCount: { group.payload(for: $0)?.count ?? 0 })
        }
        do {
            switch codec {
            case "g722": return try wrap({ G722Encoder() })
            case "pcmu": return try wrap({ PCMUEncoder() })
            case "pcma": return try wrap({ PCMAEncoder() })
            case "opus":
                let configuration = OpusEncoder.Configuration(sampleRate: rate, complexity: 5)
                // libopus state is private to TimbreOpus: a listener leaving the full mix
                // restarts its encoder (a short transient at the far end); it is not copied.
                return try wrap({ () throws(CodecError) in try OpusEncoder(configuration) }, handover: { own, _ in own.reset() })
            default: throw CLIError("mix-bench: --share does not know codec \(codec)")
            }
        } catch let error as CodecError {
            throw CLIError("mix-bench: \(error)")
        }
    }

    func makeEncoder(rate: SampleRate) throws -> any AudioEncoder {
        do {
            if codec == "opus" {
                return try OpusEncoder(OpusEncoder.Configuration(sampleRate: rate, complexity: 5))
            }
            guard let entry = MixBenchCommand.registry.entry(id: codec) else {
                throw CLIError("mix-bench: unknown codec \(codec)")
            }
            return try entry.makeEncoder(EncoderOptions())
        } catch let error as CodecError {
            throw CLIError("mix-bench: \(error)")
        }
    }

    func makeDecoder(rate: SampleRate) throws -> any AudioDecoder {
        do {
            if codec == "opus" { return try OpusDecoder(sampleRate: rate) }
            guard let entry = MixBenchCommand.registry.entry(id: codec) else {
                throw CLIError("mix-bench: unknown codec \(codec)")
            }
            return try entry.makeDecoder()
        } catch let error as CodecError {
            throw CLIError("mix-bench: \(error)")
        }
    }

    /// The Swift codecs (G.711, G.722); Opus is made directly above at complexity 5.
    static var registry: CodecRegistry { CodecRegistry.builtIn }

    /// Where copy mode's reads end up, so the optimiser cannot drop them (the C peer's `volatile sink`).
    nonisolated(unsafe) static var heardSink: Int16 = 0

    /// The kernel alone, its harness written as plainly as the C peer's tick macro. Zero-copy
    /// (`inputs` given): per participant the frame copy a decoder would make into the bridge
    /// (after `inputFrame`, which marks the frame written), then `mix()`. Copy mode (`inputs`
    /// nil): `write` each frame in, `mix()`, `read` each mix-minus out into `heard`, as the C
    /// peer's copy mode does. Mean nanoseconds per tick.
    static func timeKernel(
        bridge: MixMinusBridge, ids: [ParticipantID], inputs: [UnsafeMutablePointer<Int16>]?,
        sources: [UnsafePointer<Int16>], frames: Int, heard: UnsafeMutableBufferPointer<Int16>, ticks fixed: Int?,
        seconds: Double
    ) -> Double {
        let n = ids.count
        let f = bridge.frameSamples
        let direct = inputs != nil
        return ids.withUnsafeBufferPointer { ids in
            (inputs ?? []).withUnsafeBufferPointer { inputs in
                sources.withUnsafeBufferPointer { sources in
                    var tick = 0
                    var timed = 0
                    var start = 0.0
                    var elapsed = 0.0
                    var sink: Int16 = 0
                    // 20 warm-up ticks, then a fixed count or rounds of 10 until `seconds` have passed.
                    while true {
                        for i in 0..<n {
                            let frame = sources[i] + ((tick &+ i &* 7) % frames) &* f
                            if direct {
                                _ = bridge.inputFrame(for: ids[i])
                                inputs[i].update(from: frame, count: f)
                            } else {
                                _ = bridge.write(UnsafeBufferPointer(start: frame, count: f), from: ids[i])
                            }
                        }
                        bridge.mix()
                        if !direct {
                            for i in 0..<n {
                                _ = bridge.read(into: heard, for: ids[i])
                                sink &+= heard[i % f]
                            }
                        }
                        tick += 1
                        if tick == 20 { start = now() }
                        if tick <= 20 { continue }
                        timed += 1
                        if let fixed {
                            if timed >= fixed { break }
                        } else if timed % 10 == 0 {
                            elapsed = now() - start
                            if elapsed >= seconds * 1e9 { break }
                        }
                    }
                    if fixed != nil { elapsed = now() - start }
                    heardSink = sink  // keeps the reads live
                    return elapsed / Double(max(1, timed))
                }
            }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
    }
}

import TimbreDSP

/// The shared-encoding side of `mix-bench`, type-erased once per run.
struct SharedEncoding {
    let encode: () throws(CodecError) -> Void
    let payloadCount: (ParticipantID) -> Int
}

extension Resampler {
    static func convertForBench(_ file: (samples: [Int16], sampleRate: Int), to rate: Int) throws -> [Int16] {
        try Resampler.convert(file.samples, from: file.sampleRate, to: rate)
    }
}
