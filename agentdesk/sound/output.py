"""The sound output: a PyAudio stream on the chosen device, or a silent stand-in that says why there is none.

Streams are opened and closed on the output's own thread and filled from PyAudio's callback, so nothing the
desk calls here ever waits for the device. One sound plays at a time: a new one (a ring) replaces the current one
(a recording) at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentdesk.sound.pcm import Pcm, resampled, scaled
from agentdesk.sound.playback import Playback
from agentdesk.sound.quiet import route_alsa_messages, stderr_to_log

log = logging.getLogger("agentdesk.sound")
FRAMES_PER_BUFFER = 512
INSTALL_HINT = 'install the audio extra: pip install -e ".[audio]" (with PortAudio from the OS: apt-get install portaudio19-dev)'


@dataclass(frozen=True, slots=True)
class Device:
    """An output device as PortAudio lists it."""

    index: int
    name: str
    channels: int
    rate: int
    default: bool


class _Loudness:
    """Volume and mute, changed from the desk at any moment and read by the device's callback on its next request."""

    volume: float
    muted: bool

    def set_volume(self, volume: float) -> float:
        """Set the volume (held within 0 to 1); returns it."""
        self.volume = max(0.0, min(1.0, volume))
        return self.volume

    def toggle_mute(self) -> bool:
        """Mute or unmute (the key for it); returns whether it is muted now."""
        self.muted = not self.muted
        return self.muted


class SilentOutput(_Loudness):
    """No sound: PyAudio is missing or there is no device. `reason` says which, for the desk to say once."""

    available = False

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.volume = 0.0
        self.muted = True
        self.device: Device | None = None

    def play(self, pcm: Pcm, *, loop: bool = False, name: str = "") -> Playback:
        """A playback that goes nowhere (stopped at once), so callers need no special case."""
        playback = Playback(pcm, loop=loop, name=name)
        playback.stop()
        return playback

    def start(self, playback: Playback) -> None:
        """Nothing to start."""
        playback.stop()

    def stop(self, playback: Playback | None = None) -> None:
        """Nothing to stop."""

    def close(self) -> None:
        """Nothing to close."""


class SoundOutput(_Loudness):
    """Sound on one PyAudio device. Build it with `open_output`."""

    available = True
    reason: str | None = None

    def __init__(self, pyaudio_module: Any, pa: Any, device: Device, *, volume: float, muted: bool,
                 quiet_opening: bool) -> None:
        self._pyaudio = pyaudio_module
        self._pa = pa
        self.device = device
        self.volume = volume
        self.muted = muted
        self._quiet_opening = quiet_opening
        self._current: Playback | None = None
        self._orders: queue.SimpleQueue[tuple[str, Playback | None]] = queue.SimpleQueue()
        self._stream: Any = None
        self._streaming: Playback | None = None
        self._thread = threading.Thread(target=self._work, name="agentdesk-sound", daemon=True)
        self._thread.start()

    def play(self, pcm: Pcm, *, loop: bool = False, name: str = "") -> Playback:
        """Play `pcm` (again and again with `loop`) in place of whatever plays now; returns at once."""
        playback = Playback(pcm, loop=loop, name=name)
        self.start(playback)
        return playback

    def start(self, playback: Playback) -> None:
        """Start (or go on with) `playback` in place of whatever plays now; returns at once."""
        current = self._current
        if current is not None and current is not playback:
            current.stop()
        self._current = playback
        playback.mark_requested()
        self._orders.put(("start", playback))

    def stop(self, playback: Playback | None = None) -> None:
        """Stop `playback` (or whatever plays): silent from the device's next request; returns at once."""
        target = playback or self._current
        if target is None:
            return
        if not target.paused:
            target.stop()
        self._orders.put(("close", target))

    def close(self) -> None:
        """Stop everything and let the device go (waits for the output's thread, a few milliseconds)."""
        if self._current is not None:
            self._current.stop()
        self._orders.put(("quit", None))
        self._thread.join(timeout=5)

    # The output's own thread: everything that may wait on the device.

    def _work(self) -> None:
        while True:
            order, playback = self._orders.get()
            try:
                if order == "quit":
                    self._close_stream()
                    self._pa.terminate()
                    return
                if order == "close" and playback is self._streaming:
                    self._close_stream()
                elif order == "start" and playback is not None and playback.running:
                    self._close_stream()
                    self._open_stream(playback)
            except Exception:  # the desk must go on without sound rather than lose its sound thread
                log.exception("The sound device failed (%s)", order)

    def _close_stream(self) -> None:
        stream, self._stream, self._streaming = self._stream, None, None
        if stream is not None:
            stream.stop_stream()
            stream.close()

    def _open_stream(self, playback: Playback) -> None:
        callback = self._callback_for(playback)
        pcm = playback.pcm
        try:
            self._stream = self._open(pcm, callback)
        except OSError:
            # The device cannot take this rate: play it at the device's own.
            if pcm.rate == self.device.rate:
                raise
            log.info("The device cannot play %d Hz; playing %s at %d Hz", pcm.rate, playback.name, self.device.rate)
            at = playback.position * self.device.rate // pcm.rate
            playback.pcm = resampled(pcm, self.device.rate)
            playback.seek(at)
            self._stream = self._open(playback.pcm, callback)
        self._streaming = playback

    def _open(self, pcm: Pcm, callback: Callable[..., tuple[bytes, int]]) -> Any:
        def opening() -> Any:
            return self._pa.open(format=self._pyaudio.paInt16, channels=pcm.channels, rate=pcm.rate, output=True,
                                 output_device_index=self.device.index, frames_per_buffer=FRAMES_PER_BUFFER,
                                 stream_callback=callback)

        if not self._quiet_opening:
            return opening()
        with stderr_to_log("The sound device, opening"):
            return opening()

    def _callback_for(self, playback: Playback) -> Callable[..., tuple[bytes, int]]:
        complete, more = self._pyaudio.paComplete, self._pyaudio.paContinue

        def callback(_in: bytes | None, frames: int, _time: Any, _status: int) -> tuple[bytes, int]:
            data, last = playback.take(frames)
            data = bytes(len(data)) if self.muted else scaled(data, self.volume)
            return data, complete if last else more

        return callback


