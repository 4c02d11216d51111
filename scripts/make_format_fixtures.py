#!/usr/bin/env python3
"""Writes the format fixtures under tests/data/formats/ (issue 16).

One simulated LEMS study (a 5 Hz train, an exercise series, a 50 Hz train;
`nmjscope simulate`, seed 303, taken to 10 kHz by keeping every other
sample) is written in every format nmjscope reads:

  v1/         input contract v1 CSV (the reference)
  edf/        EDF+C recordings with `stim` annotations (pyedflib); the
              exercise series as EDF+D, one data record per sweep
  bdf/        the 50 Hz train as BDF+ (pyedflib, 24-bit)
  labchart/   LabChart text exports: one continuous block (with and without
              a time column, `#* stim` comments), and one block per sweep
  spike2/     Spike2 text exports: a waveform and a marker channel
  cfwb/       LabChart binary exports (CFWB) of the two trains: 16-bit with
              the first stimulus as the pre-trigger span, and doubles with a
              time column
  csv/        continuous CSV: time, EMG and a TTL trigger column; the
              exercise series with gaps in its time column
  hostile/    EDF files each with one departure from the specification

Between the sweeps of a train the recording is baseline noise (seeded), so
the sweeps cut at the stimuli are the reference sweeps.

Usage: python3 scripts/make_format_fixtures.py [path/to/nmjscope]
Needs numpy and pyedflib (pip install numpy pyedflib). The files it writes
are committed; tests never run it.
"""

import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import pyedflib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "formats")
FS = 10_000  # Hz, after keeping every other sample of the simulator's 20 kHz
SEED = 303
# When each test's stimuli fall, in s from the start of its recording.
FIRST_S = 0.05
EXERCISE_AT_S = [0.05, 15.05, 45.05, 75.05]  # pre, post_0s, post_30s, post_60s
NOISE_MV = 0.01


def simulate(nmjscope, protocol, rate, path):
    args = [nmjscope, "simulate", "--condition", "lems", "--protocol", protocol,
            "--seed", str(SEED), "--out", path]
    if rate:
        args += ["--rate", str(rate)]
    subprocess.run(args, check=True)


def read_v1(path):
    meta, rows, header = [], [], None
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                meta.append(line.rstrip("\n"))
            elif header is None:
                header = line.strip().split(",")
            else:
                rows.append([float(v) for v in line.split(",")])
    data = np.array(rows)[::2]  # 20 kHz -> 10 kHz
    return meta, header, data[:, 0], data[:, 1:].T


def write_v1(path, meta, header, times, sweeps):
    with open(path, "w") as f:
        for m in meta:
            if not m.startswith("# sampling_rate_hz"):
                f.write(m + "\n")
        f.write(f"# sampling_rate_hz: {FS}\n")
        f.write(",".join(header) + "\n")
        for i, t in enumerate(times):
            f.write(f"{t:.4f}," + ",".join(f"{v:.4f}" for v in sweeps[:, i]) + "\n")


def continuous(times_ms, sweeps, stim_s, total_s, rng):
    """Sweeps placed at their stimuli on baseline noise (values rounded as the
    v1 CSV rounds them, so every format holds the same numbers)."""
    n = int(round(total_s * FS))
    x = np.round(rng.normal(0.0, NOISE_MV, n), 4)
    trig = np.zeros(n)
    k0 = int(round(times_ms[0] * FS / 1000))
    for s, t in zip(sweeps, stim_s):
        i = int(round(t * FS)) + k0
        x[i:i + len(s)] = s
        j = int(round(t * FS))
        trig[j:j + 2] = 5.0  # a 0.2 ms TTL pulse
    return x, trig


def segments(times_ms, sweeps, stim_s, margin_s, rng):
    """One segment per sweep, with noise margins: (start_s, samples)."""
    k0 = int(round(times_ms[0] * FS / 1000))
    m = int(round(margin_s * FS))
    out = []
    for s, t in zip(sweeps, stim_s):
        before = np.round(rng.normal(0.0, NOISE_MV, m), 4)
        after = np.round(rng.normal(0.0, NOISE_MV, m), 4)
        start = t + (k0 - m) / FS
        out.append((start, np.concatenate([before, s, after])))
    return out


