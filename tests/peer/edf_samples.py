#!/usr/bin/env python3
"""Test support for the EDF/BDF parity test (tests/integration/formats.rs):
prints, as JSON, what pyedflib reads from each file given: per signal its
label, unit, sampling rate and physical samples, and the annotations.
Needs pyedflib (pip install pyedflib; .ci/run installs it)."""

import json
import sys

import pyedflib


def read(path):
    with pyedflib.EdfReader(path) as f:
        signals = []
        for i in range(f.signals_in_file):
            signals.append({
                "label": f.getLabel(i),
                "unit": f.getPhysicalDimension(i),
                "sampling_rate_hz": f.getSampleFrequency(i),
                "samples": f.readSignal(i).tolist(),
            })
        onsets, _, texts = f.readAnnotations()
        return {
            "signals": signals,
            "annotations": [{"onset_s": float(o), "text": t} for o, t in zip(onsets, texts)],
        }


print(json.dumps({p: read(p) for p in sys.argv[1:]}))
