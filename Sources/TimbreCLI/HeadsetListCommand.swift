import ArgumentParser
import TimbreHID
import TimbreHeadset

/// `timbre headset list`: headsets with call control, grouped by physical device.
struct HeadsetListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List connected headsets with call control (hidraw nodes with a Telephony collection)."
    )

    @Flag(name: .long, help: "Print one JSON array.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("sysfs root (for tests).", visibility: .hidden))
    var sysfsRoot = "/sys"

    @Option(name: .long, help: ArgumentHelp("dev root (for tests).", visibility: .hidden))
    var devRoot = "/dev"

    func run() throws {
        let headsets = HeadsetDiscovery(sysfsRoot: sysfsRoot, devRoot: devRoot).headsets()
        if json {
            HeadsetOutput.line(HeadsetJSON.array(headsets.map(Self.json)))
            return
        }
        if headsets.isEmpty {
            HeadsetOutput.line("no headsets with call control found under \(sysfsRoot)/class/hidraw")
        }
        for headset in headsets {
            HeadsetOutput.line(
                "\(headset.productName) [\(Self.hex4(headset.vendorID)):\(Self.hex4(headset.productID))]")
            for node in headset.interfaces {
                guard case .success(let controls) = node.controls else { continue }
                let inputs = controls.inputs.filter(\.control.isListed).map(\.control.name)
                let outputs = controls.outputs.map(\.control.name)
                HeadsetOutput.line("  \(node.devicePath)  inputs: \(inputs.joined(separator: ",")) outputs: \(outputs.joined(separator: ","))")
            }
        }
    }

    static func json(_ headset: PhysicalHeadset) -> String {
        HeadsetJSON.object([
            ("name", HeadsetJSON.string(headset.productName)),
            ("vendorId", "\(headset.vendorID)"),
            ("productId", "\(headset.productID)"),
            (
                "interfaces",
                HeadsetJSON.array(
                    headset.interfaces.compactMap { node in
                        guard case .success(let controls) = node.controls else { return nil }
                        return HeadsetJSON.object([
                            ("path", HeadsetJSON.string(node.devicePath)),
                            ("hidraw", HeadsetJSON.string(node.name)),
                            ("physicalPath", HeadsetJSON.string(node.physicalPath)),
                            ("capabilities", HeadsetDecodeCommand.json(controls)),
                        ])
                    })
            ),
        ])
    }

    static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
