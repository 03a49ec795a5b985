/// A plain scalar transcription of the ITU-T G.191 `g711.c` algorithms (compress/expand, one
/// sample at a time, with the standard's loops and branches), written from the recommendation's
/// description. The vectorised kernels in `G711` must agree with it on every input.
enum G191Reference {
    static func aLawCompress(_ sample: Int16) -> UInt8 {
        let x = Int(sample)
        var ix = x < 0 ? (~x) >> 4 : x >> 4  // one's complement, 13 bits kept
        if ix > 15 {
            var exponent = 1
            while ix > 16 + 15 {
                ix >>= 1
                exponent += 1
            }
            ix -= 16
            ix += exponent << 4
        }
        if x >= 0 { ix |= 0x80 }
        return UInt8(ix ^ 0x55)
    }

    static func aLawExpand(_ code: UInt8) -> Int16 {
        var ix = Int(code) ^ 0x55
        ix &= 0x7F
        let exponent = ix >> 4
        var mantissa = ix & 0x0F
        if exponent > 0 { mantissa += 16 }
        mantissa = (mantissa << 4) + 8
        if exponent > 1 { mantissa <<= exponent - 1 }
        return Int16(code > 127 ? mantissa : -mantissa)
    }

    static func muLawCompress(_ sample: Int16) -> UInt8 {
        let x = Int(sample)
        var absolute = x < 0 ? ((~x) >> 2) + 33 : (x >> 2) + 33  // 14 bits kept, biased
        if absolute > 0x1FFF { absolute = 0x1FFF }
        var i = absolute >> 6
        var segment = 1
        while i != 0 {
            segment += 1
            i >>= 1
        }
        let highNibble = 0x8 - segment
        let lowNibble = 0xF - ((absolute >> segment) & 0xF)
        var out = (highNibble << 4) | lowNibble
        if x >= 0 { out |= 0x80 }
        return UInt8(out)
    }

    static func muLawExpand(_ code: UInt8) -> Int16 {
        let sign = code < 0x80 ? -1 : 1
        let inverted = ~Int(code)
        let exponent = (inverted >> 4) & 0x7
        let segment = exponent + 1
        let mantissa = inverted & 0xF
        let step = 4 << segment
        return Int16(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33))
    }
}
