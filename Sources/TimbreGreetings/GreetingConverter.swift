import CSndFile
import Foundation
import TimbreAudioFile
import TimbreDSP

/// Turns any audio libsndfile reads (WAV of any encoding, MP3, FLAC, Ogg, raw GSM 06.10) into a
/// greeting a profile accepts: downmix to mono, resample with libsamplerate's best converter
/// (after an integer decimation of our own that leaves its result unchanged, see `CascadeResampler`),
/// optionally normalise to a P.56 active speech level and trim leading/trailing silence, encode
/// (WAV PCM16 / A-law / u-law, or raw GSM 06.10), validate, and only then move it into place.
///
/// Decoding and the first, integer decimation stream in fixed chunks; the decimated signal (a few
/// kHz above the output rate) and the result are held in memory, capped at `maximumSeconds`.
public struct GreetingConverter: Sendable {
    public struct Options: Sendable {
        public var profile: GreetingProfile
        /// Output encoding; `nil` takes the profile's first format.
        public var encoding: GreetingEncoding?
        /// Target active speech level in dBov when normalising (`nil`: keep the level).
        public var normalizeTo: Double?
        public var trimSilence: Bool
        /// libsamplerate converter; `.best` (SRC_SINC_BEST_QUALITY) unless speed matters more
        /// than the last dB of stop-band rejection (see Benchmarks/peers/greetings).
        public var resampler: ResamplerQuality

        public init(
            profile: GreetingProfile = .yeastar, encoding: GreetingEncoding? = nil, normalizeTo: Double? = nil,
            trimSilence: Bool = false, resampler: ResamplerQuality = .best
        ) {
            self.profile = profile
            self.encoding = encoding
            self.normalizeTo = normalizeTo
            self.trimSilence = trimSilence
            self.resampler = resampler
        }
    }

    /// libsamplerate's sinc converters: best (145 dB SNR, 97 % bandwidth), medium (121 dB, 90 %),
    /// fastest (97 dB, 80 %), per libsamplerate's documentation.
    public enum ResamplerQuality: String, Sendable, CaseIterable {
        case best, medium, fastest

        var dsp: Resampler.Quality {
            switch self {
            case .best: .best
            case .medium: .medium
            case .fastest: .fastest
            }
        }
    }

    public struct Result: Sendable {
        public var report: GreetingReport
        /// Active speech level of the output, dBov.
        public var activeLevelDB: Double
        /// Gain applied by normalisation, dB (0 without it).
        public var gainDB: Double
        public var trimmedSeconds: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadableInput(String)
        case tooLong(seconds: Int)
        case unsupportedOutput(String)
        case writeFailed(String)
        /// The produced file did not pass the profile (a bug or an impossible request); nothing was written to OUT.
        case outputInvalid(GreetingReport)

        public var description: String {
            switch self {
            case .unreadableInput(let s): "cannot read input: \(s)"
            case .tooLong(let s): "input is longer than \(s) seconds"
            case .unsupportedOutput(let s): s
            case .writeFailed(let s): "cannot write output: \(s)"
            case .outputInvalid(let r): "converted file fails profile \(r.profile): \(r.problems.map(\.description).joined(separator: "; "))"
            }
        }
    }

