"""One sound on its way to the device: where it is, whether it loops, paused or stopped.

The device's callback takes frames from it (`take`) on PortAudio's thread while the desk seeks, pauses and
stops it from its own; a lock keeps the two in step, and nothing in it waits.
"""

from __future__ import annotations

import threading
import time

from agentdesk.sound.pcm import Pcm


class Playback:
    """A sound handed to an output: `position` in frames, `loop` to play it again and again (the ring)."""

    def __init__(self, pcm: Pcm, *, loop: bool = False, name: str = "") -> None:
        self.pcm = pcm
        self.loop = loop
        self.name = name
        self._lock = threading.Lock()
        self._at = 0
        self._paused = False
        self._stopped = False
        self.requested_at = time.monotonic()
        """When it was asked for (monotonic seconds)."""
        self.first_frame_at: float | None = None
        """When its first frames were handed to the device (None: not yet)."""
        self.finished = threading.Event()
        """Set when it has played to its end or was stopped."""

    @property
    def position(self) -> int:
        """The next frame the device will be handed."""
        with self._lock:
            return self._at

    @property
    def paused(self) -> bool:
        """Whether it is paused (it keeps its place)."""
        return self._paused

    @property
    def stopped(self) -> bool:
        """Whether it was stopped or came to its end."""
        return self._stopped

    @property
    def running(self) -> bool:
        """Whether the device should be taking frames from it now."""
        return not (self._paused or self._stopped)

    def mark_requested(self) -> None:
        """It was asked to start (again) now: the start of its `first_frame_at` measure."""
        self.requested_at = time.monotonic()
        self.first_frame_at = None

    def seek(self, frame: int) -> None:
        """Go to `frame` (held within the sound)."""
        with self._lock:
            self._at = max(0, min(frame, self.pcm.frames))

    def pause(self) -> None:
        """Hold it where it is."""
        self._paused = True

    def resume(self) -> None:
        """Go on from where it was paused; from the start when it had come to its end."""
        with self._lock:
            if self._at >= self.pcm.frames and not self.loop:
                self._at = 0
            self._paused = False
            self._stopped = False
            self.finished.clear()

    def stop(self) -> None:
        """Stop it for good; the device's next request gets nothing from it."""
        self._stopped = True
        self.finished.set()

    def take(self, frames: int) -> tuple[bytes, bool]:
        """The next `frames` frames (fewer at the end) and whether this was the last of them. Called by the device."""
        if not self.running:
            return b"", True
        size = self.pcm.frame_bytes
        data = self.pcm.data
        with self._lock:
            if self.first_frame_at is None:
                self.first_frame_at = time.monotonic()
            if self.loop and self.pcm.frames:
                chunks, wanted, at = [], frames, self._at
                while wanted:
                    step = min(wanted, self.pcm.frames - at)
                    chunks.append(data[at * size:(at + step) * size])
                    wanted -= step
                    at = (at + step) % self.pcm.frames
                self._at = at
                return b"".join(chunks), False
            end = min(self._at + frames, self.pcm.frames)
            chunk = data[self._at * size:end * size]
            self._at = end
            last = end >= self.pcm.frames
        if last:
            self._stopped = True
            self.finished.set()
        return chunk, last
