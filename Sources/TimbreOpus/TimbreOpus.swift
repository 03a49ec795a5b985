// TimbreOpus
//
// Opus through libopus: OpusEncoder/OpusDecoder (RFC 7587) and Ogg Opus files (RFC 7845).
