"""Reading recordings: PCM 8/16-bit and G.711 mu-law/A-law WAV files, anything else refused with a sentence."""

from __future__ import annotations

import struct
from array import array

import pytest

from agentdesk.sound.pcm import Pcm, bytes_to_samples
from agentdesk.sound.wav import ALAW_TABLE, MULAW_TABLE, RecordingUnreadable, decode_wav, encode_g711_wav, encode_wav


def test_16_bit_pcm_comes_back_sample_for_sample() -> None:
    samples = array("h", [0, 1, -1, 32767, -32768, 1234, -4321, 7])
    pcm = Pcm(8000, 1, samples.tobytes())
    assert decode_wav(encode_wav(pcm)) == pcm


def test_stereo_keeps_its_channels() -> None:
    pcm = Pcm(44100, 2, array("h", [1, -1, 2, -2, 3, -3]).tobytes())
    decoded = decode_wav(encode_wav(pcm))
    assert (decoded.channels, decoded.rate, decoded.frames) == (2, 44100, 3)


def test_8_bit_pcm_is_unsigned_with_128_as_silence() -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = bytes([128, 255, 0, 129])
    blob = b"RIFF" + struct.pack("<I", 4 + 24 + 8 + 4) + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" \
        + struct.pack("<I", 4) + data
    assert list(bytes_to_samples(decode_wav(blob).data)) == [0, 127 << 8, -128 << 8, 1 << 8]


@pytest.mark.parametrize(("code", "sample"), [(0x00, -32124), (0x80, 32124), (0xFF, 0), (0x7F, 0), (0xF0, 120), (0xEF, 132),
                                              (0x70, -120), (0xA5, 6652)])
def test_mu_law_bytes_expand_as_g711_says(code: int, sample: int) -> None:
    assert MULAW_TABLE[code] == sample


@pytest.mark.parametrize(("code", "sample"), [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256), (0xC5, 264)])
def test_a_law_bytes_expand_as_g711_says(code: int, sample: int) -> None:
    assert ALAW_TABLE[code] == sample


def test_g711_tables_are_monotonic_in_each_sign() -> None:
    # Mu-law's positive codes run 0xFF (0) down to 0x80 (the loudest); every step is louder than the one before.
    positive = [MULAW_TABLE[code] for code in range(0xFF, 0x7F, -1)]
    assert positive == sorted(positive) and len(set(positive)) == 128
    assert sorted(abs(v) for v in ALAW_TABLE) == sorted(abs(v) for v in ALAW_TABLE if v != 0)


@pytest.mark.parametrize("alaw", [False, True])
def test_g711_wav_files_decode_through_their_table(alaw: bool) -> None:
    codes = bytes(range(256))
    decoded = decode_wav(encode_g711_wav(codes, 8000, alaw=alaw))
    table = ALAW_TABLE if alaw else MULAW_TABLE
    assert (decoded.rate, decoded.channels) == (8000, 1)
    assert list(bytes_to_samples(decoded.data)) == [table[c] for c in codes]


@pytest.mark.parametrize(("blob", "why"), [
    (b"OggS\x00\x02" + bytes(40), "it is not a WAV file"),
    (b"RIFF" + struct.pack("<I", 28) + b"WAVEfmt " + struct.pack("<I", 16)
     + struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32), "it is in format 0x0003"),
    (b"RIFF" + struct.pack("<I", 28) + b"WAVEfmt " + struct.pack("<I", 16)
     + struct.pack("<HHIIHH", 1, 1, 8000, 24000, 3, 24) + b"data" + struct.pack("<I", 0), "it is 24-bit PCM"),
    (b"RIFF" + struct.pack("<I", 4) + b"WAVE", "its format or its sound is missing"),
])
def test_anything_else_is_refused_with_a_sentence_saying_what_would_do(blob: bytes, why: str) -> None:
    with pytest.raises(RecordingUnreadable) as refused:
        decode_wav(blob)
    message = str(refused.value)
    assert why in message
    assert message.startswith("This recording cannot be played") and "mu-law or A-law" in message
