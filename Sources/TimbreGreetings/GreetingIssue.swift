/// One finding about a greeting: a stable machine code and a plain sentence for people.
///
/// Codes never change meaning once published (PBX admin UIs and scripts match on them); the
/// message may be reworded.
public struct GreetingIssue: Sendable, Codable, Equatable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Stable codes. Problems make a file invalid; warnings (`silentAudio`, `clippedAudio`) don't.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case fileEmpty = "file-empty"
        case fileTooLarge = "file-too-large"
        case unrecognisedContent = "unrecognised-content"
        case unsupportedFileType = "unsupported-file-type"
        case extensionMismatch = "extension-mismatch"
        case unsupportedEncoding = "unsupported-encoding"
        case unsupportedSampleRate = "unsupported-sample-rate"
        case unsupportedChannels = "unsupported-channels"
        case unsupportedBitsPerSample = "unsupported-bits-per-sample"
        case truncatedHeader = "truncated-header"
        case invalidFormatChunk = "invalid-format-chunk"
        case missingFormatChunk = "missing-format-chunk"
        case missingDataChunk = "missing-data-chunk"
        case dataChunkExceedsFile = "data-chunk-exceeds-file"
        case emptyAudio = "empty-audio"
        case gsmPartialFrame = "gsm-partial-frame"
        case gsmBadFrameSignature = "gsm-bad-frame-signature"
        case undecodableAudio = "undecodable-audio"
        // Warnings.
        case silentAudio = "silent-audio"
        case clippedAudio = "clipped-audio"
    }
}
