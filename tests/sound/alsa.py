"""Playing through real PyAudio into an ALSA `file` device, in a subprocess (ALSA reads its settings at start).

The device writes every sample it is handed as raw S16_LE through `cat >>` into one file (every stream the output
opens appends to it; a plain file would be started afresh by each); its slave, `null`, takes samples as fast as they
come, so a test's seconds of sound take milliseconds. The tests read that file back.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from array import array
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PRELUDE = """
import os as _os, time as _time
def wait_for_samples(count, deadline=30.0):
    # The device's file appears when the output's thread has opened it: wait for it, then for `count` samples.
    end = _time.monotonic() + deadline
    while not (_os.path.exists("out.raw") and _os.path.getsize("out.raw") >= 2 * count):
        assert _time.monotonic() < end, "the device was handed too little sound"
        _time.sleep(0.005)
"""


def play_script(tmp_path: Path, script: str, *, env: dict[str, str] | None = None) -> tuple[array, str, str]:
    """Run `script` with the ALSA file device as the default output: (samples that came out, stdout, stderr)."""
    out = tmp_path / "out.raw"
    asoundrc = tmp_path / "asoundrc"
    asoundrc.write_text(textwrap.dedent(f"""\
        pcm.!default {{
            type file
            slave.pcm "null"
            file "| cat >> {out}"
            format "raw"
        }}
        pcm.null {{ type null }}
        """))
    environ = {**os.environ, "ALSA_CONFIG_PATH": str(asoundrc), "PYTHONPATH": str(PROJECT), **(env or {})}
    done = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(script)], capture_output=True, text=True,
                          env=environ, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    samples = array("h", out.read_bytes() if out.exists() else b"")
    return samples, done.stdout, done.stderr


def sound_runs(samples: array, *, gap: int = 400) -> list[tuple[int, int]]:
    """(start, end) of each stretch of sound, stretches closer than `gap` silent samples joined."""
    runs: list[tuple[int, int]] = []
    start = last = None
    for i, sample in enumerate(samples):
        if sample != 0:
            if start is None:
                start = i
            elif last is not None and i - last > gap:
                runs.append((start, last + 1))
                start = i
            last = i
    if start is not None and last is not None:
        runs.append((start, last + 1))
    return runs


def strongest(samples: array, rate: int, candidates: list[float]) -> dict[float, float]:
    """The strength of each candidate frequency in `samples` (one DFT bin each), largest first."""
    power = {}
    for f in candidates:
        step = 2 * math.pi * f / rate
        re = sum(s * math.cos(step * i) for i, s in enumerate(samples))
        im = sum(s * math.sin(step * i) for i, s in enumerate(samples))
        power[f] = math.hypot(re, im) / len(samples)
    return dict(sorted(power.items(), key=lambda item: -item[1]))
