// TimbreSDP
//
// SDP (RFC 4566/8866) and RFC 3264 offer/answer for audio.
