#!/usr/bin/env python3
# The numpy peer: a copy of the project's shared bench script (../shared/bench/peer_numpy.py),
# kept here so the differential test runs on a clean clone. Do not edit: refresh it from there.
"""A plain numpy scorer of contract-v1 studies: what a researcher would write in an afternoon.

It is the Python peer for timing: it reads the same files, measures every CMAP
(baseline, negative peak, onset, area), computes decrement/increment and a
pattern, in one process.

usage: peer_numpy.py analyze PATH --format json
       peer_numpy.py batch DIR OUT.csv   (every study below DIR; one row each)
"""
import json
import os
import sys

import numpy as np


def read_trace(path):
    raw = open(path, "rb").read().decode("utf-8-sig")
    lines = raw.splitlines()
    meta, body = {}, []
    for ln in lines:
        if ln.startswith("#"):
            if ":" in ln:
                k, v = ln[1:].split(":", 1)
                meta[k.strip().lower()] = v.strip()
        elif ln.strip():
            body.append(ln)
    head = body[0]
    delim = ";" if ";" in head else ("\t" if "\t" in head else ",")
    cols = [c.strip() for c in head.split(delim)]
    text = "\n".join(body[1:])
    if delim != ",":
        text = text.replace(",", ".")
    if cols[0].lower() in ("response", "sweep"):
        import io
        rows = [r.split(delim) for r in body[1:]]
        names = []
        data = {}
        for r in rows:
            data.setdefault(r[0], []).append((float(r[1]), float(r[2])))
            if r[0] not in names:
                names.append(r[0])
        t = np.array([x[0] for x in data[names[0]]])
        sweeps = np.array([[x[1] for x in data[n]] for n in names])
        vscale = 1.0
        tscale = 1.0
    else:
        arr = np.loadtxt(text.splitlines(), delimiter=delim if delim != "," else ",", ndmin=2)
        t = arr[:, 0]
        sweeps = arr[:, 1:].T
        names = [c.split(" (")[0].lower() for c in cols[1:]]
        c0 = cols[0].lower()
        tscale = 1000.0 if ("(s)" in c0 or c0.endswith("_s")) else 1.0
        unit = meta.get("units", "mV")
        if "(µv)" in cols[1].lower() or "(uv)" in cols[1].lower():
            unit = "uV"
        vscale = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "v": 1e3}[unit.lower()]
    return meta, t * tscale, sweeps * vscale, names


def measure(t, v):
    dt = t[1] - t[0]
    pre = t < -0.2
    blank_end = 1.2  # ms after the stimulus
    if pre.sum() >= 10:
        base = np.median(v[pre])
        sd = np.std(v[pre] - base)
    else:
        w = (t > blank_end) & (t < blank_end + 0.8)
        base = np.median(v[w])
        sd = max(np.std(np.diff(v[w])) / np.sqrt(2), 1e-4)
    # light smoothing (~0.3 ms moving average)
    k = max(1, int(round(0.3 / dt)))
    vs = np.convolve(v, np.ones(k) / k, mode="same") if k > 1 else v
    seg = (t >= blank_end)
    ts, ys = t[seg], vs[seg] - base
    # polarity: the larger early excursion is the negative phase
    i_min, i_max = int(np.argmin(ys)), int(np.argmax(ys))
    sign = 1.0
    if i_max < i_min and ys[i_max] > -ys[i_min] * 0.8:
        sign = -1.0
        ys = -ys
        i_min = int(np.argmin(ys))
    amp = -ys[i_min]
    thr = max(4 * sd, 0.03 * amp)
    j = i_min
    while j > 0 and -ys[j] > thr:
        j -= 1
    onset = ts[j]
    # negative phase end: first crossing back through baseline
    e = i_min
    while e < len(ys) - 1 and ys[e] < 0:
        e += 1
    area = -np.sum(ys[j:e]) * dt
    p2p = np.max(ys[i_min:]) - ys[i_min]
    return dict(onset_ms=float(onset), negative_peak_ms=float(ts[i_min]), amplitude_mv=float(amp),
                peak_to_peak_mv=float(p2p), area_mv_ms=float(area), duration_ms=float(ts[e] - onset))


LLN = {"adm": 6.0, "apb": 4.0, "trapezius": 3.0}


def analyze_file(path):
    meta, t, sweeps, names = read_trace(path)
    proto = meta.get("protocol", "rns")
    resp = [dict(label=n, **measure(t, s)) for n, s in zip(names, sweeps)]
    a = [r["amplitude_mv"] for r in resp]
    out = dict(file=os.path.basename(path), protocol=proto, muscle=meta.get("muscle"), responses=resp)
    if proto == "rns":
        out["decrement_pct"] = (a[0] - a[3]) / a[0] * 100
        out["max_decrement_pct"] = (a[0] - min(a[1:5])) / a[0] * 100
    else:
        out["increment_pct"] = (max(a[1:]) - a[0]) / a[0] * 100
    return out


def interpret(tests):
    inc = [t["increment_pct"] for t in tests if "increment_pct" in t]
    dec = [t["decrement_pct"] for t in tests if "decrement_pct" in t]
    lln = [LLN.get((t.get("muscle") or "").lower()) for t in tests]
    low = any(l is not None and t["responses"][0]["amplitude_mv"] < l for t, l in zip(tests, lln))
    maxinc = max(inc) if inc else None
    if maxinc is not None and maxinc >= 60:
        pattern = "presynaptic"
    elif dec and max(dec) > 10:
        pattern = "postsynaptic" if inc else "nmj_unspecified"
    else:
        pattern = "normal"
    crit = "not_tested" if maxinc is None else ("specific" if maxinc >= 100 else "suggestive" if maxinc >= 60 else "none")
    return dict(pattern=pattern, lems_criterion=crit, low_cmap=low)


def analyze(path):
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".csv"))
    else:
        files = [path]
    tests = [analyze_file(f) for f in files]
    return dict(tests=tests, interpretation=interpret(tests))


def main():
    if sys.argv[1] == "analyze":
        print(json.dumps(analyze(sys.argv[2])))
    elif sys.argv[1] == "batch":
        root, out = sys.argv[2], sys.argv[3]
        rows = []
        for name in sorted(os.listdir(root)):
            p = os.path.join(root, name)
            if not (os.path.isdir(p) or name.endswith(".csv")):
                continue
            try:
                r = analyze(p)
                i = r["interpretation"]
                rows.append(f"{name},{i['pattern']},{i['lems_criterion']}")
            except Exception as e:  # one bad study does not stop the batch
                rows.append(f"{name},error,{type(e).__name__}")
        with open(out, "w") as f:
            f.write("study,pattern,lems_criterion\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
