public import Foundation

/// The sidecar JSON next to a recording (`<file>.json`): who, when, where it paused, how long.
///
/// Written atomically (temp file + rename) when the recording starts, pauses, resumes and ends,
/// so a crash leaves the last complete version; `RecordingRepair` brings it up to date.
public struct RecordingMetadata: Codable, Sendable, Equatable {
    public var callID: String
    public var parties: [String]
    /// ISO 8601 UTC, e.g. 2026-11-22T04:05:06.123Z.
    public var startTime: String
    public var format: String
    public var sampleRate: Int
    public var channels: Int
    public var pauses: [Pause]
    /// Recorded (not paused) audio in seconds.
    public var durationSeconds: Double
    /// "recording", "stopped", "failed" or "repaired".
    public var state: String
    public var overflowFrames: Int
    public var error: String?

    public struct Pause: Codable, Sendable, Equatable {
        /// Position in the recorded audio where the pause sits, in seconds.
        public var atSeconds: Double
        public var pausedAt: String
        /// `nil` while still paused (or when the recording ended paused).
        public var resumedAt: String?
        public var pausedSeconds: Double?
    }

    public init(callID: String, parties: [String], startTime: Date, format: RecordingFormat) {
        self.callID = callID
        self.parties = parties
        self.startTime = Self.iso(startTime)
        self.format = format.encoding.rawValue
        self.sampleRate = format.sampleRate
        self.channels = format.channels
        self.pauses = []
        self.durationSeconds = 0
        self.state = "recording"
        self.overflowFrames = 0
        self.error = nil
    }

    public static func sidecarPath(for recording: String) -> String { recording + ".json" }

    /// Formats UTC timestamps by hand: ISO8601DateFormatter is costly to create and this runs
    /// for every sidecar write of up to thousands of recordings.
    static func iso(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var secs = time_t(t.rounded(.down))
        let ms = Int((t - Double(secs)) * 1000)
        var tm = tm()
        gmtime_r(&secs, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let millis = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)).\(millis)Z"
    }

    /// Writes `self` to `path` via a temporary file and `rename`, so readers never see half a file.
    public func write(to path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try e.encode(self)
        let tmp = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    public static func read(from path: String) throws -> RecordingMetadata {
        try JSONDecoder().decode(RecordingMetadata.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
