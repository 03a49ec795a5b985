// TimbreRTP
//
// RTP and RTCP (RFC 3550, RFC 8285 header extensions) and RFC 4733 telephone events.
