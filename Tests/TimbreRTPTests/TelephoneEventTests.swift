import Testing
import TimbreCore
import TimbreRTP

@Suite struct TelephoneEventTests {
    @Test func payloadWireFormat() throws {
        let e = TelephoneEvent(event: 11, isEnd: true, volume: 10, duration: 1600)
        #expect(e.bytes == [11, 0x8A, 0x06, 0x40])
        #expect(try TelephoneEvent(parsing: e.bytes) == e)
        #expect(try TelephoneEvent(parsing: [5, 0x4A, 0, 160]).isEnd == false)  // R bit ignored
        #expect(throws: TelephoneEventError.tooShort(3)) { try TelephoneEvent(parsing: [1, 2, 3]) }
    }

    @Test func eventCodesNameKeysAndFlash() {
        // RFC 4733 §3.2: codes 0–15 are the sixteen keys, 16 is flash, the rest are not keys.
        #expect(DTMFDigit.allCases.count == 16)
        #expect(TelephoneEvent(event: 11, duration: 0).digit == .pound)
        #expect(TelephoneEvent(event: 10, duration: 0).digit == .star)
        #expect(TelephoneEvent(event: 15, duration: 0).digit == .d)
        #expect(TelephoneEvent(event: 7, duration: 0).digit == .seven)
        #expect(TelephoneEvent(event: TelephoneEvent.flash, duration: 0).digit == nil)
        #expect(TelephoneEvent(event: 32, duration: 0).digit == nil)
        #expect(DTMFDigit("d") == .d && DTMFDigit("E") == nil && DTMFDigit.a.description == "A")
        for d in DTMFDigit.allCases { #expect(TelephoneEvent(event: d.rawValue, duration: 0).digit == d) }
    }

    @Test func encoderSequence() {
        // 100 ms at 8 kHz with 20 ms packets: 5 intervals, the last also the first end packet.
        let p = TelephoneEventEncoder.packets(event: 5, timestamp: 1000, duration: 800, ticksPerPacket: 160)
        #expect(p.count == 7)
        #expect(p.map(\.marker) == [true, false, false, false, false, false, false])
        #expect(p.allSatisfy { $0.timestamp == 1000 })
        #expect(p.map(\.event.duration) == [160, 320, 480, 640, 800, 800, 800])
        #expect(p.map(\.event.isEnd) == [false, false, false, false, true, true, true])
        // The three end packets are identical, so retransmission is harmless.
        #expect(p[4] == p[5] && p[5] == p[6])
    }

    @Test func encoderRefusesOverlapAndIdlesAfter() {
        var e = TelephoneEventEncoder(ticksPerPacket: 160)
        let idle = e.nextPacket()
        #expect(idle == nil)
        let first = e.start(event: 1, timestamp: 0)
        let overlapping = e.start(event: 2, timestamp: 0)
        #expect(first && !overlapping)
        _ = e.nextPacket()
        e.stop()
        for _ in 0..<3 {
            let p = e.nextPacket()
            #expect(p?.event.isEnd == true)
        }
        let after = e.nextPacket()
        #expect(after == nil && !e.isBusy)
        let again = e.start(event: 2, timestamp: 960)
        #expect(again)
    }

    @Test func longDurationEventSegments() {
        // 10 s at 8 kHz = 80000 ticks: one full 0xFFFF segment, then the rest.
        let p = TelephoneEventEncoder.packets(event: 0, timestamp: 4_294_960_000, duration: 80_000, ticksPerPacket: 160)
        let firstSegment = p.filter { $0.timestamp == 4_294_960_000 }
        #expect(firstSegment.last?.event.duration == 65535 && firstSegment.last?.event.isEnd == false)
        let second = p.filter { $0.timestamp == 4_294_960_000 &+ 65535 }
        #expect(second.first?.marker == false)
        #expect(second.last?.event.isEnd == true)
        #expect(Int(second.last!.event.duration) == 80_000 - 65535)
        #expect(p.filter(\.marker).count == 1)
        // The decoder joins the segments into one 80000-tick event across the timestamp wrap.
        var d = TelephoneEventDecoder()
        var ended: [TelephoneEventDecoder.DigitEvent] = []
        for q in p {
            let u = d.receive(marker: q.marker, timestamp: q.timestamp, event: q.event)
            if let e = u.interrupted { ended.append(e) }
            if let e = u.ended { ended.append(e) }
        }
        #expect(ended.count == 1)
        #expect(ended.first?.duration == 80_000 && ended.first?.endSeen == true && ended.first?.timestamp == 4_294_960_000)
    }

    @Test func stopExactlyAtSegmentBoundary() {
        // 65535 is not a multiple of 160; use 65535 = 3 · 21845 ticks per packet.
        let p = TelephoneEventEncoder.packets(event: 3, timestamp: 0, duration: 65535, ticksPerPacket: 21845)
        #expect(p.map(\.event.duration) == [21845, 43690, 65535, 65535, 65535])
        #expect(p.allSatisfy { $0.timestamp == 0 })
        // One packet past the boundary: the remainder is a new short segment.
        let q = TelephoneEventEncoder.packets(event: 3, timestamp: 0, duration: 65536, ticksPerPacket: 21845)
        #expect(q.last?.timestamp == 65535 && q.last?.event.isEnd == true && q.last?.event.duration == 21845)
    }

    @Test func decoderDedupesRetransmittedEnds() {
        var d = TelephoneEventDecoder()
        let p = TelephoneEventEncoder.packets(event: 11, timestamp: 5000, duration: 1600, ticksPerPacket: 160)
        var ended: [TelephoneEventDecoder.DigitEvent] = []
        var began = 0
        for q in p + [p.last!, p.last!] {  // extra duplicates of the end
            let u = d.receive(marker: q.marker, timestamp: q.timestamp, event: q.event)
            if u.began != nil { began += 1 }
            if let e = u.ended { ended.append(e) }
        }
        #expect(began == 1 && ended.count == 1)
        #expect(ended[0].digit == .pound && ended[0].duration == 1600 && ended[0].durationMilliseconds(clockRate: 8000) == 200)
        // A late update of that event after its end is ignored too.
        let late = d.receive(marker: false, timestamp: 5000, event: TelephoneEvent(event: 11, duration: 800))
        #expect(late.began == nil && late.ended == nil && d.inProgress == nil)
    }

    @Test func decoderLostEndPacketsClosedByNextEventOrTimeout() {
        var d = TelephoneEventDecoder()
        _ = d.receive(marker: true, timestamp: 0, event: TelephoneEvent(event: 1, duration: 160))
        _ = d.receive(marker: false, timestamp: 0, event: TelephoneEvent(event: 1, duration: 480))
        // Reordered, older update: duration must not go backwards.
        _ = d.receive(marker: false, timestamp: 0, event: TelephoneEvent(event: 1, duration: 320))
        #expect(d.inProgress?.duration == 480)
        // Ends lost; next digit starts.
        let u = d.receive(marker: true, timestamp: 4000, event: TelephoneEvent(event: 2, duration: 160))
        #expect(u.interrupted?.event == 1 && u.interrupted?.duration == 480 && u.interrupted?.endSeen == false)
        #expect(u.began == 2)
        // No further packets: expire after 400 ticks past the last reported end (4160).
        let early = d.expire(now: 4400, timeout: 400)
        #expect(early == nil)
        let e = d.expire(now: 4561, timeout: 400)
        #expect(e?.event == 2 && e?.duration == 160 && e?.endSeen == false)
        #expect(d.inProgress == nil)
    }

    @Test func decoderLostStartStillReportsEvent() {
        var d = TelephoneEventDecoder()
        // Only the end packets arrive (start and updates lost).
        let u = d.receive(marker: false, timestamp: 800, event: TelephoneEvent(event: 16, isEnd: true, duration: 1200))
        #expect(u.began == 16 && u.ended?.event == TelephoneEvent.flash && u.ended?.digit == nil && u.ended?.duration == 1200)
        let again = d.receive(marker: false, timestamp: 800, event: TelephoneEvent(event: 16, isEnd: true, duration: 1200))
        #expect(again.ended == nil)
    }

    @Test func decoderSameDigitTwiceIsTwoEvents() {
        var d = TelephoneEventDecoder()
        var ended = 0
        for start: UInt32 in [UInt32.max - 1000, 1000] {  // second press after the timestamp wraps
            for q in TelephoneEventEncoder.packets(event: 7, timestamp: start, duration: 640, ticksPerPacket: 160) {
                if d.receive(marker: q.marker, timestamp: q.timestamp, event: q.event).ended != nil { ended += 1 }
            }
        }
        #expect(ended == 2)
    }

    @Test func everyDigitRoundTripsThroughRTP() throws {
        var d = TelephoneEventDecoder()
        var got: [DTMFDigit] = []
        var ended = 0
        var ts: UInt32 = 0
        var seq: UInt16 = 0
        for digit in DTMFDigit.allCases {
            for q in TelephoneEventEncoder.packets(event: digit.rawValue, timestamp: ts, duration: 800, ticksPerPacket: 160) {
                let bytes = try RTPPacket.serialize(
                    header: RTPHeader(marker: q.marker, payloadType: 101, sequenceNumber: seq, timestamp: q.timestamp, ssrc: 1),
                    payload: q.event.bytes)
                seq &+= 1
                let parsed = try RTPPacket(parsing: bytes)
                let ev = try bytes.withUnsafeBytes { raw in try TelephoneEvent(parsing: parsed.payload(in: raw)) }
                if let e = d.receive(marker: parsed.header.marker, timestamp: parsed.header.timestamp, event: ev).ended {
                    got.append(try #require(e.digit))
                    #expect(e.duration == 800)
                }
            }
            ts &+= 1600
        }
        #expect(got == DTMFDigit.allCases)
        // Flash travels as event 16 and is reported as an event without a key.
        for q in TelephoneEventEncoder.packets(event: TelephoneEvent.flash, timestamp: ts, duration: 800, ticksPerPacket: 160) {
            if let e = d.receive(marker: q.marker, timestamp: q.timestamp, event: q.event).ended {
                #expect(e.event == TelephoneEvent.flash && e.digit == nil && e.duration == 800)
                ended += 1
            }
        }
        #expect(ended == 1)
    }
}
