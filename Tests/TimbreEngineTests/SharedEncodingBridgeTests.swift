import Foundation
import Testing
import TimbreCodecs
@testable import TimbreEngine

@Suite struct SharedEncodingBridgeTests {
    private func g722Leg(_ id: UInt64) throws -> CallLeg {
        let any = SocketAddress(host: "127.0.0.1", port: 0)!
        let leg = CallLeg(id: id, rtp: try UDPSocket(bindTo: any), rtcp: try UDPSocket(bindTo: any), configuration: EngineConfiguration())
        leg.apply(NegotiatedMedia(codec: .g722, payloadType: 9))
        return leg
    }

    /// A 16 kHz conference where only the loudest talker is mixed (top-K with K = 1), so every
    /// other listener hears exactly the full mix.
    private func conference(legs: [CallLeg]) throws -> EngineBridge {
        var configuration = EngineBridge(id: 0, configuration: .init()).mixer.configuration
        configuration.maximumParticipants = 8
        configuration.sampleRate = .wideband
        configuration.frameDuration = .ms20
        configuration.topK = .always(k: 1)
        let bridge = EngineBridge(id: 1, configuration: configuration)
        for leg in legs { bridge.add(leg, as: try bridge.controller.join(sampleRate: .wideband)) }
        return bridge
    }

    @Test func fullMixListenersGetOnePayloadThatIsTheEncodingOfWhatTheyHear() throws {
        let legs = try (1...4).map { try g722Leg(UInt64($0)) }
        let bridge = try conference(legs: legs)
        let events = MediaThread(index: 0, configuration: EngineConfiguration()).events
        var reference = G722Encoder()  // a listener's encoder that heard the full mix all along
        var expected = [UInt8](repeating: 0, count: 2048)
        var talkerMixedTicks = 0
        var sharedTicks = 0
        for tick in 0..<50 {
            for (i, leg) in legs.enumerated() {
                leg.inbound.withUnsafeMutableBufferPointer { pcm in
                    for n in pcm.indices {
                        let t = Double(tick * pcm.count + n) / 16_000
                        pcm[n] = i == 0 ? Int16(8000 * sin(2 * .pi * 440 * t)) : 0
                    }
                }
            }
            bridge.tick(events: events)
            let count = try expected.withUnsafeMutableBytes { out in
                try reference.encode(bridge.mixer.fullMixFrame, into: out)
            }
            let listeners = bridge.members.filter { bridge.mixer.hearsFullMix($0.participant) }.map(\.leg)
            #expect(tick == 0 || listeners.count >= 3, "the three silent parties hear the full mix once the talker is picked")
            let payloads = listeners.map { $0.sharedPayload }
            guard let first = payloads.first ?? nil else { continue }
            // Listeners that had their own encoder (the first frame, before top-K picked the talker)
            // return to the shared one after two identical payloads: from then on, one payload.
            if tick >= 3 {
                sharedTicks += 1
                for p in payloads { #expect(p?.baseAddress == first.baseAddress, "tick \(tick): one payload for every full-mix listener") }
            }
            for p in payloads { #expect(p.map(Array.init) == Array(first), "tick \(tick): own and shared payloads agree") }
            #expect(Array(first) == Array(expected[0..<count]), "tick \(tick): the shared payload is what their own encoder would send")
            if !listeners.contains(where: { $0 === legs[0] }) {
                talkerMixedTicks += 1
                let own = try #require(legs[0].sharedPayload)
                #expect(own.baseAddress != first.baseAddress, "the mixed talker hears the others, encoded for it alone")
            }
        }
        #expect(talkerMixedTicks > 25, "the talker is selected and mixed once detected")
        #expect(sharedTicks == 47)
    }

    @Test func aSharedPayloadIsSentAsTheLegsOwnRTPStream() throws {
        let legs = try (1...3).map { try g722Leg(UInt64($0)) }
        let receiver = try UDPSocket(bindTo: SocketAddress(host: "127.0.0.1", port: 0)!)
        legs[1].apply(NegotiatedMedia(codec: .g722, payloadType: 9, remote: receiver.localAddress))
        let bridge = try conference(legs: legs)
        let events = MediaThread(index: 0, configuration: EngineConfiguration()).events
        bridge.tick(events: events)
        let shared = try #require(legs[1].sharedPayload)
        let sent = Array(shared)
        legs[1].send(now: 0, events: events)
        #expect(legs[1].sharedPayload == nil, "a shared payload is used once")
        var got: [[UInt8]] = []
        receiver.receiveBatch { bytes, _, _ in got.append(Array(bytes)) }
        #expect(got.count == 1)
        #expect(got.first.map { Array($0.dropFirst(12)) } == sent, "the RTP payload is the shared bytes")
        let markerAndType: UInt8 = 0x80 | 9
        #expect(got.first?[1] == markerAndType, "first packet: marker set, payload type 9")
    }
}
