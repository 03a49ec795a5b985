import ArgumentParser

/// `timbre greeting`: validate, convert and store voicemail greetings for a PBX profile.
struct GreetingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeting",
        abstract: "Validate and convert voicemail greetings against PBX profiles (yeastar, 3cx).",
        subcommands: []
    )
}
