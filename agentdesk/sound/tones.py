"""The desk's tones, made the same every time: the ring (a phone's cadence), the hold warning and the hold cap.

Made from sine waves with short fades (no clicks), as 16-bit mono at `TONE_RATE`.
"""

from __future__ import annotations

import math
from array import array

from agentdesk.sound.pcm import Pcm, samples_to_bytes

TONE_RATE = 16_000
LEVEL = 0.35
"""The peak of a tone against full scale: loud enough in a headset, never clipped when two sines add."""
FADE_SECONDS = 0.005

RING_ON_SECONDS = 2.0
RING_CYCLE_SECONDS = 6.0
"""A North American ring: 2 s of ring, 4 s of silence."""

# Each ring tone: its pair of frequencies (Hz) and, within the 2 s of ring, the bursts (start, length in seconds).
_RING_TONES: dict[str, tuple[tuple[float, float], tuple[tuple[float, float], ...]]] = {
    "classic": ((440.0, 480.0), ((0.0, 2.0),)),
    "bright": ((480.0, 620.0), ((0.0, 2.0),)),
    "low": ((350.0, 440.0), ((0.0, 2.0),)),
    "double": ((400.0, 450.0), ((0.0, 0.4), (0.6, 0.4))),  # the British double ring, in the same 6 s cycle
}

HOLD_WARNING_HZ = 880.0
"""The warning: two short beeps at this pitch."""
HOLD_CAP_HZ = (1320.0, 660.0)
"""The cap: a falling pair, high then low, plainly not the warning."""


def _silence(seconds: float) -> array:
    return array("h", bytes(2 * round(seconds * TONE_RATE)))


def _burst(frequencies: tuple[float, ...], seconds: float) -> array:
    count = round(seconds * TONE_RATE)
    fade = max(1, round(FADE_SECONDS * TONE_RATE))
    peak = 32767 * LEVEL / len(frequencies)
    steps = [2 * math.pi * f / TONE_RATE for f in frequencies]
    out = array("h", bytes(2 * count))
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        out[i] = round(peak * envelope * sum(math.sin(step * i) for step in steps))
    return out


def ring_tone_names() -> tuple[str, ...]:
    """The ring tones there are."""
    return tuple(_RING_TONES)


def ring(tone: str = "classic", cycle_seconds: float = RING_CYCLE_SECONDS) -> Pcm:
    """One cycle of a ring (played in a loop until answered): the ring's bursts in the first 2 s, then silence."""
    if tone not in _RING_TONES:
        raise ValueError(f"There is no ring tone called {tone!r}; choose one of {', '.join(_RING_TONES)}.")
    frequencies, bursts = _RING_TONES[tone]
    samples = array("h")
    at = 0.0
    for start, length in bursts:
        samples.extend(_silence(start - at))
        samples.extend(_burst(frequencies, length))
        at = start + length
    samples.extend(_silence(max(cycle_seconds, RING_ON_SECONDS) - at))
    return Pcm(TONE_RATE, 1, samples_to_bytes(samples))


def hold_warning() -> Pcm:
    """The hold warning: two 150 ms beeps, 100 ms apart."""
    samples = _burst((HOLD_WARNING_HZ,), 0.15)
    samples.extend(_silence(0.1))
    samples.extend(_burst((HOLD_WARNING_HZ,), 0.15))
    return Pcm(TONE_RATE, 1, samples_to_bytes(samples))


def hold_cap() -> Pcm:
    """The hold cap: 250 ms high, then 250 ms an octave lower."""
    samples = _burst((HOLD_CAP_HZ[0],), 0.25)
    samples.extend(_burst((HOLD_CAP_HZ[1],), 0.25))
    return Pcm(TONE_RATE, 1, samples_to_bytes(samples))


NAMED = {"ring": ring, "hold-warning": hold_warning, "hold-cap": hold_cap}
"""The tones `agentdesk sound --play` knows by name."""
