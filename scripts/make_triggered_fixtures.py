#!/usr/bin/env python3
"""Writes the triggered-sweep fixtures under tests/data/formats/triggered/
(issue 28) from the input-contract v1 CSVs beside them, which are the
truth: each response of a v1 file becomes one LabChart text-export block
of a triggered (scope-mode) recording.

Laid out as LabChart writes such exports (as seen in public repositories'
exports and readers): a block header per block (`Interval=`,
`ExcelDateTime=` with a three-digit exponent and the date and time,
`TimeFormat=	StartOfBlock`, `DateFormat=`, `ChannelTitle=`, `Range=`,
`UnitName=	*` so the unit comes from `Range=`, `TopValue=	*`,
`BottomValue=	*`), rows of a time in seconds and a value, CRLF line
ends. Each block's times are relative to its trigger, in two forms:

  *_pretrigger.txt    from -5 ms (-2 ms at 50 Hz): a pre-trigger span
  *_from_trigger.txt  from 0: no pre-trigger span was set

Blocks are placed in time by `ExcelDateTime=`: a train's at its rate
(5 Hz, 50 Hz), the exercise series' at 0, 15, 45 and 75 s. The first
block's first rows carry `#* muscle: ADM` and `#* nerve: ulnar` comments
(LabChart comments of the form key: value are metadata).

The same sweeps as Spike2 text exports of a triggered recording, one
waveform segment (`"START"`) per sweep, the first trigger at 1 s:

  *_spike2_pretrigger.txt    segments from 5 ms (2 ms at 50 Hz) before
                             each trigger, and a marker channel holding
                             the triggers
  *_spike2_from_trigger.txt  segments from each trigger, no marker channel

The same sweeps as CFWB files (LabChart's binary export, laid out as
ADInstruments' ADIBinaryFormat.h describes it), one file per sweep, as a
triggered recording leaves the program: numbered `NAME_NN.adibin`, each
header holding its trigger's date and time (the train's rate, the exercise
series' 0, 15, 45 and 75 s) and its pre-trigger span:

  cfwb_pretrigger/      32-bit floats, 5 ms (2 ms at 50 Hz) before each
                        trigger
  cfwb_from_trigger/    16-bit integers scaled by 20 mV / 32768, from the
                        trigger (no pre-trigger span)

Usage: python3 scripts/make_triggered_fixtures.py
The files it writes are committed; tests never run it.
"""

import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
V1 = os.path.join(ROOT, "tests", "data", "formats", "v1")
OUT = os.path.join(ROOT, "tests", "data", "formats", "triggered")
DAY0 = 46328.395833333336  # 2026-11-02 09:30:00, as Excel days
SECONDS_PER_DAY = 86400.0
EXERCISE_AT_S = [0.0, 15.0, 45.0, 75.0]


def read_v1(path):
    header, rows = None, []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            cells = line.strip().split(",")
            if header is None:
                header = cells
            else:
                rows.append([float(c) for c in cells])
    return header, rows


def excel(day):
    """An Excel day number as LabChart writes it: 17 digits, e+004."""
    mantissa, exponent = f"{day:.16e}".split("e")
    return f"{mantissa}e{exponent[0]}{int(exponent[1:]):03d}"


def clock(seconds):
    whole = 9 * 3600 + 30 * 60 + seconds
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"11/02/26 {int(h):02d}:{int(m):02d}:{s:09.6f}"


def block(at_s, times_ms, values, comments):
    lines = [
        "Interval=\t0.0001 s",
        f"ExcelDateTime=\t{excel(DAY0 + at_s / SECONDS_PER_DAY)}\t{clock(at_s)}",
        "TimeFormat=\tStartOfBlock",
        "DateFormat=\t",
        "ChannelTitle=\tEMG",
        "Range=\t20.000 mV",
        "UnitName=\t*",
        "TopValue=\t*",
        "BottomValue=\t*",
    ]
    for i, (t, v) in enumerate(zip(times_ms, values)):
        row = f"{t / 1000:.4f}\t{v:.4f}"
        if i < len(comments):
            row += f"\t#* {comments[i]}"
        lines.append(row)
    return lines


