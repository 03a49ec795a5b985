import ArgumentParser
import TimbreHID

/// `timbre headset replay`: runs input reports and host state changes through the call-control state
/// machine and prints the events and output reports.
struct HeadsetReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay input reports through the call-control state machine; print events and LED writes.",
        discussion: """
            --reports FILE holds one input report per line as space-separated hex bytes (report ID
            first when the descriptor uses IDs), lines 'host: ringing|active|held|idle|waiting|mute on|mute off',
            and '#' comments.
            """
    )

    @OptionGroup var input: HeadsetDescriptorInput

    @Option(name: .long, help: "The script of input reports and host lines.")
    var reports: String

    @Flag(name: .long, help: "Print one JSON object per line.")
    var json = false

    func run() throws {
        let controls = try input.controls()
        let raw = try HeadsetFiles.read(reports, limit: 64 << 20)
        guard let text = String(validating: raw, as: UTF8.self) else { throw CLIError("\(reports) is not UTF-8 text") }
        let steps: [CallControlReplay.Step]
        do {
            steps = try CallControlReplay.parse(text)
        } catch {
            throw CLIError("\(reports): \(error)")
        }
        var replay = CallControlReplay(controls: controls)
        for step in steps {
            replay.run(step) { output in HeadsetOutput.line(json ? Self.json(output) : Self.text(output)) }
        }
    }

    static func json(_ output: CallControlReplay.Output) -> String {
        switch output {
        case .event(let event):
            return HeadsetJSON.object([("event", HeadsetJSON.string(event.name))])
        case .write(let write):
            return HeadsetJSON.object([
                ("write", HeadsetJSON.string(HeadsetHex.string(write.bytes))),
                ("reportId", "\(write.reportID)"),
                ("leds", HeadsetJSON.object(write.indicators.map { ($0.control.name, $0.on ? "true" : "false") })),
            ])
        }
    }

    static func text(_ output: CallControlReplay.Output) -> String {
        switch output {
        case .event(let event):
            return "event \(event.name)"
        case .write(let write):
            let leds = write.indicators.map { "\($0.control.name)=\($0.on ? "on" : "off")" }.joined(separator: " ")
            return "write \(HeadsetHex.string(write.bytes, separator: " "))  report \(write.reportID)  \(leds)"
        }
    }
}
