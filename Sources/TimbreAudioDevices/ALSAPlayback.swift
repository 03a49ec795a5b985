/// Plays to an ALSA device on a dedicated thread, asking a callback for each period.
///
/// The callback runs on the playback thread and fills one period of interleaved 16-bit frames;
/// it returns `false` once it has nothing more (the frames it filled in that call are still
/// played, then the device drains and the thread ends). It must not block. The loop allocates
/// nothing per period.
public final class ALSAPlayback: Sendable {
    public let pcm: ALSAPCM
    private let runner: ALSAStreamThread

    public var parameters: ALSAParameters { pcm.parameters }
    /// Underruns recovered so far.
    public var xruns: Int { pcm.xruns }
    /// Frames written so far.
    public var frames: Int { pcm.frames }
    public var isRunning: Bool { runner.isRunning }
    /// The error that stopped playback on its own, if any.
    public var error: ALSAError? { runner.error }

    public init(
        device: String, requested: ALSAParameters, configuration: String? = nil,
        fill: @escaping @Sendable (UnsafeMutableBufferPointer<Int16>) -> Bool
    ) throws(ALSAError) {
        let pcm = try ALSAPCM(device: device, stream: .playback, requested: requested, configuration: configuration)
        self.pcm = pcm
        let samples = pcm.parameters.periodFrames * pcm.parameters.channels
        runner = ALSAStreamThread { (thread: ALSAStreamThread) throws(ALSAError) in
            let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: samples)
            defer { buffer.deallocate() }
            while thread.shouldRun {
                buffer.update(repeating: 0)
                let more = fill(buffer)
                try pcm.write(UnsafeBufferPointer(buffer))
                if !more {
                    pcm.drain()
                    return
                }
            }
            pcm.drop()
        }
    }

    public func start() throws(ALSAError) { try runner.start() }

    /// Stops at once (dropping queued audio) and joins; returns the error that had stopped it.
    @discardableResult
    public func stop() -> ALSAError? { runner.stop() }

    /// Waits until the callback has said it is done and the device drained, or an error.
    @discardableResult
    public func waitUntilFinished() -> ALSAError? { runner.join() }
}
