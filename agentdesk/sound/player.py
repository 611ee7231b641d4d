"""Playing a call's recording in the desk: play/pause, back and forward 5 s, its position and length.

One recording at a time: opening another stops the first, and a ring (which takes the output) stops it too.
"""

from __future__ import annotations

from agentdesk.sound.output import SilentOutput, SoundOutput
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.playback import Playback

SKIP_SECONDS = 5.0


def clock_text(seconds: float) -> str:
    """M:SS, as the history shows a recording's length."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class RecordingPlayer:
    """The desk's player. `load` a decoded recording, then `toggle` (play/pause), `back`, `forward`, `stop`."""

    def __init__(self, output: SoundOutput | SilentOutput) -> None:
        self.output = output
        self._playback: Playback | None = None
        self.title = ""

    def load(self, pcm: Pcm, title: str = "") -> None:
        """Make `pcm` the recording (stopping the one before), paused at its start."""
        self.stop()
        self._playback = Playback(pcm, name=title or "recording")
        self._playback.pause()
        self.title = title

    @property
    def loaded(self) -> bool:
        """Whether there is a recording in the player."""
        return self._playback is not None

    @property
    def playing(self) -> bool:
        """Whether it is playing now (not paused, not at its end, not cut off by a ring)."""
        return self._playback is not None and self._playback.running

    @property
    def position(self) -> float:
        """Seconds from the start to the next sound handed to the device."""
        if self._playback is None:
            return 0.0
        return self._playback.position / self._playback.pcm.rate

    @property
    def length(self) -> float:
        """The recording's length in seconds."""
        return self._playback.pcm.seconds if self._playback is not None else 0.0

    def status(self) -> str:
        """What the screen shows: "▶ 0:12 / 1:03" or "⏸ 0:12 / 1:03"."""
        if self._playback is None:
            return ""
        return f"{'▶' if self.playing else '⏸'} {clock_text(self.position)} / {clock_text(self.length)}"

    def play(self) -> None:
        """Play from where it is (from the start once it has ended)."""
        if self._playback is None:
            return
        self._playback.resume()
        self.output.start(self._playback)

    def pause(self) -> None:
        """Hold it where it is."""
        if self._playback is not None and self._playback.running:
            self._playback.pause()
            self.output.stop(self._playback)

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, seconds: float) -> None:
        """Go to `seconds` from the start (held within the recording)."""
        if self._playback is not None:
            self._playback.seek(round(seconds * self._playback.pcm.rate))

    def back(self) -> None:
        """Back 5 seconds."""
        self.seek(self.position - SKIP_SECONDS)

    def forward(self) -> None:
        """Forward 5 seconds."""
        self.seek(self.position + SKIP_SECONDS)

    def stop(self) -> None:
        """Stop and put it away (a call rings, the customer changes)."""
        if self._playback is not None:
            self._playback.stop()
            self.output.stop(self._playback)
            self._playback = None
            self.title = ""
