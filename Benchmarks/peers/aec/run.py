#!/usr/bin/env python3
"""Peer comparison for `timbre aec` against speexdsp called directly (no delay alignment).

Usage (from the repository root):
    python3 Benchmarks/peers/aec/run.py [--rates 8000,16000,48000] [--tail-ms 200] [--work DIR]

Builds the C peer (speex_peer.c, against the system libspeexdsp/libsndfile) and a release
`timbre` (scratch path .build-release), synthesises the cases below from SampleAudio speech
(seeded, 27 s each), runs three variants on each —
    ours     `timbre aec --tail-ms T` (delay estimation + MDF + residual-echo suppression)
    mdf      speexdsp MDF alone, same tail
    mdf+res  speexdsp MDF + speex_preprocess residual-echo suppression, same tail and settings
— and prints one table: ERLE (dB, far-end-only frames, convergence included), convergence
time (s), PESQ of OUT against the clean near-end talker over the double-talk spans, and the
CPU time of the echo-processing calls. Needs numpy, scipy and `pip install pesq`.

Cases: speech through synthetic room responses of 50–400 ms (exponentially decaying noise
with a direct path), bulk delays 0–300 ms, a mild loudspeaker non-linearity (tanh), background
noise, double talk, an echo-path change, 50 ppm clock skew.
"""
import argparse, json, os, subprocess, sys
import numpy as np
import scipy.io.wavfile as wavfile
from scipy.signal import fftconvolve, resample_poly

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    # name, room ms, bulk delay ms, extras
    ("room50-d0", 50, 0, {}),
    ("room150-d100", 150, 100, {}),
    ("room250-d300", 250, 300, {}),
    ("room400-d200", 400, 200, {}),
    ("nonlinear-room150-d120", 150, 120, {"nonlinear": True}),
    ("noise15dB-room150-d80", 150, 80, {"snr_db": 15}),
    ("doubletalk-room150-d150", 150, 150, {"doubletalk": True}),
    ("pathchange-room150-d100-to-room200-d220", 150, 100, {"change": (200, 220)}),
    ("skew50ppm-room150-d150", 150, 150, {"skew_ppm": 50}),
]
DT_SPANS = [(8.0, 12.0), (18.0, 22.0)]
CHANGE_AT = 13.5


def speech(name, rate):
    r, x = wavfile.read(os.path.join(ROOT, "SampleAudio", f"speech-{name}-{rate // 1000}k.wav"))
    assert r == rate
    return x.astype(np.float64)


