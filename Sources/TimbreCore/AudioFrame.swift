/// A fixed-size block of 16-bit PCM: one 10 or 20 ms tick of one stream.
///
/// The storage is allocated once in `init` and reused: the real-time path overwrites the samples
/// in place through `withUnsafeMutableSamples`, which never reallocates as long as the frame is
/// not shared (a value type with copy-on-write storage). Keep one frame per stream and per stage.
public struct AudioFrame: Sendable {
    public let format: AudioFormat
    public let duration: FrameDuration
    @usableFromInline var storage: [Int16]

    /// A silent frame.
    public init(format: AudioFormat, duration: FrameDuration) {
        self.format = format
        self.duration = duration
        self.storage = Array(repeating: 0, count: format.samplesPerFrame(duration))
    }

    /// A frame holding `samples`, which must be exactly one frame long.
    public init(format: AudioFormat, duration: FrameDuration, samples: [Int16]) {
        precondition(samples.count == format.samplesPerFrame(duration), "frame length mismatch")
        self.format = format
        self.duration = duration
        self.storage = samples
    }

    /// Interleaved samples in the frame.
    @inlinable public var sampleCount: Int { storage.count }

    /// Samples per channel.
    @inlinable public var samplesPerChannel: Int { storage.count / format.channels }

    @inlinable public var samples: [Int16] { storage }

    @inlinable
    public func withUnsafeSamples<R>(_ body: (UnsafeBufferPointer<Int16>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Mutable access to the samples; allocation-free unless the frame's storage is shared.
    @inlinable
    public mutating func withUnsafeMutableSamples<R>(
        _ body: (UnsafeMutableBufferPointer<Int16>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Sets every sample to zero.
    @inlinable
    public mutating func silence() {
        withUnsafeMutableSamples { $0.update(repeating: 0) }
    }

    @inlinable
    public subscript(index: Int) -> Int16 {
        get { storage[index] }
        set { storage[index] = newValue }
    }
}
