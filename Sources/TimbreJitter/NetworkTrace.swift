/// A packet-delivery trace for `timbre netsim`: one row per packet sent, in the CSV form
/// `seq,send_ms,arrival_ms`. Packet `seq` carries 20 ms frame number `seq` of the input; an empty
/// `arrival_ms` is a lost packet; a second row with the same `seq` is a duplicate; rows may come
/// in any order.
public struct NetworkTrace: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        /// Frame number carried (0-based).
        public var sequence: Int
        /// When the sender sent it, milliseconds.
        public var sendMilliseconds: Double
        /// When it arrived, milliseconds on the same time base; nil when lost.
        public var arrivalMilliseconds: Double?

        public init(sequence: Int, sendMilliseconds: Double, arrivalMilliseconds: Double?) {
            self.sequence = sequence
            self.sendMilliseconds = sendMilliseconds
            self.arrivalMilliseconds = arrivalMilliseconds
        }
    }

    /// Rows a trace may hold: 24 hours of 20 ms packets, with room for duplicates.
    public static let maximumRows = 10_000_000
    /// Largest frame number accepted (24 hours of 20 ms frames).
    public static let maximumSequence = 4_320_000

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Parses the CSV text. Blank lines are skipped; the header must come first.
    public init(csv text: String) throws(NetworkTraceError) {
        var entries: [Entry] = []
        var lineNumber = 0
        var sawHeader = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if !sawHeader {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingSpaces.lowercased()
                }
                guard fields == ["seq", "send_ms", "arrival_ms"] else { throw .missingHeader }
                sawHeader = true
                continue
            }
            guard entries.count < NetworkTrace.maximumRows else { throw .tooManyRows(NetworkTrace.maximumRows) }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw .invalidRow(line: lineNumber, reason: "expected 3 fields, found \(fields.count)")
            }
            let seqText = fields[0].trimmingSpaces
            guard let seq = Int(seqText), seq >= 0, seq <= NetworkTrace.maximumSequence else {
                throw .invalidRow(line: lineNumber, reason: "seq '\(seqText)' is not an integer in 0...\(NetworkTrace.maximumSequence)")
            }
            let sendText = fields[1].trimmingSpaces
            guard let send = Double(sendText), send.isFinite, send >= 0, send < 1e9 else {
                throw .invalidRow(line: lineNumber, reason: "send_ms '\(sendText)' is not a time in milliseconds")
            }
            let arrivalText = fields[2].trimmingSpaces
            var arrival: Double?
            if !arrivalText.isEmpty {
                guard let a = Double(arrivalText), a.isFinite, a >= 0, a < 1e9 else {
                    throw .invalidRow(line: lineNumber, reason: "arrival_ms '\(arrivalText)' is not a time in milliseconds")
                }
                guard a >= send else {
                    throw .invalidRow(line: lineNumber, reason: "arrival_ms \(arrivalText) is before send_ms \(sendText)")
                }
                arrival = a
            }
            entries.append(Entry(sequence: seq, sendMilliseconds: send, arrivalMilliseconds: arrival))
        }
        guard sawHeader else { throw .missingHeader }
        guard !entries.isEmpty else { throw .empty }
        self.entries = entries
    }

    /// The CSV text, header first, times with microsecond precision.
    public var csv: String {
        var out = "seq,send_ms,arrival_ms\n"
        out.reserveCapacity(entries.count * 24)
        for e in entries {
            out += "\(e.sequence),\(NetworkTrace.format(e.sendMilliseconds)),"
            if let a = e.arrivalMilliseconds { out += NetworkTrace.format(a) }
            out += "\n"
        }
        return out
    }

    static func format(_ ms: Double) -> String {
        let micros = Int64((ms * 1000).rounded())
        let whole = micros / 1000
        let frac = micros % 1000
        let f = String(frac)
        return "\(whole)." + String(repeating: "0", count: 3 - f.count) + f
    }
}

/// Why a trace could not be read.
public enum NetworkTraceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first non-blank line is not `seq,send_ms,arrival_ms`.
    case missingHeader
    /// A header but no rows.
    case empty
    case invalidRow(line: Int, reason: String)
    case tooManyRows(Int)

    public var description: String {
        switch self {
        case .missingHeader: return "trace: the first line must be the header 'seq,send_ms,arrival_ms'"
        case .empty: return "trace: no packet rows"
        case .invalidRow(let line, let reason): return "trace line \(line): \(reason)"
        case .tooManyRows(let n): return "trace: more than \(n) rows"
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
