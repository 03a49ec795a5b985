import TimbreSDP

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

    /// Reads the first audio stream of `text` (with TimbreSDP's parser, the one the service
    /// uses); its first format must be one of our codecs.
    static func parse(_ text: String) throws(Failure) -> Media {
        let session: SessionDescription
        do { session = try SessionDescription(parsing: text) } catch { throw Failure(description: "SDP: \(error)") }
        guard let index = session.media.firstIndex(where: { $0.media == "audio" }) else {
            throw Failure(description: "SDP without an audio stream")
        }
        let audio = session.media[index]
        guard audio.port > 0 else { throw Failure(description: "SDP without an audio port") }
        guard let address = session.effectiveConnection(forMedia: index)?.address else {
            throw Failure(description: "SDP without a c= address")
        }
        guard let pt = audio.formats.first.flatMap({ UInt8($0) }) else { throw Failure(description: "SDP audio stream without formats") }
        guard let name = audio.rtpMap(for: pt)?.encodingName, let codec = LoadCodec(encodingName: name) else {
            throw Failure(description: "SDP's first format \(pt) is not pcmu, pcma, g722 or opus")
        }
        return Media(address: address, port: audio.port, payloadType: pt, codec: codec)
    }

    /// The payload type `text` gives `codec` in its first audio stream (nil when absent).
    static func payloadType(of codec: LoadCodec, in text: String) -> UInt8? {
        guard let session = try? SessionDescription(parsing: text), let audio = session.media.first(where: { $0.media == "audio" }) else {
            return nil
        }
        return audio.formats.compactMap { UInt8($0) }.first { pt in
            audio.rtpMap(for: pt).map { LoadCodec(encodingName: $0.encodingName) == codec } ?? false
        }
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
