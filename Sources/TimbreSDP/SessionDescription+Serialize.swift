extension SessionDescription {
    /// The description as SDP text, lines in RFC 8866 order, each ending in CRLF.
    public func serialized() -> String {
        var out = "v=0\r\n"
        out += "o=\(origin.username) \(origin.sessionID) \(origin.sessionVersion) \(origin.networkType) \(origin.addressType) \(origin.address)\r\n"
        out += "s=\(sessionName)\r\n"
        let sessionOther = otherLines.filter { !$0.hasPrefix("t=") && !$0.hasPrefix("r=") && !$0.hasPrefix("z=") && !$0.hasPrefix("k=") }
        for l in sessionOther { out += l + "\r\n" }
        if let c = connection { out += "c=\(c.networkType) \(c.addressType) \(c.address)\r\n" }
        for b in bandwidths { out += "b=\(b)\r\n" }
        out += "t=\(timingStart) \(timingStop)\r\n"
        for l in otherLines where l.hasPrefix("t=") || l.hasPrefix("r=") || l.hasPrefix("z=") || l.hasPrefix("k=") {
            out += l + "\r\n"
        }
        for a in attributes { out += Self.line(a) }
        for m in media {
            let port = m.portCount.map { "\(m.port)/\($0)" } ?? "\(m.port)"
            out += "m=\(m.media) \(port) \(m.proto) \(m.formats.joined(separator: " "))\r\n"
            for l in m.otherLines where l.hasPrefix("i=") { out += l + "\r\n" }
            if let c = m.connection { out += "c=\(c.networkType) \(c.addressType) \(c.address)\r\n" }
            for b in m.bandwidths { out += "b=\(b)\r\n" }
            for l in m.otherLines where !l.hasPrefix("i=") { out += l + "\r\n" }
            for a in m.attributes { out += Self.line(a) }
        }
        return out
    }

    private static func line(_ a: Attribute) -> String {
        a.value.map { "a=\(a.name):\($0)\r\n" } ?? "a=\(a.name)\r\n"
    }
}
