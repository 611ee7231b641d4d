"""`agentdesk sound --list` and `--play`, run as the real command into the ALSA file device."""

from __future__ import annotations

from array import array
from pathlib import Path

from agentdesk.sound import tones
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.wav import encode_wav
from tests.sound.alsa import play_script, sound_runs

COMMAND = """
import sys
from agentdesk.cli import main
sys.argv = ["agentdesk", *{args!r}]
try:
    main()
except SystemExit as end:
    print("exit", end.code)
"""
FULL_VOLUME = {"AGENTDESK_SOUND__VOLUME": "1", "AGENTDESK_CONFIG": ""}


def test_list_shows_the_output_devices_with_the_default_marked(tmp_path: Path) -> None:
    _, out, err = play_script(tmp_path, COMMAND.format(args=["sound", "--list"]))
    assert "  0  default  (default)" in out and "exit 0" in out
    assert err == ""


def test_play_hold_cap_hands_the_device_the_cap_tone_and_exits(tmp_path: Path) -> None:
    samples, out, err = play_script(tmp_path, COMMAND.format(args=["sound", "--play", "hold-cap"]), env=FULL_VOLUME)
    assert "exit 0" in out and "Playing hold-cap" in err
    start, _ = sound_runs(samples)[0]
    heard = samples[start - 1:start - 1 + tones.hold_cap().frames]  # the tone fades in from a zero sample
    assert heard.tobytes() == tones.hold_cap().data


def test_play_ring_plays_one_ring(tmp_path: Path) -> None:
    samples, _, _ = play_script(tmp_path, COMMAND.format(args=["sound", "--play", "ring"]), env=FULL_VOLUME)
    runs = sound_runs(samples)
    assert len(runs) == 1 and abs((runs[0][1] - runs[0][0]) - 2 * tones.TONE_RATE) <= 2


def test_play_a_wav_file_and_refuse_what_is_not_one(tmp_path: Path) -> None:
    source = array("h", [(i % 200) + 1 for i in range(16000)])
    (tmp_path / "check.wav").write_bytes(encode_wav(Pcm(16000, 1, source.tobytes())))
    (tmp_path / "song.mp3").write_bytes(b"ID3" + bytes(100))
    samples, _, _ = play_script(tmp_path, COMMAND.format(args=["sound", "--play", "check.wav"]), env=FULL_VOLUME)
    assert array("h", (s for s in samples if s)) == source
    _, out, err = play_script(tmp_path, COMMAND.format(args=["sound", "--play", "song.mp3"]))
    assert "exit 1" in out and "This recording cannot be played: it is not a WAV file" in err
