import CSndFile
import Foundation
import TimbreAudioFile
import TimbreDSP

/// Turns any audio libsndfile reads (WAV of any encoding, MP3, FLAC, Ogg, raw GSM 06.10) into a
/// greeting a profile accepts: downmix to mono, resample with libsamplerate's best converter,
/// optionally normalise to a P.56 active speech level and trim leading/trailing silence, encode
/// (WAV PCM16 / A-law / u-law, or raw GSM 06.10), validate, and only then move it into place.
///
/// Decoding streams in fixed chunks; only the 8 kHz mono result is held in memory, capped at
/// `maximumSeconds`.
public struct GreetingConverter: Sendable {
    public struct Options: Sendable {
        public var profile: GreetingProfile
        /// Output encoding; `nil` takes the profile's first format.
        public var encoding: GreetingEncoding?
        /// Target active speech level in dBov when normalising (`nil`: keep the level).
        public var normalizeTo: Double?
        public var trimSilence: Bool

        public init(profile: GreetingProfile = .yeastar, encoding: GreetingEncoding? = nil, normalizeTo: Double? = nil, trimSilence: Bool = false) {
            self.profile = profile
            self.encoding = encoding
            self.normalizeTo = normalizeTo
            self.trimSilence = trimSilence
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
        let chunk = 4096
        let channels = source.channels
        let interleaved = UnsafeMutablePointer<Float>.allocate(capacity: chunk * channels)
        defer { interleaved.deallocate() }
        var monoChunk = [Float](repeating: 0, count: chunk)
        var out: [Float] = []
        let limit = Self.maximumSeconds * outputRate
        let resampler: Resampler?
        do {
            resampler = source.sampleRate == outputRate ? nil
                : try Resampler(inputRate: source.sampleRate, outputRate: outputRate, channels: 1, quality: .best, maximumInputFrames: chunk)
        } catch {
            throw .unreadableInput("cannot resample \(source.sampleRate) Hz: \(error)")
        }
        var resampled = [Float](repeating: 0, count: (resampler?.maximumOutputFrames ?? chunk) + 16)
        var done = false
        while !done {
            let n = source.read(into: interleaved, capacity: chunk * channels)
            done = n <= 0
            let frames = max(0, n)
            let scale = 1 / Float(channels)
            for i in 0..<frames {
                var s: Float = 0
                for c in 0..<channels { s += interleaved[i * channels + c] }
                monoChunk[i] = s * scale
            }
            if let resampler {
                var offset = 0
                repeat {
                    let (consumed, produced): (Int, Int)
                    do {
                        (consumed, produced) = try monoChunk.withUnsafeBufferPointer { inb in
                            try resampled.withUnsafeMutableBufferPointer { outb in
                                try resampler.process(UnsafeBufferPointer(rebasing: inb[offset..<frames]), into: outb, endOfInput: done)
                            }
                        }
                    } catch { throw .unreadableInput("resampling failed: \(error)") }
                    offset += consumed
                    out.append(contentsOf: resampled[0..<produced])
                    if consumed == 0 && produced == 0 { break }
                } while offset < frames || (done && outputPending(resampler, &resampled, &out))
            } else {
                out.append(contentsOf: monoChunk[0..<frames])
            }
            if out.count > limit { throw .tooLong(seconds: Self.maximumSeconds) }
        }
        if out.isEmpty { throw .unreadableInput("\(input): no audio") }
        return out
    }

    /// After end of input, drains the resampler's tail; false when it is empty.
    private func outputPending(_ r: Resampler, _ buffer: inout [Float], _ out: inout [Float]) -> Bool {
        let produced: Int
        do {
            produced = try buffer.withUnsafeMutableBufferPointer { outb in
                try r.process(UnsafeBufferPointer(start: nil, count: 0), into: outb, endOfInput: true).produced
            }
        } catch { return false }
        out.append(contentsOf: buffer[0..<produced])
        return produced > 0
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
