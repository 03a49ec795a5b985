import ArgumentParser
import TimbreHID

/// `timbre headset decode`: a descriptor's call-control capabilities.
struct HeadsetDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print the telephony inputs and LED outputs of a report descriptor, with report IDs and bit positions."
    )

    @OptionGroup var input: HeadsetDescriptorInput

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let controls = try input.controls()
        if json {
            HeadsetOutput.line(Self.json(controls))
        } else {
            for line in Self.text(controls) { HeadsetOutput.line(line) }
        }
    }

    /// `{"usesReportIds": bool, "inputs": [FIELD...], "outputs": [FIELD...]}`.
    static func json(_ controls: TelephonyControls) -> String {
        let inputs = controls.inputs.filter(\.control.isListed).map {
            field($0.control.name, $0.control.usage, $0.reportID, $0.bitOffset, $0.bitSize, $0.absolute)
        }
        let outputs = controls.outputs.map {
            field($0.control.name, $0.control.usage, $0.reportID, $0.bitOffset, $0.bitSize, $0.absolute)
        }
        return HeadsetJSON.object([
            ("usesReportIds", controls.usesReportIDs ? "true" : "false"),
            ("inputs", HeadsetJSON.array(inputs)),
            ("outputs", HeadsetJSON.array(outputs)),
        ])
    }

    static func field(_ name: String, _ usage: HIDUsage, _ reportID: UInt8, _ bit: Int, _ size: Int, _ absolute: Bool) -> String {
        HeadsetJSON.object([
            ("control", HeadsetJSON.string(name)),
            ("usagePage", "\(usage.page)"),
            ("usage", "\(usage.id)"),
            ("reportId", "\(reportID)"),
            ("bitOffset", "\(bit)"),
            ("bitSize", "\(size)"),
            ("absolute", absolute ? "true" : "false"),
        ])
    }

    static func text(_ controls: TelephonyControls) -> [String] {
        var lines: [String] = []
        lines.append("report IDs: \(controls.usesReportIDs ? "yes" : "no")")
        if !controls.hasTelephonyCollection { lines.append("no Telephony application collection: not a call-control device") }
        lines.append("inputs:")
        for input in controls.inputs where input.control.isListed {
            lines.append(
                "  \(pad(input.control.name, 20)) \(input.control.usage)  report \(input.reportID)  bit \(input.bitOffset)"
                    + (input.bitSize == 1 ? "" : " (\(input.bitSize) bits)") + (input.absolute ? "  absolute" : "  relative"))
        }
        lines.append("outputs:")
        for output in controls.outputs {
            lines.append(
                "  \(pad(output.control.name, 20)) \(output.control.usage)  report \(output.reportID)  bit \(output.bitOffset)")
        }
        for report in controls.outputReports {
            lines.append("output report \(report.reportID): \(report.length) bytes on the wire")
        }
        return lines
    }

    static func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
}
