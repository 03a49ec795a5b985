/*
 * Same-input throughput of the C peers for Timbre's G.711 and G.722 kernels.
 *
 * Usage: codec-peers PCM8K.raw PCM16K.raw [KERNEL [PASSES [IMPL]]]
 * Prints `<impl> <kernel> <frameSamples> <samplesPerSecond>` lines, like the Swift runner.
 * KERNEL (e.g. g722.encode) and IMPL (e.g. ffmpeg) run only those rows, PASSES (default 7) sets
 * the passes per row: `run.sh` uses them for callgrind instruction counts of single kernels.
 * Peers: a plain 64K-entry encode / 256-entry decode table (the best-known scalar G.711, built
 * here from libspandsp's per-sample functions so the codes are the same), libspandsp
 * (Debian's libspandsp2: linear_to_ulaw/alaw are inline in its header, so they are compiled
 * with this file's flags; g722_encode/decode are the shared library's), and libavcodec
 * (adpcm_g722 through the public send/receive API, 20 ms frames).
 * Timing: best of PASSES passes over the input, on the calling thread's CPU-time clock
 * (CLOCK_THREAD_CPUTIME_ID), so time spent descheduled on a loaded machine is not counted;
 * PEER_CLOCK=wall in the environment switches to CLOCK_MONOTONIC. The Swift runner does the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>
#include <libavcodec/avcodec.h>

static clockid_t timing_clock = CLOCK_THREAD_CPUTIME_ID;

static double now(void) {
    struct timespec ts;
    clock_gettime(timing_clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int16_t *read_raw(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *x = malloc(bytes);
    if (fread(x, 1, bytes, f) != (size_t) bytes) { perror(path); exit(2); }
    fclose(f);
    *count = bytes / 2;
    return x;
}

static int passes = 7;
static const char *only_kernel, *only_impl;

static int wanted(const char *impl, const char *kernel) {
    return (!only_kernel || strcmp(only_kernel, kernel) == 0) && (!only_impl || strcmp(only_impl, impl) == 0);
}

#define MEASURE(impl, kernel, frame, samples, body) if (wanted(impl, kernel)) { \
        double best = 1e30;                                          \
        for (int pass = 0; pass < passes; pass++) {                  \
            double t0 = now();                                       \
            body;                                                    \
            double t = now() - t0;                                   \
            if (t < best) best = t;                                  \
        }                                                            \
        printf("%s %s %d %.0f\n", impl, kernel, frame, (samples) / best); \
    }

static uint8_t ulaw_table[65536], alaw_table[65536];
static int16_t ulaw_dec_table[256], alaw_dec_table[256];

__attribute__((noinline)) static void table_encode(const uint8_t *table, const int16_t *x, uint8_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = table[(uint16_t) x[i]];
}
__attribute__((noinline)) static void table_decode(const int16_t *table, const uint8_t *x, int16_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = table[x[i]];
}
__attribute__((noinline)) static void spandsp_ulaw_encode(const int16_t *x, uint8_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = linear_to_ulaw(x[i]);
}
__attribute__((noinline)) static void spandsp_alaw_encode(const int16_t *x, uint8_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = linear_to_alaw(x[i]);
}
__attribute__((noinline)) static void spandsp_ulaw_decode(const uint8_t *x, int16_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = ulaw_to_linear(x[i]);
}
__attribute__((noinline)) static void spandsp_alaw_decode(const uint8_t *x, int16_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = alaw_to_linear(x[i]);
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 6) { fprintf(stderr, "usage: codec-peers PCM8K.raw PCM16K.raw [KERNEL [PASSES [IMPL]]]\n"); return 2; }
    if (argc > 3) only_kernel = argv[3];
    if (argc > 4) passes = atoi(argv[4]);
    if (argc > 5) only_impl = argv[5];
    if (passes < 1) { fprintf(stderr, "PASSES must be at least 1\n"); return 2; }
    const char *clock_name = getenv("PEER_CLOCK");
    if (clock_name != NULL && strcmp(clock_name, "wall") == 0) timing_clock = CLOCK_MONOTONIC;
    size_t n8, n16;
    int16_t *narrow = read_raw(argv[1], &n8);
    int16_t *wide = read_raw(argv[2], &n16);
    size_t big = n8 > n16 ? n8 : n16;
    uint8_t *codes = malloc(big);
    int16_t *out = malloc(big * 4);
    long sink = 0;

    for (int i = 0; i < 65536; i++) {
        ulaw_table[i] = linear_to_ulaw((int16_t) i);
        alaw_table[i] = linear_to_alaw((int16_t) i);
    }
    for (int i = 0; i < 256; i++) {
        ulaw_dec_table[i] = ulaw_to_linear(i);
        alaw_dec_table[i] = alaw_to_linear(i);
    }

    /* G.711, whole buffer (frame 0) and 160-sample frames. */
    MEASURE("table64k", "pcmu.encode", 0, n8, table_encode(ulaw_table, narrow, codes, n8));
    MEASURE("table64k", "pcmu.encode", 160, n8, for (size_t i = 0; i + 160 <= n8; i += 160) table_encode(ulaw_table, narrow + i, codes + i, 160));
    MEASURE("spandsp", "pcmu.encode", 0, n8, spandsp_ulaw_encode(narrow, codes, n8));
    MEASURE("table64k", "pcma.encode", 0, n8, table_encode(alaw_table, narrow, codes, n8));
    MEASURE("table64k", "pcma.encode", 160, n8, for (size_t i = 0; i + 160 <= n8; i += 160) table_encode(alaw_table, narrow + i, codes + i, 160));
    MEASURE("spandsp", "pcma.encode", 0, n8, spandsp_alaw_encode(narrow, codes, n8));
    sink += codes[12345];
    table_encode(ulaw_table, narrow, codes, n8);
    MEASURE("table256", "pcmu.decode", 0, n8, table_decode(ulaw_dec_table, codes, out, n8));
    MEASURE("table256", "pcmu.decode", 160, n8, for (size_t i = 0; i + 160 <= n8; i += 160) table_decode(ulaw_dec_table, codes + i, out + i, 160));
    MEASURE("spandsp", "pcmu.decode", 0, n8, spandsp_ulaw_decode(codes, out, n8));
    table_encode(alaw_table, narrow, codes, n8);
    MEASURE("table256", "pcma.decode", 0, n8, table_decode(alaw_dec_table, codes, out, n8));
    MEASURE("table256", "pcma.decode", 160, n8, for (size_t i = 0; i + 160 <= n8; i += 160) table_decode(alaw_dec_table, codes + i, out + i, 160));
    MEASURE("spandsp", "pcma.decode", 0, n8, spandsp_alaw_decode(codes, out, n8));
    sink += out[12345];

    /* G.722 with libspandsp, 20 ms frames, one stream. */
    size_t usable = n16 / 320 * 320;
    MEASURE("spandsp", "g722.encode", 320, usable, {
        g722_encode_state_t *s = g722_encode_init(NULL, 64000, 0);
        for (size_t i = 0; i < usable; i += 320) g722_encode(s, codes + i / 2, wide + i, 320);
        g722_encode_free(s);
    });
    {   /* The decoders' input, also when the encode rows are filtered out (the encoders agree). */
        g722_encode_state_t *s = g722_encode_init(NULL, 64000, 0);
        g722_encode(s, codes, wide, (int) usable);
        g722_encode_free(s);
    }
    MEASURE("spandsp", "g722.decode", 320, usable, {
        g722_decode_state_t *s = g722_decode_init(NULL, 64000, 0);
        for (size_t i = 0; i < usable / 2; i += 160) g722_decode(s, out + 2 * i, codes + i, 160);
        g722_decode_free(s);
    });
    sink += out[12345];

    /* G.722 with libavcodec, 20 ms frames through the public API. */
    const AVCodec *encoder = avcodec_find_encoder(AV_CODEC_ID_ADPCM_G722);
    const AVCodec *decoder = avcodec_find_decoder(AV_CODEC_ID_ADPCM_G722);
    AVFrame *frame = av_frame_alloc();
    AVPacket *packet = av_packet_alloc();
    MEASURE("ffmpeg", "g722.encode", 320, usable, {
        AVCodecContext *c = avcodec_alloc_context3(encoder);
        c->sample_rate = 16000;
        c->sample_fmt = AV_SAMPLE_FMT_S16;
        av_channel_layout_default(&c->ch_layout, 1);
        c->frame_size = 320;
        if (avcodec_open2(c, encoder, NULL) < 0) { fprintf(stderr, "ffmpeg g722 encoder open failed\n"); exit(1); }
        frame->nb_samples = 320;
        frame->format = AV_SAMPLE_FMT_S16;
        av_channel_layout_default(&frame->ch_layout, 1);
        for (size_t i = 0; i < usable; i += 320) {
            frame->data[0] = (uint8_t *) (wide + i);
            frame->linesize[0] = 640;
            avcodec_send_frame(c, frame);
            while (avcodec_receive_packet(c, packet) == 0) {
                memcpy(codes + i / 2, packet->data, packet->size);
                av_packet_unref(packet);
            }
        }
        avcodec_free_context(&c);
    });
    MEASURE("ffmpeg", "g722.decode", 320, usable, {
        AVCodecContext *c = avcodec_alloc_context3(decoder);
        c->sample_rate = 16000;
        av_channel_layout_default(&c->ch_layout, 1);
        if (avcodec_open2(c, decoder, NULL) < 0) { fprintf(stderr, "ffmpeg g722 decoder open failed\n"); exit(1); }
        AVFrame *decoded = av_frame_alloc();
        for (size_t i = 0; i < usable / 2; i += 160) {
            packet->data = codes + i;
            packet->size = 160;
            avcodec_send_packet(c, packet);
            while (avcodec_receive_frame(c, decoded) == 0) {
                memcpy(out + 2 * i, decoded->data[0], decoded->nb_samples * 2);
                av_frame_unref(decoded);
            }
        }
        packet->data = NULL;
        packet->size = 0;
        av_frame_free(&decoded);
        avcodec_free_context(&c);
    });
    sink += out[12345];
    if (sink == 42) printf("\n");
    return 0;
}