def write_edf_plus(path, x, stim_s, labels, bdf=False):
    kind = pyedflib.FILETYPE_BDFPLUS if bdf else pyedflib.FILETYPE_EDFPLUS
    # 10 ms data records: EDFlib stores one annotation per record, and a
    # 50 Hz train has 50 in a second.
    record = FS // 100
    pad = (-len(x)) % record
    x = np.concatenate([x, np.zeros(pad)])
    w = pyedflib.EdfWriter(path, 1, file_type=kind)
    w.setDatarecordDuration(record / FS)
    dmax = 8388607 if bdf else 32767
    w.setSignalHeaders([{
        "label": "EMG ADM", "dimension": "mV", "sample_frequency": FS,
        "physical_max": 20.0, "physical_min": -20.0,
        "digital_max": dmax, "digital_min": -dmax - 1,
        "transducer": "Ag/AgCl", "prefilter": "HP:2Hz LP:10kHz"}])
    w.setPatientCode("SIM303")
    w.setStartdatetime(__import__("datetime").datetime(2026, 11, 2, 9, 30, 0))
    w.writeSamples([x])
    w.writeAnnotation(0, -1, "muscle: ADM")
    for t, label in zip(stim_s, labels):
        w.writeAnnotation(t, -1, label)
    w.close()


def field(value, width):
    text = str(value).encode("latin-1")
    assert len(text) <= width, (value, width)
    return text + b" " * (width - len(text))


