"""Sound as the device takes it: signed 16-bit little-endian samples, interleaved channels, at a rate."""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass

SAMPLE_BYTES = 2


@dataclass(frozen=True, slots=True)
class Pcm:
    """A stretch of sound: `data` holds signed 16-bit little-endian samples, `channels` interleaved."""

    rate: int
    channels: int
    data: bytes

    @property
    def frames(self) -> int:
        """How many sample frames (one sample per channel) it holds."""
        return len(self.data) // (SAMPLE_BYTES * self.channels)

    @property
    def seconds(self) -> float:
        """Its length in seconds."""
        return self.frames / self.rate

    @property
    def frame_bytes(self) -> int:
        """The bytes of one frame."""
        return SAMPLE_BYTES * self.channels


def samples_to_bytes(samples: array) -> bytes:
    """Signed 16-bit samples as little-endian bytes whatever the machine's byte order."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def bytes_to_samples(data: bytes) -> array:
    """Little-endian 16-bit bytes as an array of samples."""
    samples = array("h", data[: len(data) - len(data) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def scaled(data: bytes, volume: float) -> bytes:
    """`data` at `volume` (0 to 1); unchanged at full volume, silence at 0."""
    if volume >= 1.0:
        return data
    if volume <= 0.0:
        return bytes(len(data))
    samples = bytes_to_samples(data)
    return samples_to_bytes(array("h", [int(sample * volume) for sample in samples]))


def resampled(pcm: Pcm, rate: int) -> Pcm:
    """`pcm` at another rate (linear interpolation), for a device that cannot play the sound's own rate."""
    if rate == pcm.rate or pcm.frames == 0:
        return pcm
    samples, channels = bytes_to_samples(pcm.data), pcm.channels
    count = max(1, round(pcm.frames * rate / pcm.rate))
    out = array("h", bytes(2 * count * channels))
    last = pcm.frames - 1
    for i in range(count):
        where = i * pcm.rate / rate
        left = min(int(where), last)
        right = min(left + 1, last)
        part = where - left
        for c in range(channels):
            a, b = samples[left * channels + c], samples[right * channels + c]
            out[i * channels + c] = round(a + (b - a) * part)
    return Pcm(rate, channels, samples_to_bytes(out))
