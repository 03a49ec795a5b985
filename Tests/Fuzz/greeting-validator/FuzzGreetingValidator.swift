// libFuzzer entry: every input is written to a file (with each accepted extension in turn) and
// validated against the yeastar profile. The validator must never trap, whatever the header
// claims; libsndfile decoding runs too when the structure passes.
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var scratch: String = {
    "/dev/shm/fuzz-greeting-\(getpid())"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    for ext in ["wav", "gsm", "mp3"] {
        let path = scratch + "." + ext
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if fd < 0 { return 0 }
        _ = write(fd, data, size)
        close(fd)
        if let r = try? GreetingValidator(profile: .yeastar).validate(path: path) {
            // Invariants: a valid report has no problems; sizes are the real size.
            precondition(r.valid == r.problems.isEmpty)
            precondition(r.format.sizeBytes == size)
        }
        unlink(path)
    }
    return 0
}
