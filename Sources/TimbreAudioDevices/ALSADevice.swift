internal import CALSA

/// A PCM device alsa-lib advertises (`snd_device_name_hint`): its name for opening, a
/// human description, and whether it plays, captures or both.
public struct ALSADevice: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Hashable, Codable {
        case playback, capture, both
    }

    /// The name to pass to `ALSAPCM` / `timbre device --device`, e.g. `default`, `hw:CARD=PCH,DEV=0`.
    public var name: String
    /// alsa-lib's description (may span lines), or empty.
    public var description: String
    public var direction: Direction

    public init(name: String, description: String, direction: Direction) {
        self.name = name
        self.description = description
        self.direction = direction
    }

    /// Lists the PCM devices of all cards plus the configured virtual devices (`null`,
    /// `default`, ...). The corresponding alsa-lib calls are `snd_device_name_hint`,
    /// `snd_device_name_get_hint` and `snd_device_name_free_hint`. Bounded to 1024 entries.
    public static func list() throws(ALSAError) -> [ALSADevice] {
        ALSAError.silenceLibrary
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        let rc = snd_device_name_hint(-1, "pcm", &hints)
        guard rc >= 0, let list = hints else {
            throw .openFailed(device: "(device list)", code: rc, message: ALSAError.message(rc))
        }
        defer { snd_device_name_free_hint(list) }
        var devices: [ALSADevice] = []
        var i = 0
        while let hint = list[i], devices.count < 1024 {
            i += 1
            guard let name = take(snd_device_name_get_hint(hint, "NAME")) else { continue }
            let description = take(snd_device_name_get_hint(hint, "DESC")) ?? ""
            // IOID is absent for devices that do both, else "Input" or "Output".
            let direction: Direction
            switch take(snd_device_name_get_hint(hint, "IOID")) {
            case "Input": direction = .capture
            case "Output": direction = .playback
            default: direction = .both
            }
            devices.append(ALSADevice(name: name, description: description, direction: direction))
        }
        return devices
    }

    /// Copies and frees a string alsa-lib allocated.
    private static func take(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
