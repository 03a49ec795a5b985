#if canImport(Glibc)
import Glibc
#endif

/// One simulated phone: its socket, where the service wants its media, what it sends and
/// which call or conference it belongs to.
struct LoadLeg {
    var fd: Int32
    var localPort: Int
    /// Other legs use the same socket (`--legs-per-socket`): what comes in is told apart by
    /// the service port it came from.
    var sharesSocket = false
    /// The service's media address for this leg, from its SDP.
    var remote: sockaddr_in
    var remoteText: String
    /// Codec and payload type this leg sends (the negotiated ones), and receives.
    var codec: LoadCodec
    var sendPayloadType: UInt8
    var receivePayloadType: UInt8
    /// Call or conference index, this leg's place in it, and the group's size.
    var group: Int
    var party: Int
    var groupSize: Int
    /// Where in the 10 s loop this leg starts (frames), so legs' markers do not all coincide.
    var frameOffset: Int
    /// The leg sends a marker in second s when `s % markerPeriod == markerTurn`.
    var markerPeriod: Int
    var markerTurn: Int
}
