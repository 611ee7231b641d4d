"""The recording player through real PyAudio: the samples that reach the device are the recording's own, and
pause, back and forward 5 s land where the player says."""

from __future__ import annotations

from array import array
from pathlib import Path

from agentdesk.sound.pcm import bytes_to_samples
from agentdesk.sound.wav import decode_wav, encode_g711_wav
from tests.sound.alsa import play_script

RATE = 8000


def _mu_law_recording(path: Path, seconds: int) -> array:
    """A mu-law WAV with no silent sample (so the device's padding can be told apart); its decoded samples."""
    codes = bytes(c if c not in (0x7F, 0xFF) else 0x42 for c in ((i * 37 + (i >> 9)) % 256 for i in range(seconds * RATE)))
    blob = encode_g711_wav(codes, RATE, alaw=False)
    path.write_bytes(blob)
    return bytes_to_samples(decode_wav(blob).data)


def _heard(samples: array) -> array:
    """What the device was handed, less the silence it adds at each start and end."""
    return array("h", (s for s in samples if s != 0))


def test_a_g711_recording_reaches_the_device_sample_for_sample_from_where_it_was_sought(tmp_path: Path) -> None:
    source = _mu_law_recording(tmp_path / "call.wav", 12)
    samples, out, _ = play_script(tmp_path, """
        from agentdesk.sound import RecordingPlayer, decode_wav, open_output
        output = open_output(volume=1.0)
        player = RecordingPlayer(output)
        player.load(decode_wav(open("call.wav", "rb").read()), "call")
        print(player.status())
        player.seek(5.0)
        player.play()
        player._playback.finished.wait(10)
        print(player.status())
        output.close()
    """)
    assert out.splitlines() == ["⏸ 0:00 / 0:12", "⏸ 0:12 / 0:12"]
    assert _heard(samples) == source[5 * RATE:]


def test_pause_back_and_forward_five_seconds_play_exactly_what_the_positions_say(tmp_path: Path) -> None:
    source = _mu_law_recording(tmp_path / "long.wav", 300)
    samples, out, _ = play_script(tmp_path, """
        import time
        from agentdesk.sound import RecordingPlayer, Ringer, decode_wav, open_output
        output = open_output(volume=1.0)
        player = RecordingPlayer(output)
        player.load(decode_wav(open("long.wav", "rb").read()), "call")

        def play_past(seconds):
            player.play()
            while player.position < seconds:
                time.sleep(0.0005)
            player.pause()
            time.sleep(0.2)                      # the device's last request has been answered
            assert not player.playing and player.position < player.length
            return round(player.position * 8000)

        first = play_past(10)
        player.back()
        back_to = round(player.position * 8000)
        second = play_past(player.position + 10)
        player.forward()
        forward_to = round(player.position * 8000)
        player.play()
        player._playback.finished.wait(30)
        print(first, back_to, second, forward_to)
        player.seek(0)
        player.play()
        Ringer(output).ring()                    # a call rings: the recording stops at once
        time.sleep(0.2)
        print(player.playing)
        output.close()
    """)
    numbers, playing_after_ring = out.splitlines()
    first, back_to, second, forward_to = map(int, numbers.split())
    assert back_to == first - 5 * RATE and forward_to == second + 5 * RATE
    assert playing_after_ring == "False"
    heard = _heard(samples)
    expected = source[:first] + source[back_to:second] + source[forward_to:]
    assert heard[:len(expected)] == expected
