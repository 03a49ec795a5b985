import ArgumentParser

/// The `timbre` command: codec, network-simulation, echo, mixing, greeting, recording, headset
/// and load tools. Each subcommand lives in its own file, named after it.
public struct TimbreCommand: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "timbre",
        abstract: "Timbre — telephony audio engine tools.",
        discussion: """
            Examples:
              timbre codec list --json
              timbre codec encode --codec g722 speech.wav speech.g722
              timbre codec decode --codec pcmu speech.ul speech.wav
              timbre bench --seconds 2
            """,
        version: version,
        subcommands: [
            CodecCommand.self,
            GreetingCommand.self,
            RecordingCommand.self,
            MixCommand.self,
            MixBenchCommand.self,
            HeadsetCommand.self,
            BenchCommand.self,
            DemoCommand.self,
            AECCommand.self,
            DeviceCommand.self,
            NetsimCommand.self,
            LoadCommand.self,
        ]
    )

    public init() {}
}
