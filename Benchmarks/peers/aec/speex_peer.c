/* Peer for `timbre aec`: speexdsp called directly, no delay alignment.
 *
 *   speex_peer MODE TAIL_MS FAR.wav NEAR.wav OUT.wav
 *   MODE = mdf      plain MDF (speex_echo_cancellation only)
 *        | mdf+res  MDF + speex_preprocess residual-echo suppression linked to the echo state
 *                   (denoise on with 0 dB noise attenuation, echo suppress -40/-15 dB: the same
 *                   preprocessor settings `timbre aec` uses)
 * 20 ms frames. OUT has NEAR's length; the preprocessor's one-frame latency is removed as
 * timbre does. Prints {"processingCpuSeconds": x} (thread CPU time of the speexdsp calls only,
 * measured per frame exactly as timbre measures its own).
 */
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static short *read_wav(const char *path, sf_count_t *count, int *rate) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) { fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL)); exit(2); }
    if (info.channels != 1) { fprintf(stderr, "%s: not mono\n", path); exit(2); }
    short *x = malloc(sizeof(short) * (info.frames + 1));
    *count = sf_readf_short(f, x, info.frames);
    *rate = info.samplerate;
    sf_close(f);
    return x;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s mdf|mdf+res TAIL_MS FAR NEAR OUT\n", argv[0]); return 2; }
    int res = strcmp(argv[1], "mdf+res") == 0;
    int tail_ms = atoi(argv[2]);
    sf_count_t nf, nn;
    int rf, rn;
    short *far = read_wav(argv[3], &nf, &rf);
    short *near = read_wav(argv[4], &nn, &rn);
    if (rf != rn) { fprintf(stderr, "rates differ\n"); return 2; }
    int n = rn / 50;
    int latency = res ? n : 0;
    sf_count_t frames = (nn + latency + n - 1) / n;
    short *out = calloc(frames * n, sizeof(short));
    short *fb = calloc(n, sizeof(short)), *nb = calloc(n, sizeof(short));
    SpeexEchoState *echo = speex_echo_state_init(n, tail_ms * rn / 1000);
    int rate = rn;
    speex_echo_ctl(echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    SpeexPreprocessState *pre = speex_preprocess_state_init(n, rn);
    if (res) {
        int on = 1, zero = 0, sup = -40, act = -15;
        speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
        speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &sup);
        speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &act);
        speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
        speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &zero);
    }
    double cpu = 0;
    for (sf_count_t f = 0; f < frames; f++) {
        for (int i = 0; i < n; i++) {
            sf_count_t k = f * n + i;
            fb[i] = k < nf ? far[k] : 0;
            nb[i] = k < nn ? near[k] : 0;
        }
        double t0 = thread_cpu();
        speex_echo_cancellation(echo, nb, fb, out + f * n);
        if (res) speex_preprocess_run(pre, out + f * n);
        cpu += thread_cpu() - t0;
    }
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = rn;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *o = sf_open(argv[5], SFM_WRITE, &info);
    if (!o) { fprintf(stderr, "%s: %s\n", argv[5], sf_strerror(NULL)); return 2; }
    sf_writef_short(o, out + latency, nn);
    sf_close(o);
    printf("{\"processingCpuSeconds\": %.6f}\n", cpu);
    speex_echo_state_destroy(echo);
    speex_preprocess_state_destroy(pre);
    return 0;
}
