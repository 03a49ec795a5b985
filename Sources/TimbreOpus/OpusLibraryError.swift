internal import COpus
import TimbreCodecs

extension CodecError {
    /// Wraps a negative libopus return code with the library's own message (`opus_strerror`).
    static func opus(_ code: Int32) -> CodecError {
        .library(code: code, message: "libopus: " + String(cString: opus_strerror(code)))
    }
}

/// Throws when a libopus call returned an error code (negative), for set-up calls.
@inline(__always)
func checkOpus(_ code: Int32) throws(CodecError) {
    if code < 0 { throw .opus(code) }
}