def write_edf_d(path, segs, annotations, patch=None):
    """A minimal EDF+D writer: one data record per segment, each with its
    time-keeping TAL and its annotations. `patch` edits the bytes."""
    spr = max(len(s) for _, s in segs)
    ann_bytes = 120
    pmin, pmax, dmin, dmax = -20.0, 20.0, -32768, 32767
    ns = 2
    head = b"".join([
        field("0", 8), field("SIM303 X X X", 80),
        field("Startdate 02-NOV-2026 X X X", 80), field("02.11.26", 8),
        field("09.30.00", 8), field(256 * (ns + 1), 8), field("EDF+D", 44),
        field(len(segs), 8), field(f"{spr / FS:g}", 8), field(ns, 4)])
    labels = [field("EMG ADM", 16), field("EDF Annotations", 16)]
    sig = b"".join(labels) + field("", 80) * 2 + field("mV", 8) + field("", 8)
    sig += field(pmin, 8) + field(-1, 8) + field(pmax, 8) + field(1, 8)
    sig += field(dmin, 8) + field(-32768, 8) + field(dmax, 8) + field(32767, 8)
    sig += field("", 80) * 2 + field(spr, 8) + field(ann_bytes // 2, 8) + field("", 32) * 2
    records = []
    gain = (pmax - pmin) / (dmax - dmin)
    for (start, s), note in zip(segs, annotations):
        s = np.concatenate([s, np.zeros(spr - len(s))])
        dig = np.clip(np.round((s - pmin) / gain + dmin), dmin, dmax).astype("<i2")
        tal = f"+{start:.4f}\x14\x14\x00".encode()
        if note:
            tal += f"+{note[0]:.4f}\x14{note[1]}\x14\x00".encode()
        tal += b"\x00" * (ann_bytes - len(tal))
        records.append(dig.tobytes() + tal)
    data = head + sig + b"".join(records)
    if patch:
        data = patch(data)
    with open(path, "wb") as f:
        f.write(data)


def write_labchart(path, blocks, with_time, titles=("EMG",), units=("mV",)):
    """blocks: (excel_day or None, [(values..., comment)])."""
    with open(path, "w", newline="") as f:
        for day, rows in blocks:
            f.write(f"Interval=\t{1 / FS:g} s\r\n")
            if day is not None:
                f.write(f"ExcelDateTime=\t{day:.16e}\t11/02/26 09:30:00\r\n")
            f.write("TimeFormat=\tStartOfBlock\r\nDateFormat=\t\r\n")
            f.write("ChannelTitle=\t" + "\t".join(titles) + "\r\n")
            f.write("Range=\t" + "\t".join(f"20.000 {u}" for u in units) + "\r\n")
            f.write("UnitName=\t" + "\t".join(units) + "\r\n")
            f.write("TopValue=\t" + "\t".join("20" for _ in units) + "\r\n")
            f.write("BottomValue=\t" + "\t".join("-20" for _ in units) + "\r\n")
            for i, (v, comment) in enumerate(rows):
                cells = ([f"{i / FS:g}"] if with_time else []) + [f"{v:.4f}"]
                if comment:
                    cells.append(f"#* {comment}")
                f.write("\t".join(cells) + "\r\n")


def write_spike2(path, segs, stim_s, title="EMG"):
    with open(path, "w", newline="") as f:
        f.write('"INFORMATION"\r\n"lems.smrx"\r\n""\r\n\r\n"SUMMARY"\r\n')
        f.write(f'"1"\t"Waveform"\t"{title}"\t"mV"\t{FS}\t{FS}\t1\t0\r\n')
        f.write('"2"\t"Marker"\t"Stim"\r\n\r\n')
        f.write(f'"CHANNEL"\t"1"\r\n"Waveform"\r\n"No comment"\r\n"{title}"\r\n\r\n')
        f.write(f'"mV"\t{FS}\r\n')
        for start, s in segs:
            f.write(f'"START"\t{start:.5f}\t{1 / FS:.5f}\r\n')
            f.write("".join(f"{v:.4f}\r\n" for v in s))
        f.write('\r\n"CHANNEL"\t"2"\r\n"Marker"\r\n"No comment"\r\n"Stim"\r\n\r\n')
        for t in stim_s:
            f.write(f'{t:.5f}\t"01??"\t1\t0\t0\t0\r\n')


def write_cfwb(path, x, data_format, pretrigger_s, time_channel=False):
    """ADInstruments' ADIBinaryFormat.h: a 68-byte header, 96 bytes per
    channel, interleaved little-endian samples."""
    head = b"CFWB" + struct.pack("<id5i2d4i", 1, 1 / FS, 2026, 11, 2, 9, 30, 0.0,
                                   pretrigger_s, 1, len(x), int(time_channel), data_format)
    scale = 0.001 if data_format == 3 else 1.0  # 1 uV a step
    chan = b"EMG".ljust(32, b"\0") + b"mV".ljust(32, b"\0") + struct.pack("<4d", scale, 0.0, 20.0, -20.0)
    rows = []
    for i, v in enumerate(x):
        t = struct.pack("<d" if data_format == 1 else "<f", i / FS) if time_channel else b""
        if data_format == 1:
            rows.append(t + struct.pack("<d", v))
        elif data_format == 2:
            rows.append(t + struct.pack("<f", v))
        else:
            rows.append(struct.pack("<h", int(round(v / scale))))
    with open(path, "wb") as f:
        f.write(head + chan + b"".join(rows))


def write_csv(path, meta, segs, trig_segs):
    with open(path, "w") as f:
        for m in meta:
            f.write(m + "\n")
        f.write("time_s,EMG [mV],stim [V]\n")
        for (start, s), (_, tr) in zip(segs, trig_segs):
            for i, (v, g) in enumerate(zip(s, tr)):
                f.write(f"{start + i / FS:.4f},{v:.4f},{g:g}\n")


def main():
    nmjscope = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "nmjscope")
    rng = np.random.default_rng(SEED)
    for d in ["v1", "edf", "bdf", "labchart", "spike2", "csv", "cfwb", "hostile"]:
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    tests = [("1_rns_5hz", "rns", 5), ("2_exercise", "exercise", None), ("3_hfrns_50hz", "hfrns", 50)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, protocol, rate in tests:
            src = os.path.join(tmp, name + ".csv")
            simulate(nmjscope, protocol, rate, src)
            meta, header, times, sweeps = read_v1(src)
            write_v1(os.path.join(OUT, "v1", name + ".csv"), meta, header, times, sweeps)
            keep = [m for m in meta if m.split(":")[0] in ("# study_id", "# muscle", "# nerve", "# exercise_s")]
            if protocol == "exercise":
                stim = EXERCISE_AT_S
                segs = segments(times, sweeps, stim, 0.01, rng)
                labels = header[1:]
                write_edf_d(os.path.join(OUT, "edf", name + ".edf"), segs,
                            [(t, l) for t, l in zip(stim, labels)])
                trig = [(st, np.where(np.abs(np.arange(len(s)) - int(round((t - st) * FS))) < 1, 5.0, 0.0))
                        for (st, s), t in zip(segs, stim)]
                write_csv(os.path.join(OUT, "csv", name + ".csv"), keep, segs, trig)
                write_spike2(os.path.join(OUT, "spike2", name + ".txt"), segs, stim)
                day0 = 46328.0
                blocks = []
                for (st, s), t in zip(segs, stim):
                    rows = [(v, "stim" if abs(i - (t - st) * FS) < 0.5 else None) for i, v in enumerate(s)]
                    blocks.append((day0 + st / 86400.0, rows))
                write_labchart(os.path.join(OUT, "labchart", name + ".txt"), blocks, True)
                continue
            n = sweeps.shape[0]
            stim = [FIRST_S + k / rate for k in range(n)]
            total = stim[-1] + times[-1] / 1000 + 0.05
            x, trig = continuous(times, sweeps, stim, total, rng)
            write_edf_plus(os.path.join(OUT, "edf", name + ".edf"), x, stim, ["stim"] * n)
            if protocol == "rns":
                write_cfwb(os.path.join(OUT, "cfwb", name + ".adibin"), x, 3, FIRST_S)
            else:
                write_cfwb(os.path.join(OUT, "cfwb", name + ".adibin"), x, 2, 0.0, time_channel=True)
            if protocol == "hfrns":
                write_edf_plus(os.path.join(OUT, "bdf", name + ".bdf"), x, stim, ["stim"] * n, bdf=True)
            write_csv(os.path.join(OUT, "csv", name + ".csv"), keep, [(0.0, x)], [(0.0, trig)])
            write_spike2(os.path.join(OUT, "spike2", name + ".txt"), [(0.0, x)], stim)
            idx = {int(round(t * FS)) for t in stim}
            rows = [(v, "stim" if i in idx else None) for i, v in enumerate(x)]
            write_labchart(os.path.join(OUT, "labchart", name + ".txt"), [(46328.0, rows)],
                           with_time=(protocol == "hfrns"))
        hostile(rng)


def hostile(rng):
    """EDF files with one departure each (docs/formats.md says which are
    tolerated with a warning and which are refused)."""
    t = np.arange(int(0.045 * FS)) / FS
    cmap = np.round(-4.0 * np.exp(-((t - 0.012) / 0.002) ** 2), 4)
    segs = [(0.05 + k / 3, np.concatenate([np.round(rng.normal(0, NOISE_MV, 50), 4), cmap]))
            for k in range(10)]
    notes = [(0.05 + k / 3 + 0.005, "stim") for k in range(10)]
    h = os.path.join(OUT, "hostile")
    count_at = 236

    def put(data, at, text, width):
        return data[:at] + field(text, width) + data[at + width:]

    write_edf_d(os.path.join(h, "discontinuous.edf"), segs, notes)
    write_edf_d(os.path.join(h, "latin1_label.edf"), segs, notes,
                lambda d: d[:256] + field("EMG \xb5V ADM", 16) + d[272:])
    write_edf_d(os.path.join(h, "record_count_wrong.edf"), segs, notes, lambda d: put(d, count_at, 12, 8))
    write_edf_d(os.path.join(h, "record_count_unknown.edf"), segs, notes, lambda d: put(d, count_at, -1, 8))
    write_edf_d(os.path.join(h, "truncated.edf"), segs, notes, lambda d: d[:-300])
    write_edf_d(os.path.join(h, "header_length_wrong.edf"), segs, notes, lambda d: put(d, 184, 512, 8))
    write_edf_d(os.path.join(h, "digital_range_empty.edf"), segs, notes,
                lambda d: put(d, 256 + 2 * (16 + 80 + 8 + 8 + 8), 32767, 8))


if __name__ == "__main__":
    main()
