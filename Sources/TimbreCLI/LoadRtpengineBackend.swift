#if canImport(Glibc)
import Glibc
#endif

/// `timbre load --rtpengine HOST:PORT`: the same calls through rtpengine's NG protocol — an
/// `offer` with leg A's SDP (and, when the legs' codecs differ, `codec: {transcode: [B], mask:
/// [A]}` so that B is offered only its codec and rtpengine transcodes), an `answer` with leg B's
/// SDP, and a `delete` at the end. rtpengine has no conference mixer, so conferences are refused.
final class LoadRtpengineBackend: LoadBackend {
    let name = "rtpengine"
    private let ng: LoadNGClient
    private var calls: [String] = []
    private let prefix = "timbre-load-\(getpid())-"

    init(address: String) throws {
        do {
            ng = try LoadNGClient(address: address)
            _ = try ng.call("ping", [])
        } catch { throw CLIError(error.description) }
    }

    func setUp(group: Int, conference: Bool, legs: [(port: Int, codec: LoadCodec)]) throws -> [LoadSDP.Media] {
        guard !conference, legs.count == 2 else { throw CLIError("--rtpengine: rtpengine has no conference mixer; use calls") }
        let a = legs[0], b = legs[1]
        let callID = prefix + String(group)
        var flags: [(String, LoadBencode)] = [("ICE", .string("remove"))]
        if a.codec != b.codec {
            flags.append(("codec", .dictionary([
                (Array("transcode".utf8), .list([.string(b.codec.encodingName)])),
                (Array("mask".utf8), .list([.string(a.codec.encodingName)])),
            ])))
        }
        do {
            let offer = try ng.call("offer", [
                ("call-id", .string(callID)), ("from-tag", .string("a")),
                ("sdp", .string(LoadSDP.offer(port: a.port, codec: a.codec, session: group * 2 + 1))),
            ] + flags)
            calls.append(callID)
            guard let offerToB = offer["sdp"]?.text else { throw CLIError("rtpengine offer: no sdp in reply") }
            let towardB = try LoadSDP.parse(offerToB)
            guard let ptB = LoadSDP.payloadType(of: b.codec, in: offerToB) else {
                throw CLIError("rtpengine did not offer \(b.codec.encodingName) to the second leg")
            }
            let answerFromB = LoadSDP.renumber(
                LoadSDP.offer(port: b.port, codec: b.codec, session: group * 2 + 2), from: b.codec.payloadType, to: ptB)
            let answer = try ng.call("answer", [
                ("call-id", .string(callID)), ("from-tag", .string("a")), ("to-tag", .string("b")), ("sdp", .string(answerFromB)),
            ] + flags.prefix(1))
            guard let answerToA = answer["sdp"]?.text else { throw CLIError("rtpengine answer: no sdp in reply") }
            let towardA = try LoadSDP.parse(answerToA)
            return [towardA, LoadSDP.Media(address: towardB.address, port: towardB.port, payloadType: ptB, codec: b.codec)]
        } catch let e as LoadNGClient.Failure {
            throw CLIError(e.description)
        } catch let e as LoadSDP.Failure {
            throw CLIError("rtpengine's SDP: \(e.description)")
        }
    }

    func counters() -> LoadServiceCounters? { nil }

    func tearDown() {
        for c in calls { _ = try? ng.call("delete", [("call-id", .string(c))]) }
        calls = []
    }
}
