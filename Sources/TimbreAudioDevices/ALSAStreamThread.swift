#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A dedicated POSIX thread running one stream's I/O loop until it is stopped or fails.
///
/// The loop body runs on the thread; `stop` clears the flag and joins, so when it returns the
/// body is no longer running. The error that ended the loop (if any) is kept for the owner.
final class ALSAStreamThread: @unchecked Sendable {
    // @unchecked: `thread` is touched only by start/stop, which the owner calls from one thread.
    private let running = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let failure = Mutex<ALSAError?>(nil)
    private var thread: pthread_t?
    private let body: @Sendable (ALSAStreamThread) throws(ALSAError) -> Void

    init(body: @escaping @Sendable (ALSAStreamThread) throws(ALSAError) -> Void) {
        self.body = body
    }

    /// Whether the loop should keep going (checked by the body once per period).
    var shouldRun: Bool { running.load(ordering: .acquiring) }

    /// Whether the loop is running now.
    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// The error that stopped the loop, if it stopped on its own.
    var error: ALSAError? { failure.withLock { $0 } }

    func start() throws(ALSAError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { throw .notStartable }
        running.store(true, ordering: .releasing)
        let context = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let me = Unmanaged<ALSAStreamThread>.fromOpaque(arg!).takeRetainedValue()
            me.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ALSAStreamThread>.fromOpaque(context).release()
            running.store(false, ordering: .releasing)
            throw .threadFailed(code: rc)
        }
        thread = tid
    }

    private func run() {
        do {
            try body(self)
        } catch {
            failure.withLock { $0 = error }
        }
        running.store(false, ordering: .releasing)
    }

    /// Asks the loop to end and waits for it. Returns the error that had stopped it, if any.
    @discardableResult
    func stop() -> ALSAError? {
        running.store(false, ordering: .releasing)
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
        return error
    }

    /// Waits for the loop to end on its own (end of playback, error).
    func join() -> ALSAError? {
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
        return error
    }
}