    public static let maximumSeconds = 600
    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func convert(input: String, output: String) throws(Failure) -> Result {
        let profile = options.profile
        let encoding = options.encoding ?? profile.formats.first?.encoding ?? .pcm16
        guard let rule = profile.formats.first(where: { $0.encoding == encoding && ($0.container == .wav || $0.container == .gsm) }) else {
            throw .unsupportedOutput("profile \(profile.name) does not accept \(encoding.rawValue) output")
        }
        let rate = rule.sampleRate ?? 8000
        let ext = GreetingValidator.fileExtension(of: output).lowercased()
        guard GreetingContainer(fileExtension: ext) == rule.container else {
            throw .unsupportedOutput("output name must end in .\(rule.container.rawValue) for \(encoding.rawValue)")
        }
        var mono = try decodeMono(input: input, outputRate: rate)
        var trimmed = 0.0
        if options.trimSilence {
            let before = mono.count
            mono = Self.trimSilence(mono, sampleRate: rate)
            trimmed = Double(before - mono.count) / Double(rate)
        }
        var gain = 0.0
        if let target = options.normalizeTo {
            let level = mono.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: rate) }
            if level.levelDB.isFinite {
                gain = target - level.levelDB
                // Never push peaks past full scale: cap the gain instead of clipping.
                let peak = mono.reduce(Float(0)) { max($0, abs($1)) }
                if peak > 0 { gain = min(gain, 20 * log10(0.999 / Double(peak))) }
                let k = Float(pow(10, gain / 20))
                for i in mono.indices { mono[i] *= k }
            }
        }
        let outLevel = mono.withUnsafeBufferPointer { ActiveSpeechLevel.measure($0, sampleRate: rate) }.levelDB
        let format: AudioFileFormat = switch encoding {
            case .alaw: .wavALaw
            case .ulaw: .wavULaw
            case .gsm610: .rawGSM
            default: .wavPCM16
        }
        let dir = (output as NSString).deletingLastPathComponent
        let name = (output as NSString).lastPathComponent
        let tmp = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).\(ext)"
        do {
            let w = try AudioFileWriter(path: tmp, format: format, sampleRate: rate, channels: 1)
            try mono.withUnsafeBufferPointer { (b) throws(AudioFileError) in try w.write(b) }
            try w.close()
        } catch {
            unlink(tmp)
            throw .writeFailed(error.description)
        }
        let report: GreetingReport
        do {
            report = try GreetingValidator(profile: profile).validate(path: tmp)
        } catch {
            unlink(tmp)
            throw .writeFailed(error.description)
        }
        guard report.valid else {
            unlink(tmp)
            throw .outputInvalid(report)
        }
        guard rename(tmp, output) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw .writeFailed("\(output): \(why)")
        }
        var final = report
        final.file = output
        return Result(report: final, activeLevelDB: outLevel, gainDB: gain, trimmedSeconds: trimmed)
    }

    /// Decodes, downmixes and resamples to `outputRate`, chunk by chunk.
    func decodeMono(input: String, outputRate: Int) throws(Failure) -> [Float] {
        let source: SoundFileSource
        do {
            let (prefix, size) = try GreetingValidator.readBounded(path: input, limit: 0)
            let isGSM = prefix.withUnsafeBytes { GreetingValidator.sniff($0, fileSize: size) } == .gsm
            source = try SoundFileSource(path: input, rawGSM: isGSM)
        } catch let e as GreetingValidator.Error {
            throw .unreadableInput(e.description)
        } catch let e as SoundFileSource.OpenError {
            throw .unreadableInput("\(input): \(GreetingValidator.describe(e))")
        } catch {
            throw .unreadableInput("\(error)")
        }
        // Large reads: libsndfile's per-call overhead and the resampler's per-call set-up are paid
        // once per 16,384 frames; every buffer is allocated once, before the loop.
        let chunk = 16384
        let channels = source.channels
        let interleaved = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunk * channels)
        defer { interleaved.deallocate() }
        let mono = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunk)
        defer { mono.deallocate() }
        // Stage 1 (our decimator, streaming) keeps the signal at a few kHz above the output rate;
        // the last stage (libsamplerate) then runs once over all of it, in lanes (see
        // `CascadeResampler.finalStage`).
        let limit = Self.maximumSeconds * outputRate
        let decimator: PolyphaseDecimator?
        do {
            decimator = source.sampleRate == outputRate ? nil
                : try CascadeResampler.firstStage(inputRate: source.sampleRate, outputRate: outputRate, maximumInputFrames: chunk)
        } catch {
            throw .unreadableInput("cannot resample \(source.sampleRate) Hz: \(error)")
        }
        let factor = decimator?.factor ?? 1
        let stageLimit = Self.maximumSeconds * source.sampleRate / factor + 1
        var stage: [Float] = []
        if source.frames > 0 { stage.reserveCapacity(min(stageLimit, Int(source.frames) / factor) + 64) }
        let decimated = UnsafeMutableBufferPointer<Float>.allocate(capacity: decimator?.maximumOutputFrames ?? 0)
        defer { decimated.deallocate() }
        var inputFrames = 0
        var done = false
        while !done {
            let frames = max(0, source.read(into: interleaved.baseAddress!, capacity: chunk * channels))
            done = frames == 0
            inputFrames += frames
            // Downmix first: every later stage then runs on one channel.
            Self.downmix(UnsafeBufferPointer(interleaved), channels: channels, frames: frames, into: mono)
            let block = UnsafeBufferPointer(rebasing: mono[0..<frames])
            if let decimator {
                do {
                    let n = try decimator.process(block, into: decimated, endOfInput: done)
                    stage.append(contentsOf: UnsafeBufferPointer(rebasing: decimated[0..<n]))
                } catch { throw .unreadableInput("resampling failed: \(error)") }
            } else {
                stage.append(contentsOf: block)
            }
            if stage.count > stageLimit { throw .tooLong(seconds: Self.maximumSeconds) }
        }
        var out: [Float]
        if source.sampleRate == outputRate {
            out = stage
        } else {
            do {
                // libsamplerate sees the ratio R / (fs / D) as (R·D) / fs.
                out = try CascadeResampler.finalStage(stage, inputRate: source.sampleRate, outputRate: outputRate * factor, quality: options.resampler.dsp)
            } catch { throw .unreadableInput("resampling failed: \(error)") }
            // The length libsamplerate alone gives: round(frames × R / fs).
            let expected = Int((Double(inputFrames) * Double(outputRate) / Double(source.sampleRate)).rounded())
            if out.count > expected { out.removeLast(out.count - expected) }
        }
        if out.count > limit { throw .tooLong(seconds: Self.maximumSeconds) }
        if out.isEmpty { throw .unreadableInput("\(input): no audio") }
        return out
    }

    /// Averages the channels of `frames` interleaved frames into `mono` (mono and stereo, the
    /// usual inputs, without the general loop).
    static func downmix(_ x: UnsafeBufferPointer<Float>, channels: Int, frames: Int, into mono: UnsafeMutableBufferPointer<Float>) {
        switch channels {
        case 1:
            for i in 0..<frames { mono[i] = x[i] }
        case 2:
            for i in 0..<frames { mono[i] = (x[2 * i] + x[2 * i + 1]) * 0.5 }
        default:
            let scale = 1 / Float(channels)
            for i in 0..<frames {
                var s: Float = 0
                for c in 0..<channels { s += x[i * channels + c] }
                mono[i] = s * scale
            }
        }
    }

    /// Cuts leading and trailing silence: 10 ms blocks quieter than both −55 dBFS and 40 dB
    /// below the loudest block are silence; 50 ms of it is kept either side so words are not clipped.
    static func trimSilence(_ x: [Float], sampleRate: Int) -> [Float] {
        let block = sampleRate / 100
        let blocks = x.count / block
        guard blocks > 0 else { return x }
        var energy = [Float](repeating: 0, count: blocks)
        for b in 0..<blocks {
            var e: Float = 0
            for i in b * block..<(b + 1) * block { e += x[i] * x[i] }
            energy[b] = e / Float(block)
        }
        let loudest = energy.max() ?? 0
        let threshold = max(pow(10, -55 / 10) as Float, loudest * pow(10, -40 / 10))
        guard let first = energy.firstIndex(where: { $0 > threshold }), let last = energy.lastIndex(where: { $0 > threshold }) else {
            return x  // all silence: leave it (the validator will warn)
        }
        let margin = 5
        let start = max(0, first - margin) * block
        let end = min(x.count, (last + 1 + margin) * block)
        return Array(x[start..<end])
    }
}
