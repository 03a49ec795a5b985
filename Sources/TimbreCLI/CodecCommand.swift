import ArgumentParser
import TimbreCodecs
import TimbreOpus

/// `timbre codec`: list, encode and decode with Timbre's codecs.
struct CodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "List codecs, encode WAV to codec payloads and decode them back.",
        discussion: """
            Examples:
              timbre codec list --json
              timbre codec encode --codec opus --bitrate 24000 speech.wav speech.opus
              timbre codec decode --codec g722 --mode 2 speech.g722 speech.wav
            """,
        subcommands: [List.self, Encode.self, Decode.self]
    )

    /// The codecs the CLI knows.
    static var registry: CodecRegistry { .standard }

    /// The registry entry for `--codec`, or a one-line error naming the known ids.
    static func entry(_ id: String) throws -> CodecRegistry.Entry {
        guard let entry = registry.entry(id: id) else {
            throw CLIError("unknown codec '\(id)' (known: \(registry.descriptors.map(\.id).joined(separator: ", ")))")
        }
        return entry
    }
}
