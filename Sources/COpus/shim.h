#ifndef TIMBRE_COPUS_SHIM_H
#define TIMBRE_COPUS_SHIM_H
#include <opus.h>
/* opus_encoder_ctl / opus_decoder_ctl are variadic with request macros: Swift cannot call
   them, so each request we use gets a typed static inline wrapper here. */
static inline int timbre_opus_set_bitrate(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_BITRATE(v)); }
static inline int timbre_opus_set_complexity(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_COMPLEXITY(v)); }
static inline int timbre_opus_set_vbr(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_VBR(v)); }
static inline int timbre_opus_set_dtx(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_DTX(v)); }
static inline int timbre_opus_set_inband_fec(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_INBAND_FEC(v)); }
static inline int timbre_opus_set_packet_loss_perc(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_PACKET_LOSS_PERC(v)); }
static inline int timbre_opus_set_bandwidth(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_BANDWIDTH(v)); }
static inline int timbre_opus_set_max_bandwidth(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_MAX_BANDWIDTH(v)); }
static inline int timbre_opus_set_signal(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_SIGNAL(v)); }
static inline int timbre_opus_get_lookahead(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_LOOKAHEAD(v)); }
static inline int timbre_opus_set_vbr_constraint(OpusEncoder *st, opus_int32 v) { return opus_encoder_ctl(st, OPUS_SET_VBR_CONSTRAINT(v)); }
static inline int timbre_opus_get_bitrate(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_BITRATE(v)); }
static inline int timbre_opus_get_inband_fec(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_INBAND_FEC(v)); }
static inline int timbre_opus_get_dtx(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_DTX(v)); }
static inline int timbre_opus_get_complexity(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_COMPLEXITY(v)); }
static inline int timbre_opus_get_packet_loss_perc(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_PACKET_LOSS_PERC(v)); }
static inline int timbre_opus_get_vbr(OpusEncoder *st, opus_int32 *v) { return opus_encoder_ctl(st, OPUS_GET_VBR(v)); }
/* Output gain in Q8 dB (RFC 7845 OpusHead output gain is the same unit). */
static inline int timbre_opus_decoder_set_gain(OpusDecoder *st, opus_int32 v) { return opus_decoder_ctl(st, OPUS_SET_GAIN(v)); }
static inline int timbre_opus_encoder_reset(OpusEncoder *st) { return opus_encoder_ctl(st, OPUS_RESET_STATE); }
static inline int timbre_opus_decoder_reset(OpusDecoder *st) { return opus_decoder_ctl(st, OPUS_RESET_STATE); }
static inline int timbre_opus_decoder_get_last_packet_duration(OpusDecoder *st, opus_int32 *v) { return opus_decoder_ctl(st, OPUS_GET_LAST_PACKET_DURATION(v)); }
#endif
