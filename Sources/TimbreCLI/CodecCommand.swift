import ArgumentParser
import TimbreCodecs

/// `timbre codec`: list, encode and decode with Timbre's codecs.
struct CodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "List codecs, encode WAV to codec payloads and decode them back.",
        subcommands: []
    )
}
