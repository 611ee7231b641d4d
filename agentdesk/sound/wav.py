"""Reading the recordings phone systems write: WAV with PCM (8 or 16-bit) or G.711 (mu-law, A-law).

G.711 is decoded here (ITU-T G.711's expansion rules), not through `audioop`, which Python 3.13 removed.
"""

from __future__ import annotations

import struct
from array import array

from agentdesk.sound.pcm import Pcm, samples_to_bytes

PCM, ALAW, MULAW, EXTENSIBLE = 1, 6, 7, 0xFFFE


class RecordingUnreadable(Exception):
    """The file is not a recording the desk can play; the message says why and what would do."""


def _mulaw(byte: int) -> int:
    byte = ~byte & 0xFF
    exponent = (byte >> 4) & 0x07
    magnitude = (((byte & 0x0F) << 3) + 0x84) << exponent
    magnitude -= 0x84
    return -magnitude if byte & 0x80 else magnitude


def _alaw(byte: int) -> int:
    byte ^= 0x55
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    if exponent == 0:
        magnitude = (mantissa << 4) + 8
    else:
        magnitude = ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if byte & 0x80 else -magnitude


MULAW_TABLE = tuple(_mulaw(b) for b in range(256))
"""The 16-bit sample of each mu-law byte."""
ALAW_TABLE = tuple(_alaw(b) for b in range(256))
"""The 16-bit sample of each A-law byte."""

_REFUSED = ("This recording cannot be played: {why}. The desk plays WAV files with PCM (8 or 16-bit) or G.711 "
            "(mu-law or A-law); ask for the recording in one of those.")


def _refuse(why: str) -> RecordingUnreadable:
    return RecordingUnreadable(_REFUSED.format(why=why))


def decode_wav(blob: bytes) -> Pcm:
    """The sound in a WAV file, as 16-bit samples; `RecordingUnreadable` for anything else."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise _refuse("it is not a WAV file")
    fmt: tuple[int, int, int, int] | None = None
    data: bytes | None = None
    at = 12
    while at + 8 <= len(blob):
        chunk, size = struct.unpack_from("<4sI", blob, at)
        body = blob[at + 8: at + 8 + size]
        if chunk == b"fmt ":
            if len(body) < 16:
                raise _refuse("its format chunk is cut short")
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack_from("<H", body, 24)[0]  # the sub-format GUID starts with the format tag
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            data = body
            break
        at += 8 + size + (size & 1)
    if fmt is None:
        raise _refuse("its format or its sound is missing (the file may be cut short)")
    tag, channels, rate, bits = fmt
    if not 1 <= channels <= 2 or not 4000 <= rate <= 192_000:
        raise _refuse(f"it has {channels} channels at {rate} Hz (1 or 2 channels, 4,000 to 192,000 Hz are played)")
    if not (tag == PCM and bits in (8, 16) or tag in (MULAW, ALAW) and bits == 8):
        names = {PCM: f"{bits}-bit PCM", MULAW: f"{bits}-bit mu-law", ALAW: f"{bits}-bit A-law"}
        raise _refuse(f"it is {names.get(tag, f'in format {tag:#06x}')}")
    if data is None:
        raise _refuse("its format or its sound is missing (the file may be cut short)")
    if tag == PCM and bits == 16:
        return Pcm(rate, channels, _little_endian(data, channels))
    if tag == PCM:
        # 8-bit WAV is unsigned: 128 is silence.
        return Pcm(rate, channels, samples_to_bytes(array("h", [(b - 128) << 8 for b in data])))
    table = MULAW_TABLE if tag == MULAW else ALAW_TABLE
    return Pcm(rate, channels, samples_to_bytes(array("h", [table[b] for b in data])))


def _little_endian(data: bytes, channels: int) -> bytes:
    """WAV's 16-bit samples are little-endian already: whole frames only."""
    return data[: len(data) - len(data) % (2 * channels)]


def encode_wav(pcm: Pcm) -> bytes:
    """A 16-bit PCM WAV file of `pcm`."""
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm.data), b"WAVE", b"fmt ", 16, PCM,
                         pcm.channels, pcm.rate, pcm.rate * pcm.frame_bytes, pcm.frame_bytes, 16, b"data",
                         len(pcm.data))
    return header + pcm.data


def encode_g711_wav(codes: bytes, rate: int, *, alaw: bool) -> bytes:
    """A mono G.711 WAV file holding the bytes `codes` (each one sample)."""
    fmt = struct.pack("<HHIIHHH", ALAW if alaw else MULAW, 1, rate, rate, 1, 8, 0)
    return (struct.pack("<4sI4s", b"RIFF", 4 + 8 + len(fmt) + 8 + len(codes), b"WAVE")
            + struct.pack("<4sI", b"fmt ", len(fmt)) + fmt + struct.pack("<4sI", b"data", len(codes)) + codes)
