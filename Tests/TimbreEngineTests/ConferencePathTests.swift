import Foundation
import Testing
import TimbreCodecs
@testable import TimbreEngine

/// What a conference listener sends in a tick carries what a talker gave the bridge in that same
/// tick: no frame of delay between a leg's pulled audio, the mix and the packet a listener's leg
/// sends (its own encoder in a small room, the bridge's shared encoders in a top-K room).
/// The load tool's conference latency once sat a frame or more above a call's; this pins the
/// engine's side of it (the cause was in the measurement: the marker's party not yet mixed,
/// the limited mix under the detector's level test — see `LoadStreamPlan` and `LoadMarker`).
@Suite struct ConferencePathTests {
    /// A G.722 leg whose packets go to `receiver`.
    private func leg(_ id: UInt64, to receiver: UDPSocket) throws -> CallLeg {
        let any = SocketAddress(host: "127.0.0.1", port: 0)!
        let leg = CallLeg(id: id, rtp: try UDPSocket(bindTo: any), rtcp: try UDPSocket(bindTo: any), configuration: EngineConfiguration())
        leg.apply(NegotiatedMedia(codec: .g722, payloadType: 9, remote: receiver.localAddress))
        return leg
    }

    /// RMS of each 20 ms frame the listener's far end decodes, one per tick; the talker talks
    /// (band-limited noise at about −20 dBFS) throughout, with a 1 kHz burst at −10 dBFS in
    /// ticks `burst`; everyone else whispers at about −50 dBFS.
    private func heardLevels(parties: Int, ticks: Int, burst: Range<Int>) throws -> [Double] {
        let receiver = try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!)
        let legs = try (0..<parties).map { try leg(UInt64($0 + 1), to: receiver) }
        var configuration = EngineBridge(id: 0, configuration: .init()).mixer.configuration
        configuration.maximumParticipants = parties
        configuration.sampleRate = .wideband
        configuration.frameDuration = .ms20
        let bridge = EngineBridge(id: 1, configuration: configuration)
        for l in legs { bridge.add(l, as: try bridge.controller.join(sampleRate: .wideband)) }
        let events = MediaThread(index: 0, configuration: EngineConfiguration()).events
        let talker = parties / 2
        let listener = legs[parties - 1]
        var decoder = G722Decoder()
        var pcm = [Int16](repeating: 0, count: 640)
        var random = UInt64(0x9E37_79B9_7F4A_7C15)
        var levels: [Double] = []
        for tick in 0..<ticks {
            for (i, l) in legs.enumerated() {
                l.inbound.withUnsafeMutableBufferPointer { frame in
                    for n in frame.indices {
                        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        let noise = Double(Int64(bitPattern: random) >> 48) / 32_768
                        if i == talker && burst.contains(tick) {
                            frame[n] = Int16((10_362 * cos(2 * .pi * 1_000 * Double(n) / 16_000)).rounded())
                        } else {
                            frame[n] = Int16((noise * (i == talker ? 5_000 : 150)).rounded())
                        }
                    }
                }
            }
            bridge.tick(events: events)
            listener.send(now: UInt64(tick) * 20_000_000, events: events)
            var got = 0
            _ = receiver.receiveBatch { bytes, _, _ in
                got += 1
                let payload = UnsafeRawBufferPointer(rebasing: bytes[12...])
                let n = (try? pcm.withUnsafeMutableBufferPointer { try decoder.decode(payload, into: $0) }) ?? 0
                var energy = 0.0
                for s in pcm[0..<n] { energy += Double(s) * Double(s) }
                levels.append(n > 0 ? (energy / Double(n)).squareRoot() : 0)
            }
            #expect(got == 1, "tick \(tick): one packet from the listener's leg")
        }
        return levels
    }

    @Test(arguments: [3, 12])
    func aListenerSendsThisTicksMix(parties: Int) throws {
        let burst = 30..<33
        let levels = try heardLevels(parties: parties, ticks: 40, burst: burst)
        try #require(levels.count == 40)
        let burstRMS = 10_362 / 2.0.squareRoot()
        // The talker (mixed since its first frames: it is the loudest) is heard before the burst,
        // and the burst is in the very packet the listener sends in the tick it was pulled in
        // (G.722's filters delay it by about a millisecond of the frame's 20).
        #expect(levels[burst.lowerBound - 1] > 1_000 && levels[burst.lowerBound - 1] < 0.5 * burstRMS, "\(levels)")
        #expect(levels[burst.lowerBound] > 0.85 * burstRMS, "tick \(burst.lowerBound): \(levels[burst.lowerBound]) of \(burstRMS)")
        #expect(levels[burst.lowerBound + 1] > 0.9 * burstRMS)
        #expect(levels[burst.upperBound] < 0.5 * burstRMS, "the burst ends with its last tick")
    }
}
