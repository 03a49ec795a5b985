/* Peer for Timbre's Opus wrapper: the same work `timbre bench --kernel opus` does, calling
 * libopus directly from C. Same input (a SampleAudio speech WAV read with libsndfile, mono
 * 48 kHz), same settings (OPUS_APPLICATION_VOIP, bitrate, complexity, VBR + constrained VBR,
 * no FEC/DTX), same 20 ms frames, one warm-up pass, then passes over the whole input either
 * for SECONDS of wall time or exactly PASSES times; rates per CPU second of the thread. Prints one JSON line like a `timbre bench --json` row.
 *
 * usage: opus_peer WAV encode|decode BITRATE COMPLEXITY (--seconds S | --passes N)
 * Written for Timbre; not derived from any other harness. */
#include <opus.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME 960
#define SLOT 3832 /* Timbre's maximumPayloadSize for 20 ms: 1275 * 3 + 7 */

static double seconds_of(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
/* Wall time bounds the run; rates are per second of this thread's CPU time, as in
   `timbre bench`, so load from other processes does not distort the comparison. */
static double now(void) { return seconds_of(CLOCK_MONOTONIC); }
static double cpu(void) { return seconds_of(CLOCK_THREAD_CPUTIME_ID); }

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s WAV encode|decode BITRATE COMPLEXITY --seconds S|--passes N\n", argv[0]);
        return 2;
    }
    SF_INFO info = {0};
    SNDFILE *f = sf_open(argv[1], SFM_READ, &info);
    if (!f || info.channels != 1 || info.samplerate != 48000) {
        fprintf(stderr, "%s: need a mono 48 kHz file\n", argv[1]);
        return 2;
    }
    int frames = (int)(info.frames / FRAME);
    short *pcm = malloc(sizeof(short) * frames * FRAME);
    sf_readf_short(f, pcm, (sf_count_t)frames * FRAME);
    sf_close(f);
    int decode = strcmp(argv[2], "decode") == 0;
    int bitrate = atoi(argv[3]), complexity = atoi(argv[4]);
    int bySeconds = strcmp(argv[5], "--seconds") == 0;
    double seconds = bySeconds ? atof(argv[6]) : 0;
    int passes = bySeconds ? 0 : atoi(argv[6]);

    int err = 0;
    OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
    OpusDecoder *dec = opus_decoder_create(48000, 1, &err);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate));
    opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
    opus_encoder_ctl(enc, OPUS_SET_VBR(1));
    opus_encoder_ctl(enc, OPUS_SET_VBR_CONSTRAINT(1));
    opus_encoder_ctl(enc, OPUS_SET_DTX(0));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(0));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(0));
    unsigned char *packets = malloc((size_t)frames * SLOT);
    int *lengths = malloc(sizeof(int) * frames);
    short out[5760];

    int warm = 0;
    /* One pass: the warm-up, and (for decode) the packets to decode. */
    for (int i = 0; i < frames; i++)
        lengths[i] = opus_encode(enc, pcm + i * FRAME, FRAME, packets + (size_t)i * SLOT, SLOT);
    if (decode)
        for (int i = 0; i < frames; i++) warm += opus_decode(dec, packets + (size_t)i * SLOT, lengths[i], out, 5760, 0);

    double start = now(), cpuStart = cpu(), elapsed = 0;
    long long samples = 0;
    int done = 0;
    volatile int sink = warm;
    do {
        if (decode) {
            for (int i = 0; i < frames; i++)
                samples += opus_decode(dec, packets + (size_t)i * SLOT, lengths[i], out, 5760, 0);
            sink += out[100];
        } else {
            for (int i = 0; i < frames; i++)
                lengths[i] = opus_encode(enc, pcm + i * FRAME, FRAME, packets + (size_t)i * SLOT, SLOT);
            samples += (long long)frames * FRAME;
        }
        done++;
        elapsed = now() - start;
    } while (bySeconds ? elapsed < seconds : done < passes);
    elapsed = cpu() - cpuStart;
    printf("{\"kernel\": \"libopus.%s\", \"frameSamples\": %d, \"samplesPerSecond\": %.0f, "
           "\"realtimeFactor\": %.1f, \"sampleRate\": 48000, \"bitrate\": %d, \"complexity\": %d}\n",
           decode ? "decode" : "encode", FRAME, samples / elapsed, samples / elapsed / 48000.0, bitrate,
           complexity);
    opus_encoder_destroy(enc);
    opus_decoder_destroy(dec);
    free(pcm);
    free(packets);
    free(lengths);
    return 0;
}
