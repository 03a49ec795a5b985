import ArgumentParser

/// `timbre headset`: USB headset call control through /dev/hidraw.
struct HeadsetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headset",
        abstract: "USB headset call control: list headsets, monitor their buttons, decode and replay descriptors.",
        discussion: """
            Headsets are found through /sys/class/hidraw and opened as /dev/hidrawN. Access needs the
            udev rule Sources/TimbreHeadset/udev/70-timbre-headsets.rules (see README).
            Examples:
              timbre headset list --json
              timbre headset monitor --json
              timbre headset decode --file /sys/class/hidraw/hidraw3/device/report_descriptor
              timbre headset replay --descriptor "05 0b 09 05 ..." --reports presses.txt --json
            """,
        subcommands: [
            HeadsetListCommand.self, HeadsetMonitorCommand.self, HeadsetDecodeCommand.self, HeadsetReplayCommand.self,
        ]
    )
}
