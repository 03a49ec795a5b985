extension SessionDescription {
    /// Parses an SDP description. Accepts CRLF or bare LF line ends (RFC 8866 §5 asks parsers to
    /// be tolerant of LF) and ignores a trailing empty line; everything else must follow the
    /// grammar. Sizes are bounded by `Limits`.
    public init(parsing text: String) throws(SDPParseError) {
        let utf8 = text.utf8
        guard utf8.count <= Limits.maximumBytes else { throw .tooLarge(utf8.count) }
        var lines: [Substring] = []
        // Split on bytes: a Swift Character treats "\r\n" as one grapheme, so splitting the
        // String on "\n" would miss CRLF line ends.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            lines.append(Substring(bytes))
            if lines.count > Limits.maximumLines { throw .tooMany("lines", limit: Limits.maximumLines) }
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { throw .empty }

        var origin: Origin?
        var sessionName: String?
        var connection: Connection?
        var bandwidths: [String] = []
        var timing: (UInt64, UInt64)?
        var attributes: [Attribute] = []
        var other: [String] = []
        var media: [MediaDescription] = []

        for (i, line) in lines.enumerated() {
            let number = i + 1
            guard line.utf8.count <= Limits.maximumLineLength else { throw .tooMany("characters on a line", limit: Limits.maximumLineLength) }
            let bytes = Array(line.utf8)
            guard bytes.count >= 2, bytes[1] == UInt8(ascii: "="), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else {
                throw .malformedLine(number)
            }
            guard !bytes.contains(0), !bytes.contains(UInt8(ascii: "\r")) else { throw .invalidCharacters(line: number) }
            let type = Character(Unicode.Scalar(bytes[0]))
            let value = String(decoding: bytes[2...], as: UTF8.self)  // bytes: "=" may combine with a mark
            if i == 0 {
                guard type == "v" else { throw .missingLine("v") }
                guard value == "0" else { throw .unsupportedVersion(value) }
                continue
            }
            if !media.isEmpty {
                // Inside a media section.
                let m = media.count - 1
                switch type {
                case "m":
                    media.append(try Self.parseMedia(value, line: number))
                    if media.count > Limits.maximumMedia { throw .tooMany("media sections", limit: Limits.maximumMedia) }
                case "c":
                    guard media[m].connection == nil else {
                        throw .invalidField(line: number, type: "c", reason: "more than one c= line in a media section")
                    }
                    media[m].connection = try Self.parseConnection(value, line: number)
                case "b": media[m].bandwidths.append(value)
                case "a":
                    media[m].attributes.append(try Self.parseAttribute(value, line: number))
                    if media[m].attributes.count > Limits.maximumLines { throw .tooMany("attributes", limit: Limits.maximumLines) }
                case "i", "k": media[m].otherLines.append(String(line))
                default:
                    throw .invalidField(line: number, type: type, reason: "not allowed in a media section")
                }
                continue
            }
            switch type {
            case "v": throw .invalidField(line: number, type: "v", reason: "repeated v= line")
            case "o":
                guard origin == nil else { throw .invalidField(line: number, type: "o", reason: "repeated o= line") }
                origin = try Self.parseOrigin(value, line: number)
            case "s":
                guard sessionName == nil else { throw .invalidField(line: number, type: "s", reason: "repeated s= line") }
                guard !value.isEmpty else { throw .invalidField(line: number, type: "s", reason: "empty session name") }
                sessionName = value
            case "c":
                guard connection == nil else { throw .invalidField(line: number, type: "c", reason: "repeated c= line") }
                connection = try Self.parseConnection(value, line: number)
            case "b": bandwidths.append(value)
            case "t":
                let f = value.split(separator: " ")
                guard f.count == 2, let start = UInt64(f[0]), let stop = UInt64(f[1]) else {
                    throw .invalidField(line: number, type: "t", reason: "expected two decimal times")
                }
                if timing == nil { timing = (start, stop) } else { other.append(String(line)) }
            case "a": attributes.append(try Self.parseAttribute(value, line: number))
            case "m": media.append(try Self.parseMedia(value, line: number))
            case "i", "u", "e", "p", "r", "z", "k": other.append(String(line))
            default:
                // RFC 8866 §5: unknown types are ignored by parsers... but only letters defined
                // there may appear; anything else is malformed.
                throw .invalidField(line: number, type: type, reason: "unknown line type")
            }
        }
        guard let origin else { throw .missingLine("o") }
        guard let sessionName else { throw .missingLine("s") }
        guard let timing else { throw .missingLine("t") }
        for (i, m) in media.enumerated() where m.port != 0 && m.connection == nil && connection == nil {
            throw .missingConnection(mediaIndex: i)
        }
        self.init(
            origin: origin, sessionName: sessionName, connection: connection, bandwidths: bandwidths,
            timingStart: timing.0, timingStop: timing.1, attributes: attributes, otherLines: other, media: media)
    }

    static func parseOrigin(_ v: String, line: Int) throws(SDPParseError) -> Origin {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 6 else { throw .invalidField(line: line, type: "o", reason: "expected 6 fields") }
        guard f[1].allSatisfy(\.isASCIIDigit), !f[1].isEmpty else {
            throw .invalidField(line: line, type: "o", reason: "session id is not a decimal number")
        }
        guard let version = UInt64(f[2]) else { throw .invalidField(line: line, type: "o", reason: "session version is not a 64-bit decimal") }
        return Origin(
            username: String(f[0]), sessionID: String(f[1]), sessionVersion: version, networkType: String(f[3]),
            addressType: String(f[4]), address: String(f[5]))
    }

    static func parseConnection(_ v: String, line: Int) throws(SDPParseError) -> Connection {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 3 else { throw .invalidField(line: line, type: "c", reason: "expected 3 fields") }
        guard f[0] == "IN" else { throw .invalidField(line: line, type: "c", reason: "network type is not IN") }
        guard f[1] == "IP4" || f[1] == "IP6" else { throw .invalidField(line: line, type: "c", reason: "address type is not IP4 or IP6") }
        let address = f[2].split(separator: "/").first.map(String.init) ?? ""
        if f[1] == "IP4" {
            guard address.isIPv4Literal || address.isHostName else {
                throw .invalidField(line: line, type: "c", reason: "invalid IPv4 address")
            }
        } else {
            guard address.contains(":") || address.isHostName, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "-" || $0.isLetter }) else {
                throw .invalidField(line: line, type: "c", reason: "invalid IPv6 address")
            }
        }
        return Connection(networkType: String(f[0]), addressType: String(f[1]), address: String(f[2]))
    }

    static func parseAttribute(_ v: String, line: Int) throws(SDPParseError) -> Attribute {
        guard let colon = v.firstIndex(of: ":") else {
            guard !v.isEmpty, !v.contains(" ") else { throw .invalidField(line: line, type: "a", reason: "invalid attribute name") }
            return Attribute(v)
        }
        let name = String(v[..<colon])
        guard !name.isEmpty, !name.contains(" ") else { throw .invalidField(line: line, type: "a", reason: "invalid attribute name") }
        return Attribute(name, String(v[v.index(after: colon)...]))
    }

    static func parseMedia(_ v: String, line: Int) throws(SDPParseError) -> MediaDescription {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 4 else { throw .invalidField(line: line, type: "m", reason: "expected media, port, proto and formats") }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = Int(portParts[0]), (0...65535).contains(port) else {
            throw .invalidField(line: line, type: "m", reason: "invalid port")
        }
        var count: Int?
        if portParts.count == 2 {
            guard let c = Int(portParts[1]), (1...65535).contains(c) else { throw .invalidField(line: line, type: "m", reason: "invalid port count") }
            count = c
        }
        let formats = f[3...].map(String.init)
        guard formats.count <= SessionDescription.Limits.maximumFormats else {
            throw .tooMany("formats", limit: SessionDescription.Limits.maximumFormats)
        }
        if f[2].contains("RTP") {
            for fmt in formats {
                guard let pt = UInt8(fmt), pt <= 127 else {
                    throw .invalidField(line: line, type: "m", reason: "RTP format \"\(fmt.prefix(16))\" is not a payload type 0...127")
                }
            }
        }
        return MediaDescription(media: String(f[0]), port: port, portCount: count, proto: String(f[2]), formats: formats)
    }
}

extension Character {
    /// Only the ten ASCII digits. (`("0"..."9").contains` would also admit graphemes such as
    /// "1" + U+0301, which then fail `Int(_:)`.)
    var isASCIIDigit: Bool { asciiValue.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
}

extension String {
    var isIPv4Literal: Bool {
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in p.count <= 3 && !p.isEmpty && p.allSatisfy(\.isASCIIDigit) && (Int(p) ?? 256) <= 255 }
    }

    /// A DNS name (letters, digits, hyphens, dots), with at least one letter so it is not a bad IPv4.
    var isHostName: Bool {
        !isEmpty && count <= 253 && contains(where: \.isLetter)
            && allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }
    }
}
