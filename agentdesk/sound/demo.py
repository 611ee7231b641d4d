"""The demo's recordings: a few seconds of something shaped like speech, the same for the same call every time.

The demo data marks some calls as recorded (`recording.uri` = "demo://recordings/<interaction id>.ogg"); their
sound is made here on first request, as the G.711 mu-law WAV a phone system would write (8 kHz), from the
interaction id alone. The length is a few seconds whatever the call's talk time, to keep the demo small.
"""

from __future__ import annotations

import hashlib
import math
import random

from agentdesk.sound.wav import encode_g711_wav

DEMO_SCHEME = "demo://recordings/"
DEMO_RATE = 8000


def is_demo(uri: str) -> bool:
    """Whether `uri` names one of the demo's generated recordings."""
    return uri.startswith(DEMO_SCHEME)


def mu_law_byte(sample: int) -> int:
    """G.711 mu-law's byte for a 16-bit sample (the inverse of its expansion, to the nearest step)."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def demo_recording(interaction_id: str) -> bytes:
    """The WAV file of the demo call `interaction_id`: 3 to 6 s of syllables (a voice's harmonics, rising and
    falling) with pauses between words, decided by the id alone."""
    seed = int.from_bytes(hashlib.sha256(interaction_id.encode()).digest()[:8], "big")
    dice = random.Random(seed)
    total = round((3 + dice.random() * 3) * DEMO_RATE)
    voice = 100 + dice.random() * 120  # the speaker's pitch, Hz
    samples = [0] * total
    at = int(0.2 * DEMO_RATE)
    while at < total:
        length = int((0.12 + dice.random() * 0.2) * DEMO_RATE)
        pitch = voice * (0.9 + dice.random() * 0.25)
        loudness = 4000 + dice.random() * 6000
        for i in range(min(length, total - at)):
            envelope = math.sin(math.pi * i / length)
            t = i / DEMO_RATE
            tone = sum(math.sin(2 * math.pi * pitch * k * t) / k for k in (1, 2, 3, 4))
            samples[at + i] = int(loudness * envelope * tone / 2)
        at += length + int(dice.random() * (0.35 if dice.random() < 0.7 else 0.8) * DEMO_RATE)
    return encode_g711_wav(bytes(mu_law_byte(s) for s in samples), DEMO_RATE, alaw=False)
