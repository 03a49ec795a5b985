/// Several headsets sharing one host call state, kept consistent: an event from any headset changes
/// the host state, and every headset's LEDs follow it.
public struct CallControlHub: Sendable {
    public var host: HostState
    public private(set) var headsets: [HeadsetCallControl] = []

    public init(host: HostState = HostState()) {
        self.host = host
    }

    /// Adds a headset (plug-in); returns its index. Its outputs are invalidated so the next
    /// `pendingWrites` writes the current state in full.
    public mutating func add(_ headset: HeadsetCallControl) -> Int {
        var headset = headset
        headset.invalidateOutputs()
        headsets.append(headset)
        return headsets.count - 1
    }

    /// Removes a headset (unplug). Indices after it shift down.
    public mutating func remove(at index: Int) {
        headsets.remove(at: index)
    }

    /// An input report from headset `index`.
    public mutating func handleInput(from index: Int, _ report: UnsafeRawBufferPointer, at now: UInt64) -> CallControlEventList {
        headsets[index].handleInput(report, at: now, host: &host)
    }

    /// Sets the host state from the host side (a call arrives, the UI answers…).
    public mutating func setHost(_ state: HostState) {
        host = state
    }

    /// Writes every headset needs for the current host state: (headset index, write).
    public mutating func pendingWrites() -> [(headset: Int, write: HeadsetCallControl.Write)] {
        var result: [(headset: Int, write: HeadsetCallControl.Write)] = []
        for index in headsets.indices {
            for write in headsets[index].pendingWrites(for: host) { result.append((index, write)) }
        }
        return result
    }
}
