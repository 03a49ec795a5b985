import Testing
import TimbreRTP

@Suite struct SerialNumberTests {
    @Test func distancesAcrossWrap() {
        #expect(SerialNumber.distance(from: UInt16(65535), to: 0) == 1)
        #expect(SerialNumber.distance(from: UInt16(0), to: 65535) == -1)
        #expect(SerialNumber.distance(from: UInt16(100), to: 100 + 32767) == 32767)
        #expect(SerialNumber.isNewer(UInt16(2), than: 65530))
        #expect(!SerialNumber.isNewer(UInt16(65530), than: 2))
        #expect(SerialNumber.distance(from: UInt32.max - 159, to: UInt32(0)) == 160)
        #expect(SerialNumber.isNewer(UInt32(5), than: UInt32.max))
    }

    @Test func sequenceUnwrapsThroughSeveralCycles() {
        var u = SequenceNumberUnwrapper()
        var expected: Int64 = 65000
        var seq: UInt16 = 65000
        #expect(u.unwrap(seq) == expected)
        for _ in 0..<200_000 {
            seq &+= 1
            expected += 1
            #expect(u.unwrap(seq) == expected)
        }
        #expect(u.highest == 265_000)
        // A reordered packet from before the last wrap unwraps below the highest.
        let late = seq &- 10
        #expect(u.unwrap(late) == expected - 10)
        #expect(u.highest == expected)
    }

    @Test func reorderedAcrossWrap() {
        var u = SequenceNumberUnwrapper()
        #expect(u.unwrap(65534) == 65534)
        #expect(u.unwrap(1) == 65537)
        #expect(u.unwrap(65535) == 65535)
        #expect(u.unwrap(0) == 65536)
        #expect(u.highest == 65537)
        u.reset()
        #expect(u.unwrap(7) == 7)
    }

    @Test func timestampUnwrap() {
        var u = TimestampUnwrapper()
        #expect(u.unwrap(UInt32.max - 159) == Int64(UInt32.max) - 159)
        #expect(u.unwrap(0) == Int64(UInt32.max) + 1)
        #expect(u.unwrap(160) == Int64(UInt32.max) + 161)
        #expect(u.unwrap(UInt32.max - 159) == Int64(UInt32.max) - 159)  // late duplicate
    }
}
