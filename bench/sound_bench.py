"""Sound figures for `bench/run.py`.

- sound_start_ms: from the desk's command (a call rings, or the play key on a recording) to the first frames
  handed to the device in PyAudio's callback, p95 over 40 starts, alternating the ring and a recording. Measured
  through real PyAudio into an ALSA `file` device writing to /dev/null (this machine has no sound card): the
  time the desk's side and PortAudio take; a real device adds its own buffer on top.

Runs in a child process, because ALSA reads its configuration (ALSA_CONFIG_PATH) once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTS = 40
ASOUNDRC = """
pcm.!default { type file slave.pcm "null" file "/dev/null" format "raw" }
pcm.null { type null }
"""


def _child() -> dict[str, float | None]:
    from agentdesk.sound import RecordingPlayer, Ringer, open_output
    from agentdesk.sound.demo import demo_recording
    from agentdesk.sound.wav import decode_wav

    output = open_output(volume=0.8)
    if not output.available:
        return {"sound_start_ms": None}
    ringer, player = Ringer(output), RecordingPlayer(output)
    recording = decode_wav(demo_recording("bench-call"))
    took = []
    for i in range(STARTS):
        if i % 2:
            player.load(recording, "bench")
            player.play()
            playback = player._playback
        else:
            playback = ringer.ring()
        assert playback is not None
        while playback.first_frame_at is None:
            time.sleep(0.0002)
        took.append((playback.first_frame_at - playback.requested_at) * 1000)
        ringer.stop()
        player.stop()
        time.sleep(0.02)
    output.close()
    ordered = sorted(took)
    return {"sound_start_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]}


def sound_figures() -> dict[str, float | None]:
    """sound_start_ms (None where PyAudio is not installed)."""
    with tempfile.TemporaryDirectory() as tmp:
        asoundrc = Path(tmp) / "asoundrc"
        asoundrc.write_text(ASOUNDRC)
        env = {**os.environ, "ALSA_CONFIG_PATH": str(asoundrc), "PYTHONPATH": str(ROOT)}
        child = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, env=env,
                               check=True, timeout=300)
    return json.loads(child.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()))
    else:
        print(json.dumps(sound_figures()))
