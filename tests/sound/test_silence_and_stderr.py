"""Sound off with its reason where there is no PyAudio or no device, and PortAudio's chatter kept in the log."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.sound.alsa import PROJECT, play_script

BLOCK_PYAUDIO = """
import sys
class _NoPyAudio:
    def find_spec(self, name, path=None, target=None):
        if name == "pyaudio" or name.startswith("pyaudio."):
            raise ImportError("No module named 'pyaudio'")
        return None
sys.meta_path.insert(0, _NoPyAudio())
"""


def test_without_pyaudio_the_desk_gets_silence_with_the_reason_and_the_next_step() -> None:
    script = BLOCK_PYAUDIO + textwrap.dedent("""
        from agentdesk.sound import HoldTones, RecordingPlayer, Ringer, open_output
        from agentdesk.sound.pcm import Pcm
        from agentdesk.domain.hold import HoldPolicy, read_hold
        output = open_output()
        print(output.available)
        print(output.reason)
        ringer = Ringer(output)
        ringer.ring()
        print(ringer.ringing)
        ringer.stop()
        HoldTones(output).on_reading(read_hold(HoldPolicy(), 0.0, 8.0))
        player = RecordingPlayer(output)
        player.load(Pcm(8000, 1, bytes(16000)))
        player.play()
        print(player.playing, player.status())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert done.returncode == 0, done.stderr
    available, reason, ringing, player = done.stdout.splitlines()
    assert available == "False" and ringing == "False"
    assert reason.startswith("PyAudio is not installed") and 'pip install -e ".[audio]"' in reason
    assert player == "False ⏸ 0:00 / 0:01"
    assert done.stderr == ""


def test_a_device_that_is_not_there_is_named_in_the_reason(tmp_path: Path) -> None:
    _, out, err = play_script(tmp_path, """
        from agentdesk.sound import open_output
        output = open_output("headset-that-is-not-plugged-in")
        print(output.available, output.reason)
        output = open_output(7)
        print(output.available, output.reason)
    """)
    first, second = out.splitlines()
    assert first.startswith("False There is no output device called 'headset-that-is-not-plugged-in'")
    assert "agentdesk sound --list" in first
    assert second.startswith("False There is no output device 7")
    assert err == ""


def test_portaudio_jack_and_alsa_messages_never_reach_stderr_they_go_to_the_log(tmp_path: Path) -> None:
    samples, out, err = play_script(tmp_path, """
        import logging, io
        caught = io.StringIO()
        logging.basicConfig(stream=caught, level=logging.INFO)   # the log, not the terminal
        from agentdesk.sound import Ringer, open_output
        output = open_output(volume=1.0)
        assert output.available
        ringer = Ringer(output)
        ringer.ring()
        wait_for_samples(16000)
        ringer.stop()
        output.close()
        print("jack" in caught.getvalue().lower() or "alsa" in caught.getvalue().lower())
    """)
    assert err == "", err
    assert len(samples) >= 16000
    # This machine has no JACK server: PortAudio's probe for one complains, and the complaint is in the log.
    assert out.strip() == "True"