def list_devices(pa: Any) -> list[Device]:
    """The output devices PortAudio sees, the default marked."""
    try:
        default = int(pa.get_default_output_device_info()["index"])
    except OSError:
        default = -1
    found = []
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        if int(info.get("maxOutputChannels", 0)) > 0:
            found.append(Device(index, str(info["name"]), int(info["maxOutputChannels"]),
                                int(info["defaultSampleRate"]), index == default))
    return found


def choose_device(devices: list[Device], wanted: str | int | None) -> Device:
    """The device `wanted` names (an index, or part of a name), else the default; `LookupError` says why not."""
    if not devices:
        raise LookupError("there is no sound output device")
    if wanted is None or wanted == "":
        for device in devices:
            if device.default:
                return device
        return devices[0]
    if isinstance(wanted, int) or str(wanted).strip().isdigit():
        index = int(wanted)
        for device in devices:
            if device.index == index:
                return device
        raise LookupError(f"there is no output device {index} (`agentdesk sound --list` shows them)")
    text = str(wanted).strip().lower()
    for device in devices:
        if device.name.lower() == text:
            return device
    for device in devices:
        if text in device.name.lower():
            return device
    raise LookupError(f"there is no output device called {wanted!r} (`agentdesk sound --list` shows them)")


def start_pyaudio() -> tuple[Any, Any]:
    """(the pyaudio module, a started PyAudio) with PortAudio's start-up messages sent to the log.

    ImportError when PyAudio is not installed; OSError when PortAudio cannot start."""
    import pyaudio

    route_alsa_messages()
    with stderr_to_log("PortAudio, starting"):
        return pyaudio, pyaudio.PyAudio()


def open_output(device: str | int | None = None, *, volume: float = 0.8, muted: bool = False,
                screen_on_stderr: bool = False) -> SoundOutput | SilentOutput:
    """Sound on `device`, or a silent stand-in whose `reason` says why there is none. Call it before the desk's
    screen starts: PortAudio's start-up messages are kept off the terminal by moving fd 2, which carries the
    screen. With `screen_on_stderr`, devices are later opened without moving fd 2 (ALSA's hook logs instead)."""
    try:
        pyaudio_module, pa = start_pyaudio()
    except ImportError:
        return SilentOutput(f"PyAudio is not installed; {INSTALL_HINT}")
    except OSError as error:
        return SilentOutput(f"PortAudio could not start ({error})")
    try:
        chosen = choose_device(list_devices(pa), device)
    except LookupError as error:
        pa.terminate()
        return SilentOutput(str(error).capitalize())
    log.info("Sound on %s (device %d)", chosen.name, chosen.index)
    return SoundOutput(pyaudio_module, pa, chosen, volume=volume, muted=muted, quiet_opening=not screen_on_stderr)