def write(name, header, rows, starts_s, from_trigger):
    lines = []
    for k, at_s in enumerate(starts_s):
        kept = [r for r in rows if not from_trigger or r[0] >= -1e-9]
        comments = ["muscle: ADM", "nerve: ulnar"] if k == 0 else []
        lines += block(at_s, [r[0] for r in kept], [r[k + 1] for r in kept], comments)
    suffix = "from_trigger" if from_trigger else "pretrigger"
    with open(os.path.join(OUT, f"{name}_{suffix}.txt"), "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


SPIKE2_FIRST_S = 1.0


def write_spike2(name, header, rows, starts_s, from_trigger):
    kept = [r for r in rows if not from_trigger or r[0] >= -1e-9]
    lines = ['"INFORMATION"', f'"{name}.smrx"', '""', "", '"SUMMARY"',
             '"1"\t"Waveform"\t"EMG"\t"mV"\t10000\t10000\t1\t0']
    if not from_trigger:
        lines.append('"2"\t"Marker"\t"Trigger"')
    lines += ["", '"CHANNEL"\t"1"', '"Waveform"', '"No comment"', '"EMG"', "", '"mV"\t10000']
    for k, at_s in enumerate(starts_s):
        zero = SPIKE2_FIRST_S + at_s
        lines.append(f'"START"\t{zero + kept[0][0] / 1000:.5f}\t0.00010')
        lines += [f"{r[k + 1]:.4f}" for r in kept]
    if not from_trigger:
        lines += ["", '"CHANNEL"\t"2"', '"Marker"', '"No comment"', '"Trigger"', ""]
        lines += [f'{SPIKE2_FIRST_S + at_s:.5f}\t"01??"\t1\t0\t0\t0' for at_s in starts_s]
    suffix = "from_trigger" if from_trigger else "pretrigger"
    with open(os.path.join(OUT, f"{name}_spike2_{suffix}.txt"), "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


CFWB_SCALE_MV = 20.0 / 32768.0


def cfwb(values, pretrigger_s, at_s, int16):
    """One sweep as a CFWB file: the 68-byte file header, one 96-byte
    channel header, then the samples."""
    whole = 9 * 3600 + 30 * 60 + at_s
    hour, rest = divmod(whole, 3600)
    minute, second = divmod(rest, 60)
    header = b"CFWB" + struct.pack(
        "<idiiiiidd iiii".replace(" ", ""),
        1, 0.0001, 2026, 11, 2, int(hour), int(minute), second, pretrigger_s,
        1, len(values), 0, 3 if int16 else 2,
    )
    assert len(header) == 68
    title = b"EMG".ljust(32, b"\0")
    units = b"mV".ljust(32, b"\0")
    channel = title + units + struct.pack("<dddd", CFWB_SCALE_MV if int16 else 1.0, 0.0, 20.0, -20.0)
    if int16:
        body = b"".join(struct.pack("<h", round(v / CFWB_SCALE_MV)) for v in values)
    else:
        body = b"".join(struct.pack("<f", v) for v in values)
    return header + channel + body


def write_cfwb(name, rows, starts_s, from_trigger):
    kept = [r for r in rows if not from_trigger or r[0] >= -1e-9]
    folder = os.path.join(OUT, "cfwb_from_trigger" if from_trigger else "cfwb_pretrigger")
    os.makedirs(folder, exist_ok=True)
    digits = len(str(len(starts_s)))
    for k, at_s in enumerate(starts_s):
        values = [r[k + 1] for r in kept]
        data = cfwb(values, -kept[0][0] / 1000, at_s, from_trigger)
        with open(os.path.join(folder, f"{name}_{k + 1:0{max(2, digits)}d}.adibin"), "wb") as f:
            f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, starts in [
        ("1_rns_5hz", lambda n: [k / 5.0 for k in range(n)]),
        ("2_exercise", lambda n: EXERCISE_AT_S[:n]),
        ("3_hfrns_50hz", lambda n: [k / 50.0 for k in range(n)]),
    ]:
        header, rows = read_v1(os.path.join(V1, name + ".csv"))
        for from_trigger in (False, True):
            write(name, header, rows, starts(len(header) - 1), from_trigger)
            write_spike2(name, header, rows, starts(len(header) - 1), from_trigger)
            write_cfwb(name, rows, starts(len(header) - 1), from_trigger)


if __name__ == "__main__":
    main()