def room(rate, ms, seed):
    rng = np.random.default_rng(seed)
    n = max(1, ms * rate // 1000)
    t = np.arange(n) / rate
    h = rng.standard_normal(n) * np.exp(-6.9 * t / (ms / 1000.0)) * 0.25
    h[0] = 1.0
    return h * (0.5 / np.sqrt(np.sum(h * h)))  # echo about 6 dB below the loudspeaker


def echo_of(far, h, delay, count):
    y = fftconvolve(far, h)[:count]
    out = np.zeros(count)
    out[delay:] = y[: count - delay]
    return out


def make_case(rate, name, room_ms, delay_ms, extra, seed):
    far = np.concatenate([speech(n, rate) for n in ["en-male", "fr", "en-female", "zh", "en-male", "fr"]])
    count = len(far)
    loud = far
    if extra.get("nonlinear"):
        loud = 16000.0 * np.tanh(far / 16000.0)
    if extra.get("skew_ppm"):
        t = np.arange(count) * (1 + extra["skew_ppm"] * 1e-6)
        loud = np.interp(t, np.arange(count), loud, right=0.0)
    echo = echo_of(loud, room(rate, room_ms, seed), delay_ms * rate // 1000, count)
    if "change" in extra:
        ms2, d2 = extra["change"]
        echo2 = echo_of(loud, room(rate, ms2, seed + 1), d2 * rate // 1000, count)
        k = int(CHANGE_AT * rate)
        echo[k:] = echo2[k:]
    rng = np.random.default_rng(seed + 7)
    noise = rng.standard_normal(count) * 10.0  # about -70 dBov background
    if "snr_db" in extra:
        p = np.mean(echo**2)
        noise = rng.standard_normal(count) * np.sqrt(p / 10 ** (extra["snr_db"] / 10))
    talker = np.zeros(count)
    if extra.get("doubletalk"):
        src = np.concatenate([speech(n, rate) for n in ["zh", "en-female", "fr", "en-male", "zh", "en-female"]])
        for a, b in DT_SPANS:
            i, j = int(a * rate), int(b * rate)
            talker[i:j] = 0.5 * src[i:j]
    near = np.clip(np.round(echo + talker + noise), -32768, 32767).astype(np.int16)
    return far.astype(np.int16), near, echo, talker


def frame_masks(echo, talker, rate):
    n = rate // 50
    m = len(echo) // n
    ep = np.mean(echo[: m * n].reshape(m, n) ** 2, axis=1)
    tp = np.mean(talker[: m * n].reshape(m, n) ** 2, axis=1)
    return (ep > 100.0**2) & (tp == 0), n, m


def erle(near, out, mask, n, m, lo=0, hi=None):
    hi = m if hi is None else hi
    a = near[: m * n].astype(np.float64).reshape(m, n) ** 2
    b = out[: m * n].astype(np.float64).reshape(m, n) ** 2
    sel = np.zeros(m, bool)
    sel[lo:hi] = True
    sel &= mask
    if not sel.any():
        return float("nan")
    return 10 * np.log10(a[sel].sum() / max(b[sel].sum(), 1.0))


def window_erles(near, out, mask, n, m, rate, start_s=0.0, seconds=1.0):
    """ERLE (dB) of consecutive windows from start_s; NaN where a window has no far-only frame."""
    per = int(seconds * rate) // n
    starts = list(range(int(start_s * rate) // n, m - per + 1, per))
    return starts, [erle(near, out, mask, n, m, s, s + per) for s in starts]


def mean_erle(near, out, mask, n, m, rate):
    """Mean over 1 s windows of the window ERLE in dB (the time-average ERLE)."""
    _, vals = window_erles(near, out, mask, n, m, rate)
    return float(np.nanmean(vals))


def convergence(near, out, mask, n, m, rate, start_s, level_db=10.0):
    """Seconds from start_s until the 0.5 s-window ERLE reaches level_db in two windows running
    (a fixed level, as ITU-T G.168's convergence tests use)."""
    starts, vals = window_erles(near, out, mask, n, m, rate, start_s, 0.5)
    for i in range(len(vals) - 1):
        if vals[i] >= level_db and vals[i + 1] >= level_db:
            return starts[i] * n / rate - start_s
    return float("nan")


def pesq_dt(talker, out, rate):
    from pesq import pesq
    ref = np.concatenate([talker[int(a * rate):int(b * rate)] for a, b in DT_SPANS])
    deg = np.concatenate([out[int(a * rate):int(b * rate)].astype(np.float64) for a, b in DT_SPANS])
    if rate == 48000:
        ref, deg, rate = resample_poly(ref, 1, 3), resample_poly(deg, 1, 3), 16000
    mode = "nb" if rate == 8000 else "wb"
    return pesq(rate, ref / 32768.0, deg / 32768.0, mode)


def sh(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="8000,16000,48000")
    ap.add_argument("--tail-ms", type=int, default=200)
    ap.add_argument("--work", default="/tmp/timbre-aec-peer")
    ap.add_argument("--timbre", default=None, help="prebuilt timbre binary")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    peer = os.path.join(args.work, "speex_peer")
    flags = sh(["pkg-config", "--cflags", "--libs", "speexdsp", "sndfile"]).split()
    sh(["cc", "-O2", "-o", peer, os.path.join(HERE, "speex_peer.c")] + flags)
    timbre = args.timbre
    if timbre is None:
        sh(["swift", "build", "-c", "release", "--product", "timbre", "--scratch-path", os.path.join(ROOT, ".build-release")])
        timbre = os.path.join(ROOT, ".build-release", "release", "timbre")

    rows = []
    totals = {"ours": 0.0, "mdf": 0.0, "mdf+res": 0.0}
    for rate in [int(r) for r in args.rates.split(",")]:
        for seed, (name, room_ms, delay_ms, extra) in enumerate(CASES):
            far, near, echo, talker = make_case(rate, name, room_ms, delay_ms, extra, 1000 + seed)
            base = os.path.join(args.work, f"{name}-{rate}")
            wavfile.write(base + "-far.wav", rate, far)
            wavfile.write(base + "-near.wav", rate, near)
            outs, cpu, info = {}, {}, {}
            r = json.loads(sh([timbre, "aec", "--far", base + "-far.wav", "--near", base + "-near.wav",
                               "--out", base + "-ours.wav", "--tail-ms", str(args.tail_ms), "--json"]))
            cpu["ours"] = r["processingCpuSeconds"]
            info["delay"] = r["estimatedDelayMs"]
            for mode in ["mdf", "mdf+res"]:
                r = json.loads(sh([peer, mode, str(args.tail_ms), base + "-far.wav", base + "-near.wav", base + f"-{mode}.wav"]))
                cpu[mode] = r["processingCpuSeconds"]
            for v in ["ours", "mdf", "mdf+res"]:
                _, outs[v] = wavfile.read(base + f"-{v}.wav")
                assert len(outs[v]) == len(near)
                totals[v] += cpu[v]
            mask, n, m = frame_masks(echo, talker, rate)
            row = {"rate": rate, "case": name, "delay": info["delay"]}
            for v in ["ours", "mdf", "mdf+res"]:
                row[f"erle_{v}"] = mean_erle(near, outs[v], mask, n, m, rate)
                row[f"erlew_{v}"] = erle(near, outs[v], mask, n, m)
                row[f"conv_{v}"] = convergence(near, outs[v], mask, n, m, rate, 0.0)
                if "change" in extra:
                    row[f"conv2_{v}"] = convergence(near, outs[v], mask, n, m, rate, CHANGE_AT)
                if extra.get("doubletalk"):
                    row[f"pesq_{v}"] = pesq_dt(talker, outs[v], rate)
                row[f"cpu_{v}"] = cpu[v]
            rows.append(row)
            print(f"{rate:>5} {name:<42} est.delay {info['delay']} ms  ERLE ours {row['erle_ours']:.1f}  "
                  f"mdf {row['erle_mdf']:.1f}  mdf+res {row['erle_mdf+res']:.1f}", file=sys.stderr)

    def f(x):
        return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.1f}" if isinstance(x, float) else str(x)

    print(f"\nTail {args.tail_ms} ms, 20 ms frames, 27 s per case. ERLE: mean over 1 s windows of 10·log10(Σmic²/Σout²) on far-end-only")
    print("frames, convergence included; in brackets the whole-file energy ratio. Convergence: time to 10 dB ERLE (0.5 s windows, two running).")
    print("| rate | case | est. delay ms | ERLE ours | ERLE MDF | ERLE MDF+RES | conv. s ours (after change) | conv. s MDF / MDF+RES | PESQ DT ours / MDF / MDF+RES |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        conv = f(r["conv_ours"]) + (f" ({f(r['conv2_ours'])})" if "conv2_ours" in r else "")
        conv_p = f(r["conv_mdf"]) + " / " + f(r["conv_mdf+res"]) + (f" ({f(r['conv2_mdf'])} / {f(r['conv2_mdf+res'])})" if "conv2_mdf+res" in r else "")
        pq = f"{r['pesq_ours']:.2f} / {r['pesq_mdf']:.2f} / {r['pesq_mdf+res']:.2f}" if "pesq_ours" in r else ""
        print(f"| {r['rate']} | {r['case']} | {f(r['delay'])} | {f(r['erle_ours'])} ({f(r['erlew_ours'])}) | {f(r['erle_mdf'])} ({f(r['erlew_mdf'])}) | {f(r['erle_mdf+res'])} ({f(r['erlew_mdf+res'])}) | {conv} | {conv_p} | {pq} |")
    mean = {v: float(np.nanmean([r[f"erle_{v}"] for r in rows])) for v in ["ours", "mdf", "mdf+res"]}
    meanw = {v: float(np.nanmean([r[f"erlew_{v}"] for r in rows])) for v in ["ours", "mdf", "mdf+res"]}
    print(f"\nMean ERLE: ours {mean['ours']:.1f} dB, MDF {mean['mdf']:.1f} dB, MDF+RES {mean['mdf+res']:.1f} dB "
          f"→ ours − MDF = {mean['ours'] - mean['mdf']:+.1f} dB (target ≥ +6), ours − MDF+RES = {mean['ours'] - mean['mdf+res']:+.1f} dB (target ≥ +3)")
    print(f"Mean whole-file ERLE (energy ratio): ours {meanw['ours']:.1f} dB, MDF {meanw['mdf']:.1f} dB, MDF+RES {meanw['mdf+res']:.1f} dB "
          f"→ ours − MDF = {meanw['ours'] - meanw['mdf']:+.1f} dB, ours − MDF+RES = {meanw['ours'] - meanw['mdf+res']:+.1f} dB")
    convs = [r["conv_ours"] for r in rows] + [r["conv2_ours"] for r in rows if "conv2_ours" in r]
    print(f"Worst convergence (ours, start and after path change): {np.nanmax(convs):.1f} s (target ≤ 2)")
    pq = [(r["rate"], r["pesq_ours"], r["pesq_mdf"], r["pesq_mdf+res"]) for r in rows if "pesq_ours" in r]
    for rate, a, b, c in pq:
        print(f"PESQ double talk at {rate} Hz: ours {a:.2f}, MDF {b:.2f}, MDF+RES {c:.2f}")
    print(f"CPU (echo-processing calls, all cases): ours {totals['ours']:.3f} s, MDF {totals['mdf']:.3f} s, "
          f"MDF+RES {totals['mdf+res']:.3f} s → ours / MDF+RES = {totals['ours'] / totals['mdf+res']:.2f} (target ≤ 1.3)")


if __name__ == "__main__":
    main()
