#!/usr/bin/env python3
"""Scores `timbre netsim` outputs for the jitter-buffer peer comparison (see run.sh).

Each 4.5 s utterance of the 60 s input (12 of them, every 5 s) is located in OUT by
cross-correlation near where the previous one was found, then scored on its own with PESQ
(ITU-T P.862 via the `pesq` package): narrowband at 8 kHz for G.711, wideband at 16 kHz for
G.722 and Opus (Opus output is resampled 48 -> 16 kHz). Delay and concealment come from the
run's STATS.json.
"""
import argparse, json, os, sys
import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly, correlate
from pesq import pesq

def load(path):
    rate, x = wavfile.read(path)
    return rate, x.astype(np.float64)

def to_rate(x, src, dst):
    if src == dst:
        return x
    from math import gcd
    g = gcd(src, dst)
    return resample_poly(x, dst // g, src // g)

def score(ref, deg, fs, mode):
    utt = int(4.5 * fs)
    step = 5 * fs
    offset = 0
    scores = []
    for i in range(len(ref) // step):
        r = ref[i * step: i * step + utt]
        expected = i * step + offset
        lo = max(0, expected - int(0.6 * fs))
        hi = min(len(deg), expected + utt + int(1.5 * fs))
        window = deg[lo:hi]
        if len(window) < utt // 2:
            scores.append(1.0)
            continue
        c = correlate(window, r, mode="valid", method="fft") if len(window) >= len(r) else correlate(window, r, mode="full", method="fft")
        lag = int(np.argmax(c)) if len(window) >= len(r) else int(np.argmax(c)) - (len(r) - 1)
        start = max(0, lo + lag)
        offset = start - i * step
        d = deg[start: start + utt + int(0.2 * fs)]
        try:
            scores.append(pesq(fs, r.astype(np.float32), d.astype(np.float32), mode))
        except Exception:
            scores.append(1.0)
    return float(np.mean(scores)), len(scores)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--codecs", default="pcmu g722 opus")
    ap.add_argument("--models", default="lan wifi 4g-handover bursty-loss reorder outage drift")
    ap.add_argument("--buffers", default="adaptive speexdsp fixed:60 fixed:120")
    a = ap.parse_args()
    rate, ref16 = load(os.path.join(a.dir, "speech-60s.wav"))
    buffers = a.buffers.split()
    totals = {b: [] for b in buffers}
    wins = {"pesq": 0, "delay": 0, "conceal": 0, "all": 0, "cases": 0}
    print(f"{'codec':6} {'model':12} {'buffer':10} {'PESQ':>6} {'meanDelay':>10} {'p95Delay':>9} {'concealed':>10}")
    for c in a.codecs.split():
        fs, mode = (8000, "nb") if c in ("pcmu", "pcma") else (16000, "wb")
        ref = to_rate(ref16, rate, fs)
        for m in a.models.split():
            row = {}
            for b in buffers:
                tag = f"{c}-{m}-{b.replace(':', '')}"
                orate, deg = load(os.path.join(a.dir, tag + ".wav"))
                deg = to_rate(deg, orate, fs)
                with open(os.path.join(a.dir, tag + ".json")) as f:
                    st = json.load(f)
                assert st["totalSamplesReceived"] == st["outputSamples"], tag
                p, n = score(ref, deg, fs, mode)
                row[b] = (p, st["meanPlayoutDelayMs"], st["p95PlayoutDelayMs"], st["concealedRatio"])
                totals[b].append(row[b])
                print(f"{c:6} {m:12} {b:10} {p:6.3f} {st['meanPlayoutDelayMs']:10.1f} {st['p95PlayoutDelayMs']:9.1f} {100 * st['concealedRatio']:9.2f}%")
            if "adaptive" in row and "speexdsp" in row:
                t, s = row["adaptive"], row["speexdsp"]
                wins["cases"] += 1
                wins["pesq"] += t[0] > s[0]
                wins["delay"] += t[1] < s[1]
                wins["conceal"] += t[3] <= s[3]
                wins["all"] += t[0] > s[0] and t[1] < s[1] and t[3] <= s[3]
    print()
    print(f"{'mean over all':19} {'buffer':10} {'PESQ':>6} {'meanDelay':>10} {'p95Delay':>9} {'concealed':>10}")
    for b in buffers:
        v = np.array(totals[b])
        print(f"{'':19} {b:10} {v[:,0].mean():6.3f} {v[:,1].mean():10.1f} {v[:,2].mean():9.1f} {100 * v[:,3].mean():9.2f}%")
    print()
    print(f"adaptive vs speexdsp over {wins['cases']} codec x model cases: higher PESQ in {wins['pesq']}, "
          f"lower mean delay in {wins['delay']}, conceals no more in {wins['conceal']}, all three in {wins['all']}")

if __name__ == "__main__":
    main()
