import TimbreHID

#if canImport(Glibc)
import Glibc
#endif

/// What the live path reports.
public enum HeadsetMonitorEvent: Sendable, Hashable, CustomStringConvertible {
    case attached(path: String, name: String, vendorID: UInt16, productID: UInt16)
    case detached(path: String)
    case event(CallControlEvent, path: String)
    case wrote(HeadsetCallControl.Write, path: String)
    /// A device could not be used (permission, I/O); the monitor keeps running and retries on the
    /// next hot-plug notification.
    case failed(HeadsetIOError)

    public var description: String {
        switch self {
        case .attached(let path, let name, let v, let p): "attached \(path) \(name) \(HidrawNode.hex4(v)):\(HidrawNode.hex4(p))"
        case .detached(let path): "detached \(path)"
        case .event(let event, let path): "event \(event.name) \(path)"
        case .wrote(let write, let path): "wrote \(write.bytes) \(path)"
        case .failed(let error): "error \(error)"
        }
    }
}

/// The live path: discovers headsets, follows hot-plug, reads input reports with `poll`, runs them
/// through the shared `CallControlHub` and writes the resulting output reports to every headset.
///
/// Single-threaded: call `start()` once, then `poll(timeoutMilliseconds:)` in a loop. Plug, unplug
/// and re-plug mid-call are handled without a restart: a (re)attached headset gets the idle state then
/// the current call state written in full.
public final class HeadsetMonitor {
    public let discovery: HeadsetDiscovery
    /// Only this node (`--device PATH`), or every telephony node when nil.
    public let onlyDevice: String?
    public private(set) var hub: CallControlHub
    let quirks: [HeadsetQuirk]
    var open: [OpenHeadset] = []
    /// Paths that failed to open, with the error last reported (reported again only when it changes).
    var failures: [String: HeadsetIOError] = [:]
    var watcher: HotplugWatcher?

    struct OpenHeadset {
        var node: HidrawNode
        var device: HidrawDevice
        var buffer: [UInt8]
    }

    public init(
        discovery: HeadsetDiscovery = HeadsetDiscovery(), onlyDevice: String? = nil, host: HostState = HostState(),
        quirks: [HeadsetQuirk] = HeadsetQuirks.table
    ) {
        self.discovery = discovery
        self.onlyDevice = onlyDevice
        self.hub = CallControlHub(host: host)
        self.quirks = quirks
    }

    /// Paths of the headsets currently open.
    public var openPaths: [String] { open.map(\.node.devicePath) }

    /// Starts watching for hot-plug and opens the headsets present.
    public func start() -> [HeadsetMonitorEvent] {
        var events: [HeadsetMonitorEvent] = []
        do {
            watcher = try HotplugWatcher(directories: [discovery.devRoot, discovery.classDirectory])
        } catch {
            events.append(.failed(error))
        }
        rescan(&events)
        return events
    }

    /// Changes the host state (a call arrives, the UI answers…) and writes the headsets' new LEDs.
    public func setHost(_ state: HostState) -> [HeadsetMonitorEvent] {
        hub.setHost(state)
        var events: [HeadsetMonitorEvent] = []
        flushWrites(&events)
        return events
    }

