import Foundation
import TimbreHID

/// The real descriptors under `Descriptors/` (copied from the shared HID reference: facts about devices).
enum DescriptorFixtures {
    static let names = [
        "jabra-evolve-link-ms", "yealink-wh66", "epos-impact-d1", "plantronics-blackwire-c5220",
        "jlab-realtek-teams-headset-firmware", "logitech-h540",
    ]

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Descriptors") else {
            throw FixtureError.missing(name)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    static func controls(_ name: String) throws -> TelephonyControls {
        try TelephonyControls(descriptor: bytes(name))
    }

    enum FixtureError: Error { case missing(String) }
}

/// Bytes from hex text ("05 0b 09 05").
func hex(_ text: String) -> [UInt8] {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
}
