/// The little SDP `timbre load` writes (one audio stream, one codec, ptime 20, like a phone
/// with a fixed codec) and reads back from the service's answer or offer: address, port and
/// the payload type and codec of the first format on the m= line.
enum LoadSDP {
    struct Media: Equatable {
        var address: String
        var port: Int
        var payloadType: UInt8
        var codec: LoadCodec
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func offer(port: Int, codec: LoadCodec, session: Int) -> String {
        var lines = [
            "v=0", "o=- \(session) 1 IN IP4 127.0.0.1", "s=timbre-load", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(port) RTP/AVP \(codec.payloadType)", "a=rtpmap:\(codec.payloadType) \(codec.rtpmap)",
        ]
        if codec == .opus { lines.append("a=fmtp:\(codec.payloadType) useinbandfec=0") }
        lines += ["a=ptime:20", "a=sendrecv"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Reads the first audio stream of `text`; its codec must be one of ours.
    static func parse(_ text: String) throws(Failure) -> Media {
        var sessionAddress: String?
        var mediaAddress: String?
        var port: Int?
        var formats: [UInt8] = []
        var rtpmaps: [UInt8: String] = [:]
        var inAudio = false
        // "\r\n" is one Character (grapheme) in Swift, so split on isNewline, not on "\n".
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            if line.hasPrefix("m=") {
                if port != nil { break }  // only the first audio stream
                let f = line.dropFirst(2).split(separator: " ")
                inAudio = f.first == "audio"
                if inAudio, f.count >= 4 {
                    port = Int(f[1])
                    formats = f[3...].compactMap { UInt8($0) }
                }
            } else if line.hasPrefix("c=") {
                let address = line.split(separator: " ").last.map(String.init)
                if inAudio { mediaAddress = address } else if port == nil { sessionAddress = address }
            } else if inAudio, line.hasPrefix("a=rtpmap:") {
                let f = line.dropFirst(9).split(separator: " ")
                if f.count == 2, let pt = UInt8(f[0]) { rtpmaps[pt] = f[1].split(separator: "/").first.map(String.init) }
            }
        }
        guard let port, port > 0 else { throw Failure(description: "SDP without an audio port") }
        guard let address = mediaAddress ?? sessionAddress else { throw Failure(description: "SDP without a c= address") }
        guard let pt = formats.first else { throw Failure(description: "SDP audio stream without formats") }
        let name = rtpmaps[pt] ?? [0: "PCMU", 8: "PCMA", 9: "G722"][pt]
        guard let name, let codec = LoadCodec(encodingName: name) else {
            throw Failure(description: "SDP's first format \(pt) (\(rtpmaps[pt] ?? "?")) is not pcmu, pcma, g722 or opus")
        }
        return Media(address: address, port: port, payloadType: pt, codec: codec)
    }

    /// The payload type `text` gives `codec` in its first audio stream (nil when absent).
    static func payloadType(of codec: LoadCodec, in text: String) -> UInt8? {
        var seenAudio = false
        for raw in text.split(whereSeparator: \.isNewline) {
            if raw.hasPrefix("m=") {
                if seenAudio { break }
                seenAudio = raw.hasPrefix("m=audio")
                if seenAudio, codec != .opus, raw.split(separator: " ").dropFirst(3).contains(Substring(String(codec.payloadType))) {
                    return codec.payloadType
                }
            } else if seenAudio, raw.hasPrefix("a=rtpmap:") {
                let f = raw.dropFirst(9).split(separator: " ")
                if f.count == 2, f[1].lowercased().hasPrefix(codec.encodingName.lowercased() + "/") { return UInt8(f[0]) }
            }
        }
        return nil
    }

    /// `sdp` with payload type `old` renumbered to `new` on the m= line and in a= lines (to
    /// answer with the number the offer gave a dynamic codec).
    static func renumber(_ sdp: String, from old: UInt8, to new: UInt8) -> String {
        guard old != new else { return sdp }
        return sdp.split(separator: "\r\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("m=audio") {
                var f = line.split(separator: " ").map(String.init)
                for i in 3..<f.count where f[i] == String(old) { f[i] = String(new) }
                return f.joined(separator: " ")
            }
            for p in ["a=rtpmap:", "a=fmtp:"] where line.hasPrefix(p + String(old) + " ") {
                return p + String(new) + line.dropFirst(p.count + String(old).count)
            }
            return String(line)
        }.joined(separator: "\r\n")
    }
}