    /// Waits up to `timeoutMilliseconds` for input or hot-plug, then handles everything pending.
    public func poll(timeoutMilliseconds: Int32) -> [HeadsetMonitorEvent] {
        var fds: [pollfd] = []
        if let watcher { fds.append(pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
        let base = fds.count
        for headset in open { fds.append(pollfd(fd: headset.device.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
        let ready = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds) }
        var events: [HeadsetMonitorEvent] = []
        guard ready > 0 else { return events }
        // Devices first (their fds are indexed by position), then hot-plug.
        var gone: [String] = []
        for (i, entry) in fds.enumerated().dropFirst(base) where entry.revents != 0 {
            let path = open[i - base].node.devicePath
            if Int32(entry.revents) & Int32(POLLIN) != 0 {
                if !drain(index: i - base, &events) { gone.append(path) }
            } else if Int32(entry.revents) & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 {
                gone.append(path)
            }
        }
        for path in gone { detach(path: path, &events) }
        flushWrites(&events)
        if base == 1, fds[0].revents != 0 {
            _ = watcher?.drain()
            rescan(&events)
        }
        return events
    }

    /// Reads every pending report of headset `index`; false when the device is gone.
    func drain(index: Int, _ events: inout [HeadsetMonitorEvent]) -> Bool {
        let device = open[index].device
        let path = open[index].node.devicePath
        while true {
            let count: Int?
            let result = open[index].buffer.withUnsafeMutableBytes { raw in
                Result { () throws(HeadsetIOError) -> Int? in try device.read(into: raw) }
            }
            switch result {
            case .success(let n): count = n
            case .failure(let error):
                if case .deviceGone = error { return false }
                events.append(.failed(error))
                return false
            }
            guard let count else { return true }
            let now = Self.monotonicNanoseconds()
            let controls = hub.headsets[index].controls
            open[index].buffer.withUnsafeBytes { raw in
                // hidraw delivers one report per read; a stand-in stream may deliver several, which are
                // split at their declared lengths.
                var offset = 0
                while offset < count {
                    let id = controls.usesReportIDs ? Int(raw[offset]) : 0
                    var length = controls.inputReportLengths[id]
                    if length == 0 || length > count - offset { length = count - offset }
                    let report = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                    for event in hub.handleInput(from: index, report, at: now) { events.append(.event(event, path: path)) }
                    offset += length
                }
            }
            flushWrites(&events)
        }
    }

    func flushWrites(_ events: inout [HeadsetMonitorEvent]) {
        var broken: [String] = []
        for (index, write) in hub.pendingWrites() {
            let headset = open[index]
            do {
                try headset.device.write(write.bytes)
                events.append(.wrote(write, path: headset.node.devicePath))
            } catch {
                if case .deviceGone = error {
                    broken.append(headset.node.devicePath)
                } else {
                    events.append(.failed(error))
                }
            }
        }
        for path in broken { detach(path: path, &events) }
    }

    /// Compares sysfs and /dev with what is open: attaches new headsets, detaches vanished ones.
    func rescan(_ events: inout [HeadsetMonitorEvent]) {
        for headset in open where !HeadsetDiscovery.exists(headset.node.devicePath) {
            detach(path: headset.node.devicePath, &events)
        }
        for node in candidates(&events) where !open.contains(where: { $0.node.devicePath == node.devicePath }) {
            guard HeadsetDiscovery.exists(node.devicePath) else { continue }
            attach(node, &events)
        }
    }

    func candidates(_ events: inout [HeadsetMonitorEvent]) -> [HidrawNode] {
        guard let onlyDevice else { return discovery.nodes().filter(\.isTelephony) }
        let name = String(onlyDevice.split(separator: "/").last ?? "")
        if var node = discovery.node(named: name) {
            node.devicePath = onlyDevice
            return [node]
        }
        // No sysfs entry: ask the node itself.
        guard HeadsetDiscovery.exists(onlyDevice) else { return [] }
        do {
            let device = try HidrawDevice(path: onlyDevice)
            defer { device.close() }
            let descriptor = try device.reportDescriptor()
            let info = try? device.info()
            return [
                HidrawNode(
                    name: name, devicePath: onlyDevice, busType: UInt16(truncatingIfNeeded: info?.bus ?? 0),
                    vendorID: info?.vendorID ?? 0, productID: info?.productID ?? 0, productName: name, physicalPath: "",
                    serial: "", descriptor: descriptor,
                    controls: Result { () throws(HIDDescriptorError) in try TelephonyControls(descriptor: descriptor) })
            ]
        } catch {
            report(error, for: onlyDevice, &events)
            return []
        }
    }

    func attach(_ node: HidrawNode, _ events: inout [HeadsetMonitorEvent]) {
        guard case .success(let controls) = node.controls else { return }
        let device: HidrawDevice
        do {
            device = try HidrawDevice(path: node.devicePath)
        } catch {
            report(error, for: node.devicePath, &events)
            return
        }
        failures[node.devicePath] = nil
        // Host duties on open: standard-mode feature reports (Jabra), then idle + current state.
        for feature in controls.openFeatureReports { try? device.setFeature(feature) }
        let policy = CallControlPolicy(vendorID: node.vendorID, productID: node.productID, quirks: quirks)
        open.append(OpenHeadset(node: node, device: device, buffer: [UInt8](repeating: 0, count: max(64, controls.maxInputReportLength))))
        _ = hub.add(HeadsetCallControl(controls: controls, policy: policy))
        events.append(.attached(path: node.devicePath, name: node.productName, vendorID: node.vendorID, productID: node.productID))
        flushWrites(&events)
    }

    func report(_ error: HeadsetIOError, for path: String, _ events: inout [HeadsetMonitorEvent]) {
        guard failures[path] != error else { return }
        failures[path] = error
        events.append(.failed(error))
    }

    func detach(path: String, _ events: inout [HeadsetMonitorEvent]) {
        guard let index = open.firstIndex(where: { $0.node.devicePath == path }) else { return }
        open[index].device.close()
        open.remove(at: index)
        hub.remove(at: index)
        events.append(.detached(path: path))
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
