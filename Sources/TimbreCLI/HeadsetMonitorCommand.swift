import ArgumentParser
import TimbreHID
import TimbreHeadset

/// `timbre headset monitor`: prints call-control events as they happen, following hot-plug.
///
/// The monitor plays the host: events change its call state (answer → active…) and the headsets'
/// LEDs follow, so the whole loop can be tried with a real headset (`--host ringing`, then press the
/// call button).
struct HeadsetMonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Print headset call-control events as they happen (JSON lines with --json)."
    )

    @Option(name: .long, help: "Only this hidraw node (default: every headset, following hot-plug).")
    var device: String?

    @Flag(name: .long, help: "Print one JSON object per line.")
    var json = false

    @Option(name: .long, help: "Initial host call state: idle, ringing, active, held, waiting.")
    var host: String = "idle"

    @Option(name: .long, help: ArgumentHelp("Exit after this many call-control events (for tests).", visibility: .hidden))
    var maxEvents: Int?

    @Option(name: .long, help: ArgumentHelp("sysfs root (for tests).", visibility: .hidden))
    var sysfsRoot = "/sys"

    @Option(name: .long, help: ArgumentHelp("dev root (for tests).", visibility: .hidden))
    var devRoot = "/dev"

    func run() throws {
        guard let state = HostCallState(rawValue: host) else {
            throw CLIError("--host must be one of idle, ringing, active, held, waiting")
        }
        let monitor = HeadsetMonitor(
            discovery: HeadsetDiscovery(sysfsRoot: sysfsRoot, devRoot: devRoot), onlyDevice: device,
            host: HostState(call: state))
        var seen = 0
        for event in monitor.start() { print(event) }
        if monitor.openPaths.isEmpty, !json {
            HeadsetOutput.line("waiting for a headset (hot-plug is followed)…")
        }
        while maxEvents.map({ seen < $0 }) ?? true {
            for event in monitor.poll(timeoutMilliseconds: 1000) {
                print(event)
                if case .event = event { seen += 1 }
            }
        }

        func print(_ event: HeadsetMonitorEvent) {
            HeadsetOutput.line(json ? Self.json(event) : event.textLine)
        }
    }

    static func json(_ event: HeadsetMonitorEvent) -> String {
        switch event {
        case .attached(let path, let name, let vendor, let product):
            HeadsetJSON.object([
                ("attached", HeadsetJSON.string(path)), ("name", HeadsetJSON.string(name)), ("vendorId", "\(vendor)"),
                ("productId", "\(product)"),
            ])
        case .detached(let path):
            HeadsetJSON.object([("detached", HeadsetJSON.string(path))])
        case .event(let event, let path):
            HeadsetJSON.object([("event", HeadsetJSON.string(event.name)), ("device", HeadsetJSON.string(path))])
        case .wrote(let write, let path):
            HeadsetJSON.object([
                ("write", HeadsetJSON.string(HeadsetHex.string(write.bytes))), ("reportId", "\(write.reportID)"),
                ("leds", HeadsetJSON.object(write.indicators.map { ($0.control.name, $0.on ? "true" : "false") })),
                ("device", HeadsetJSON.string(path)),
            ])
        case .failed(let error):
            HeadsetJSON.object([("error", HeadsetJSON.string(error.description))])
        }
    }
}

extension HeadsetMonitorEvent {
    var textLine: String {
        switch self {
        case .attached(let path, let name, let vendor, let product):
            "attached \(path): \(name) [\(HeadsetListCommand.hex4(vendor)):\(HeadsetListCommand.hex4(product))]"
        case .detached(let path): "detached \(path)"
        case .event(let event, let path): "\(event.name)  (\(path))"
        case .wrote(let write, let path):
            "write \(HeadsetHex.string(write.bytes, separator: " ")) → \(path)  "
                + write.indicators.map { "\($0.control.name)=\($0.on ? "on" : "off")" }.joined(separator: " ")
        case .failed(let error): "error: \(error)"
        }
    }
}
