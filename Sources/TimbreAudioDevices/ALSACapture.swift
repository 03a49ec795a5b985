/// Captures from an ALSA device on a dedicated thread, handing each period to a callback.
///
/// The callback runs on the capture thread, once per period, with interleaved 16-bit frames
/// (`parameters.channels` per frame). It must not block: push into a lock-free queue
/// (`SPSCRingBuffer`) and return. The loop allocates nothing per period.
public final class ALSACapture: Sendable {
    public let pcm: ALSAPCM
    private let runner: ALSAStreamThread

    /// What the device granted.
    public var parameters: ALSAParameters { pcm.parameters }
    /// Overruns recovered so far.
    public var xruns: Int { pcm.xruns }
    /// Frames captured so far.
    public var frames: Int { pcm.frames }
    /// Whether the thread is running.
    public var isRunning: Bool { runner.isRunning }
    /// The error that stopped capture on its own (e.g. `.deviceDisconnected`), if any.
    public var error: ALSAError? { runner.error }

    /// Opens `device` for capture (see `ALSAPCM.init` for `configuration`) and prepares the
    /// thread; nothing runs until `start`.
    public init(
        device: String, requested: ALSAParameters, configuration: String? = nil,
        onPeriod: @escaping @Sendable (UnsafeBufferPointer<Int16>) -> Void
    ) throws(ALSAError) {
        let pcm = try ALSAPCM(device: device, stream: .capture, requested: requested, configuration: configuration)
        self.pcm = pcm
        let samples = pcm.parameters.periodFrames * pcm.parameters.channels
        runner = ALSAStreamThread { (thread: ALSAStreamThread) throws(ALSAError) in
            let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: samples)
            buffer.initialize(repeating: 0)
            defer { buffer.deallocate() }
            while thread.shouldRun {
                let n = try pcm.read(into: buffer)
                onPeriod(UnsafeBufferPointer(rebasing: buffer[0..<(n * pcm.parameters.channels)]))
            }
            pcm.drop()
        }
    }

    /// Starts the capture thread. Throws `.notStartable` if called twice.
    public func start() throws(ALSAError) { try runner.start() }

    /// Stops and joins the thread; returns the error that had stopped it on its own, if any.
    @discardableResult
    public func stop() -> ALSAError? { runner.stop() }
}
