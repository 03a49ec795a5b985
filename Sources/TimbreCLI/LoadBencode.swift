/// A bencode value, as rtpengine's NG control protocol carries it: each message is a cookie, a
/// space and one bencoded dictionary over UDP.
///
/// Written here rather than taken from a package because the format is four productions
/// (integers `i42e`, byte strings `4:spam`, lists `l…e`, dictionaries `d…e`) and the load tool
/// needs nothing else. Dictionaries keep their pairs in order; `encoded` sorts keys by raw bytes as
/// the specification requires, while `init(decoding:)` accepts any order (rtpengine replies sorted,
/// other peers may not).
enum LoadBencode: Equatable {
    case integer(Int)
    case bytes([UInt8])
    case list([LoadBencode])
    case dictionary([(key: [UInt8], value: LoadBencode)])

    /// A byte string from UTF-8 text.
    static func string(_ text: String) -> LoadBencode { .bytes(Array(text.utf8)) }

    /// Why a byte sequence is not bencode, and where (byte offset).
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "malformed bencode at byte \(offset): \(reason)" }
    }

    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    static let maximumDepth = 64

    static func == (a: LoadBencode, b: LoadBencode) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x == y
        case (.bytes(let x), .bytes(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.dictionary(let x), .dictionary(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    // MARK: Access

    /// The value under `key` of a dictionary (nil for other kinds or a missing key).
    subscript(key: String) -> LoadBencode? {
        guard case .dictionary(let pairs) = self else { return nil }
        let k = Array(key.utf8)
        return pairs.first { $0.key == k }?.value
    }

    /// A byte string as UTF-8 text (lossy).
    var text: String? {
        guard case .bytes(let b) = self else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    // MARK: Encoding

    var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    func encode(into out: inout [UInt8]) {
        switch self {
        case .integer(let i):
            out.append(UInt8(ascii: "i"))
            out.append(contentsOf: Array(String(i).utf8))
            out.append(UInt8(ascii: "e"))
        case .bytes(let b):
            out.append(contentsOf: Array(String(b.count).utf8))
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: b)
        case .list(let items):
            out.append(UInt8(ascii: "l"))
            for item in items { item.encode(into: &out) }
            out.append(UInt8(ascii: "e"))
        case .dictionary(let pairs):
            out.append(UInt8(ascii: "d"))
            for pair in pairs.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                LoadBencode.bytes(pair.key).encode(into: &out)
                pair.value.encode(into: &out)
            }
            out.append(UInt8(ascii: "e"))
        }
    }

    // MARK: Decoding

    /// Decodes exactly one value that spans all of `bytes`.
    init(decoding bytes: [UInt8]) throws(Malformed) {
        var reader = Reader(bytes: bytes)
        let value = try reader.value(depth: 0)
        guard reader.offset == bytes.count else {
            throw Malformed(offset: reader.offset, reason: "\(bytes.count - reader.offset) trailing byte(s)")
        }
        self = value
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func value(depth: Int) throws(Malformed) -> LoadBencode {
            guard depth < LoadBencode.maximumDepth else { throw Malformed(offset: offset, reason: "nested deeper than \(LoadBencode.maximumDepth)") }
            guard offset < bytes.count else { throw Malformed(offset: offset, reason: "unexpected end of input") }
            switch bytes[offset] {
            case UInt8(ascii: "i"):
                offset += 1
                let n = try integer(until: UInt8(ascii: "e"), allowSign: true)
                return .integer(n)
            case UInt8(ascii: "l"):
                offset += 1
                var items: [LoadBencode] = []
                while try !atEnd() { items.append(try value(depth: depth + 1)) }
                return .list(items)
            case UInt8(ascii: "d"):
                offset += 1
                var pairs: [(key: [UInt8], value: LoadBencode)] = []
                while try !atEnd() {
                    guard case .bytes(let key) = try value(depth: depth + 1) else {
                        throw Malformed(offset: offset, reason: "dictionary key is not a byte string")
                    }
                    guard offset < bytes.count, bytes[offset] != UInt8(ascii: "e") else {
                        throw Malformed(offset: offset, reason: "dictionary key without a value")
                    }
                    pairs.append((key, try value(depth: depth + 1)))
                }
                return .dictionary(pairs)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = offset
                let length = try integer(until: UInt8(ascii: ":"), allowSign: false)
                guard length <= bytes.count - offset else {
                    throw Malformed(offset: start, reason: "byte string of \(length) bytes runs past the end")
                }
                defer { offset += length }
                return .bytes(Array(bytes[offset..<(offset + length)]))
            default:
                throw Malformed(offset: offset, reason: "unexpected byte 0x\(String(bytes[offset], radix: 16))")
            }
        }

        /// Consumes the `e` that closes a list or dictionary, if it is next.
        mutating func atEnd() throws(Malformed) -> Bool {
            guard offset < bytes.count else { throw Malformed(offset: offset, reason: "unterminated list or dictionary") }
            if bytes[offset] == UInt8(ascii: "e") {
                offset += 1
                return true
            }
            return false
        }

        /// Decimal digits up to `terminator`: no leading zeros, no `-0`, no overflow.
        mutating func integer(until terminator: UInt8, allowSign: Bool) throws(Malformed) -> Int {
            let start = offset
            var negative = false
            if allowSign, offset < bytes.count, bytes[offset] == UInt8(ascii: "-") {
                negative = true
                offset += 1
            }
            let digitsStart = offset
            var value = 0
            while offset < bytes.count, bytes[offset] != terminator {
                let b = bytes[offset]
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else {
                    throw Malformed(offset: offset, reason: "expected a digit")
                }
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw Malformed(offset: start, reason: "integer overflows 64 bits") }
                value = s
                offset += 1
            }
            guard offset < bytes.count else { throw Malformed(offset: offset, reason: "unterminated integer") }
            let digits = offset - digitsStart
            guard digits > 0 else { throw Malformed(offset: offset, reason: "integer without digits") }
            guard !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else {
                throw Malformed(offset: digitsStart, reason: "leading zero")
            }
            guard !(negative && value == 0) else { throw Malformed(offset: start, reason: "negative zero") }
            offset += 1
            return negative ? -value : value
        }
    }
}
