import ArgumentParser
import TimbreCodecs

extension CodecCommand {
    /// `timbre codec list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the codecs with their RTP and SDP names.")

        @Flag(help: "Print JSONOutput: {\"codecs\": [{id, encodingName, sampleRate, rtpClockRate, payloadType, ...}]}.")
        var json = false

        func run() throws {
            let descriptors = CodecCommand.registry.descriptors
            if json {
                let items = descriptors.map { d in
                    JSONOutput.object([
                        ("id", .string(d.id)),
                        ("encodingName", .string(d.encodingName)),
                        ("sampleRate", .int(d.sampleRate.hertz)),
                        ("rtpClockRate", .int(d.rtpClockRate)),
                        ("channels", .int(d.rtpChannels)),
                        ("payloadType", .int(Int(d.payloadType))),
                        ("staticPayloadType", .bool(d.isStaticPayloadType)),
                        ("rtpmap", .string(d.rtpmap)),
                        ("fmtp", d.defaultFormatParameters.map(JSONOutput.string) ?? .null),
                        ("frameMilliseconds", .int(d.defaultFrameDuration.milliseconds)),
                    ])
                }
                print(JSONOutput.object([("codecs", .array(items))]).text)
            } else {
                print(pad("ID", 6) + pad("PT", 5) + pad("RATE", 7) + pad("RTPMAP", 14) + "FMTP")
                for d in descriptors {
                    let pt = d.isStaticPayloadType ? "\(d.payloadType)" : "\(d.payloadType)*"
                    print(pad(d.id, 6) + pad(pt, 5) + pad("\(d.sampleRate.hertz)", 7) + pad(d.rtpmap, 14)
                        + (d.defaultFormatParameters ?? "-"))
                }
                print("* dynamic payload type (default offered)")
            }
        }
    }
}

/// Left-aligns `text` in a column of `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
