// Same-input throughput of Timbre's codec kernels, for `peers/codecs/run.sh`.
//
// Usage: codec-peer-runner PCM8K.raw PCM16K.raw [KERNEL [PASSES]]
// Prints one line per kernel: `timbre <kernel> <frameSamples> <samplesPerSecond>`, the format the
// C harness (`peers.c`) prints for the peers, so the script can put ratios side by side.
// Timing: best of PASSES (default 7) passes over the whole input (≥ 1 M samples) on the thread's
// CPU-time clock (PEER_CLOCK=wall: the monotonic clock), each pass
// calling the kernel frame by frame (160 or 320 samples at a time, state carried) or on the whole
// buffer (frame 0). KERNEL (e.g. g722.encode) runs only that kernel: `run.sh` uses it, with
// PASSES 1 and 3, for callgrind instruction counts.
import TimbreCodecs
import TimbreCore

#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's CPU time (descheduled time on a loaded machine does not count), or the
/// monotonic wall clock with PEER_CLOCK=wall: the same clock as the C harness.
let timingClock = getenv("PEER_CLOCK").map { String(cString: $0) } == "wall" ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID

func now() -> Double {
    var ts = timespec()
    clock_gettime(timingClock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func readRaw(_ path: String) -> [Int16] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var samples: [Int16] = []
    var chunk = [Int16](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 2, 65536, file) }
        if n == 0 { break }
        samples.append(contentsOf: chunk[0..<n])
    }
    return samples
}

let arguments = CommandLine.arguments
guard (3...5).contains(arguments.count), arguments.count < 5 || Int(arguments[4]).map({ $0 >= 1 }) == true else {
    print("usage: codec-peer-runner PCM8K.raw PCM16K.raw [KERNEL [PASSES]]")
    exit(2)
}
let onlyKernel = arguments.count > 3 ? arguments[3] : nil
let passCount = arguments.count > 4 ? Int(arguments[4])! : 7

func wanted(_ kernel: String) -> Bool { onlyKernel == nil || onlyKernel == kernel }

/// Best samples/s over `passes` runs of `body`, which processes `samples` samples.
@inline(never)
func measure(samples: Int, passes: Int = passCount, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<passes {
        let start = now()
        body()
        best = min(best, now() - start)
    }
    return Double(samples) / best
}

func report(_ kernel: String, _ frame: Int, _ rate: Double) {
    print("timbre \(kernel) \(frame) \(Int(rate))")
}

let narrow = readRaw(arguments[1])
let wide = readRaw(arguments[2])
var codes = [UInt8](repeating: 0, count: max(narrow.count, wide.count))
var pcmOut = [Int16](repeating: 0, count: max(narrow.count, wide.count) * 2)
var sink = 0

narrow.withUnsafeBufferPointer { pcm in
    codes.withUnsafeMutableBufferPointer { out in
        for (name, kernel) in [("pcmu.encode", G711.encodeMuLaw), ("pcma.encode", G711.encodeALaw)] as [(String, (UnsafeBufferPointer<Int16>, UnsafeMutableBufferPointer<UInt8>) -> Void)] where wanted(name) {
            report(name, 0, measure(samples: pcm.count) { kernel(pcm, out) })
            report(name, 160, measure(samples: pcm.count) {
                var i = 0
                while i + 160 <= pcm.count {
                    kernel(UnsafeBufferPointer(rebasing: pcm[i..<(i + 160)]), UnsafeMutableBufferPointer(rebasing: out[i..<(i + 160)]))
                    i += 160
                }
            })
            sink &+= Int(out[12345])
        }
    }
}
for (name, encode, decode) in [
    ("pcmu.decode", G711.encodeMuLaw, G711.decodeMuLaw), ("pcma.decode", G711.encodeALaw, G711.decodeALaw),
] as [(String, (UnsafeBufferPointer<Int16>, UnsafeMutableBufferPointer<UInt8>) -> Void, (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<Int16>) -> Void)] where wanted(name) {
    narrow.withUnsafeBufferPointer { pcm in codes.withUnsafeMutableBufferPointer { encode(pcm, $0) } }
    codes.withUnsafeBufferPointer { allCodes in
        let input = UnsafeBufferPointer(rebasing: allCodes[0..<narrow.count])
        pcmOut.withUnsafeMutableBufferPointer { out in
            report(name, 0, measure(samples: input.count) { decode(input, out) })
            report(name, 160, measure(samples: input.count) {
                var i = 0
                while i + 160 <= input.count {
                    decode(UnsafeBufferPointer(rebasing: input[i..<(i + 160)]), UnsafeMutableBufferPointer(rebasing: out[i..<(i + 160)]))
                    i += 160
                }
            })
            sink &+= Int(out[12345])
        }
    }
}

// G.722: 20 ms frames (320 samples → 160 octets), state carried through the whole input.
var g722Octets = [UInt8](repeating: 0, count: wide.count / 2)
wide.withUnsafeBufferPointer { pcm in
    g722Octets.withUnsafeMutableBytes { out in
        func encodeAll() {
            var encoder = G722Encoder()
            var i = 0
            while i + 320 <= pcm.count {
                _ = try! encoder.encode(UnsafeBufferPointer(rebasing: pcm[i..<(i + 320)]),
                                        into: UnsafeMutableRawBufferPointer(rebasing: out[(i / 2)..<(i / 2 + 160)]))
                i += 320
            }
        }
        if wanted("g722.encode") {
            report("g722.encode", 320, measure(samples: pcm.count, encodeAll))
        } else {
            encodeAll()  // the decoder's input
        }
    }
}
if wanted("g722.decode") {
    g722Octets.withUnsafeBytes { octets in
        pcmOut.withUnsafeMutableBufferPointer { out in
            let usable = octets.count / 160 * 160
            let rate = measure(samples: usable * 2) {
                var decoder = G722Decoder()
                var i = 0
                while i + 160 <= usable {
                    _ = try! decoder.decode(UnsafeRawBufferPointer(rebasing: octets[i..<(i + 160)]),
                                            into: UnsafeMutableBufferPointer(rebasing: out[(2 * i)..<(2 * i + 320)]))
                    i += 160
                }
            }
            report("g722.decode", 320, rate)
            sink &+= Int(out[12345])
        }
    }
}
if sink == 42 { print("") }  // keeps the outputs observable
