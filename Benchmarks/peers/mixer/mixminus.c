/*
 * A straightforward C mix-minus kernel: the peer Timbre's bridge is compared with.
 *
 * Per 20 ms tick at 16 kHz (320 samples): sum all N int16 inputs into an int32 bus, then for
 * each participant out = clamp16(bus - in_i). This is the textbook kernel (pjmedia's conference
 * bridge and most PBX mixers do this plus per-port level/gain bookkeeping); it has no limiter,
 * no fades and no speaker detection, so it is a lower bound on what a bridge must do.
 *
 * Build: cc -O3 -march=native -o mixminus mixminus.c
 * Usage: mixminus N [seconds] [ticks] [copy|direct]   prints CPU ns per tick and per
 * participant-tick (CLOCK_THREAD_CPUTIME_ID, so other load on the machine does not count).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#define F 320

static void mix_minus(int n, const int16_t *restrict in, int16_t *restrict out, int32_t *restrict bus) {
    memset(bus, 0, F * sizeof(int32_t));
    for (int i = 0; i < n; i++) {
        const int16_t *x = in + (size_t)i * F;
        for (int k = 0; k < F; k++) bus[k] += x[k];
    }
    for (int i = 0; i < n; i++) {
        const int16_t *x = in + (size_t)i * F;
        int16_t *y = out + (size_t)i * F;
        for (int k = 0; k < F; k++) {
            int32_t v = bus[k] - x[k];
            v = v > 32767 ? 32767 : v;
            v = v < -32768 ? -32768 : v;
            y[k] = (int16_t)v;
        }
    }
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    long fixed_ticks = argc > 3 ? atol(argv[3]) : 0; /* for callgrind: a fixed tick count */
    /* copy: frames copied in and out around the kernel (an API with its own buffers), or
       direct: the kernel alone, as if decoders wrote into `in` and encoders read `out`. */
    int copy = !(argc > 4 && strcmp(argv[4], "direct") == 0);
    if (n <= 0 || n > 100000) return 2;
    /* The same synthetic signal Timbre's mix-bench uses: well below -6 dBFS per talker. */
    int frames = 100;
    int16_t *source = malloc(sizeof(int16_t) * F * frames);
    for (int i = 0; i < F * frames; i++) {
        double t = i / 16000.0;
        source[i] = (int16_t)(1500 * sin(2 * M_PI * 210 * t) + 700 * sin(2 * M_PI * 1130 * t) + ((i * 7919) % 401 - 200));
    }
    int16_t *in = malloc(sizeof(int16_t) * F * (size_t)n);
    int16_t *out = malloc(sizeof(int16_t) * F * (size_t)n);
    int32_t *bus = malloc(sizeof(int32_t) * F);
    long tick = 0;
    volatile int32_t sink = 0;
    /* Like Timbre's harness, each tick copies every participant's frame in and out. */
    int16_t *heard = malloc(sizeof(int16_t) * F);
#define ONE_TICK() do { \
        for (int i = 0; i < n; i++) memcpy(in + (size_t)i * F, source + (size_t)((tick + i * 7) % frames) * F, F * 2); \
        mix_minus(n, in, out, bus); \
        if (copy) for (int i = 0; i < n; i++) { memcpy(heard, out + (size_t)i * F, F * 2); sink += heard[i % F]; } \
        tick++; } while (0)
    for (int w = 0; w < 20; w++) ONE_TICK();
    long ticks = 0;
    double start = now_ns(), elapsed;
    if (fixed_ticks > 0) {
        for (; ticks < fixed_ticks; ticks++) ONE_TICK();
        elapsed = now_ns() - start;
    } else {
        do {
            for (int r = 0; r < 10; r++) ONE_TICK();
            ticks += 10;
            elapsed = now_ns() - start;
        } while (elapsed < seconds * 1e9);
    }
    double per_tick = elapsed / ticks;
    printf("N=%d peer=c-mixminus(%s) ns/tick=%.0f ns/participant-tick=%.0f\n", n, copy ? "copy" : "direct", per_tick, per_tick / n);
    return 0;
}
