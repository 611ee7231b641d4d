"""The desk's sound, a part of the workspace: the ring until the call is answered, rejected or taken, the hold
tones on the hold timer's own readings, volume and mute, and the recording player for the history's recordings.

`DeskSound` is composed into the workspace (it holds the screen, not the other way round). Every call here
returns at once: the output plays on its own thread, recordings are fetched and decoded in a worker.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from agentdesk.desks.calls import ActiveCall, CallDesk
from agentdesk.domain.calls import CallState
from agentdesk.records import TimelineEntry
from agentdesk.sound import HoldTones, RecordingPlayer, Ringer, SilentOutput, SoundOutput
from agentdesk.sound.fetch import RecordingCache, RecordingUnavailable
from agentdesk.sound.wav import RecordingUnreadable, decode_wav
from screens.context import workstation
from widgets.customer_history import CustomerHistory, when_text
from widgets.recording_player import PlayerView, RecordingPlayerBar
from widgets.screen_text import one_line

VOLUME_STEP = 0.1

SOUND_BINDINGS = [
    # Hidden from the footer (full at 80 columns) but in the palette and the help.
    Binding("p", "sound('play')", "Play", show=False, id="recording.play",
            tooltip="Play or pause the recording of the highlighted call in the history"),
    Binding("comma", "sound('back')", "Back 5 s", show=False, id="recording.back",
            tooltip="The recording: back 5 seconds"),
    Binding("full_stop", "sound('forward')", "Forward 5 s", show=False, id="recording.forward",
            tooltip="The recording: forward 5 seconds"),
    Binding("m", "sound('mute')", "Mute", show=False, id="sound.mute",
            tooltip="Mute or unmute the desk's sound (the bell stays)"),
    Binding("equals_sign", "sound('louder')", "Louder", show=False, id="sound.louder", key_display="+",
            tooltip="Turn the sound up"),
    Binding("minus", "sound('softer')", "Softer", show=False, id="sound.softer", tooltip="Turn the sound down"),
]
"""The workspace's sound keys (spliced into its bindings)."""


def sound_off(reason: str) -> str:
    """The sentence that says sound is off and why ("There is no…" reads on after the colon, "PyAudio…" keeps its
    capital)."""
    first_word = reason.split(" ", 1)[0]
    if first_word[1:].islower():
        reason = reason[0].lower() + reason[1:]
    return f"Sound is off: {reason}."


class DeskSound:
    """What the agent hears at `desk`'s line in `screen`, through `output` (silent: the terminal bell only)."""

    def __init__(self, screen: Screen[Any], desk: CallDesk, output: SoundOutput | SilentOutput,
                 cache: RecordingCache | None, *, ring_tone: str = "classic",
                 ring_tones: dict[str, str] | None = None) -> None:
        self.screen = screen
        self.desk = desk
        self.output = output
        self.cache = cache
        self.ringer = Ringer(output, tone=ring_tone, tones_by_key=ring_tones)
        self.hold_tones = HoldTones(output)
        self.player = RecordingPlayer(output)
        self.playing_entry: str | None = None
        """The history entry (call) whose recording is in the player."""
        self._note = ""

    @classmethod
    def for_screen(cls, screen: Screen[Any], desk: CallDesk) -> DeskSound:
        """The sound of the workstation `screen` runs in (silent where it was given no output)."""
        station = workstation(screen)
        output = station.sound or SilentOutput("this desk was started without sound")
        settings = station.settings.sound
        return cls(screen, desk, output, station.recording_cache(), ring_tone=settings.ring_tone,
                   ring_tones=settings.ring_tones)

    # -- the line ---------------------------------------------------------------------------------------

    def call_rings(self, call: ActiveCall) -> None:
        """A call rings on the line: the recording stops at once and the ring starts in the line's tone."""
        self.stop_recording()
        self.ringer.ring(account_id=call.account.id, line=call.account.phone_number)

    def tick(self) -> None:
        """On every redraw of the call bar, before the desk applies the hold cap: the ring stops once the call
        no longer rings, and the hold tones hear the same reading the hold timer shows."""
        if self.ringer.ringing and self.desk.state is not CallState.RINGING:
            self.ringer.stop()
        reading = self.desk.hold_reading()
        if reading is not None:
            self.hold_tones.on_reading(reading)
        self.show_player()

    def on_key(self, key: str, history: CustomerHistory) -> tuple[str, SeverityLevel] | None:
        """One of the sound keys (`SOUND_BINDINGS`); returns what to tell the agent, if anything."""
        if key == "play":
            zone = history.view.time_zone if history.view else "UTC"
            why = self.play_or_pause(history.highlighted(), zone)
            return (why, "warning") if why is not None else None
        if key in ("back", "forward"):
            self.skip(forward=key == "forward")
            return None
        if key == "mute":
            return self.toggle_mute(), "information"
        return self.change_volume(up=key == "louder"), "information"

    # -- loudness ---------------------------------------------------------------------------------------

    def change_volume(self, up: bool) -> str:
        """Turn the sound up or down a step; returns what to tell the agent."""
        if not self.output.available:
            return self.off_line()
        volume = self.output.set_volume(round(self.output.volume + (VOLUME_STEP if up else -VOLUME_STEP), 2))
        if self.output.muted:
            return f"Volume {volume:.0%} (muted: m to hear it)."
        return f"Volume {volume:.0%}."

    def toggle_mute(self) -> str:
        """Mute or unmute every sound of the desk (the bell still rings); returns what to tell the agent."""
        if not self.output.available:
            return self.off_line()
        muted = self.output.toggle_mute()
        return "Sound muted (the bell still rings)." if muted else f"Sound on, volume {self.output.volume:.0%}."

    def off_line(self) -> str:
        """The sentence that says why there is no sound."""
        return sound_off(self.output.reason or "")

    # -- recordings -------------------------------------------------------------------------------------

    def can_play(self, entry: TimelineEntry | None) -> str | None:
        """Why `entry`'s recording cannot be played now (None: it can)."""
        if entry is None or not entry.recording_seconds:
            return "This history entry has no recording: move to a call marked ▶rec."
        if self.desk.state is CallState.RINGING:
            return "A call is ringing: answer it before playing a recording."
        if self.cache is None:
            return "Recordings cannot be kept on this desk (it has no store folder)."
        return None

    def play_or_pause(self, entry: TimelineEntry | None, time_zone: str) -> str | None:
        """The play key on the history's highlighted `entry`: pause or go on with the recording in the player, or
        fetch and play `entry`'s (titled with its time in `time_zone`). Returns why not, for the agent, or None."""
        if self.player.loaded and (entry is None or entry.id == self.playing_entry):
            self.toggle()
            return None
        why = self.can_play(entry)
        if why is not None:
            return why
        assert entry is not None
        title = f"{when_text(entry.at, ZoneInfo(time_zone))} · {one_line(entry.summary, 40)}"
        self.loading(entry, title)
        screen = self.screen

        def fetch_then_play() -> None:
            got = self.fetch(entry)
            if isinstance(got, str):
                screen.app.call_from_thread(self._refused, entry.id, got)
            else:
                screen.app.call_from_thread(self.loaded, got[0], got[1], title)

        screen.run_worker(fetch_then_play, thread=True, exclusive=True, group="recording", exit_on_error=False)
        return None

    def _refused(self, entry_id: str, why: str) -> None:
        if self.playing_entry == entry_id:
            self.stop_recording()
        self.screen.notify(why, severity="warning", timeout=8)

    def fetch(self, entry: TimelineEntry) -> tuple[str, Any] | str:
        """In a worker thread: the decoded recording of `entry` (fetched or taken from the cache), or why not."""
        assert self.cache is not None
        try:
            path = self.cache.get(entry.id, entry.recording_uri)
            return entry.id, decode_wav(path.read_bytes())
        except (RecordingUnavailable, RecordingUnreadable) as error:
            return str(error)
        except OSError as error:
            return f"The recording could not be read from this terminal's cache ({error.strerror}); try again."

    def loading(self, entry: TimelineEntry, title: str) -> None:
        """The fetch of `entry`'s recording has started: say so on the player's line."""
        self.stop_recording()
        self.playing_entry = entry.id
        self._note = "fetching…"
        self.screen.query_one(RecordingPlayerBar).show(PlayerView(title, "", self._note))

    def loaded(self, entry_id: str, pcm: Any, title: str) -> bool:
        """The recording arrived: play it from the start, unless the agent moved on meanwhile."""
        if self.playing_entry != entry_id or self.desk.state is CallState.RINGING:
            return False
        self._note = ""
        self.player.load(pcm, title)
        self.player.play()
        self.show_player()
        return True

    def toggle(self) -> None:
        """Play or pause the recording in the player."""
        self.player.toggle()
        self.show_player()

    def skip(self, forward: bool) -> None:
        """Forward or back 5 seconds."""
        if forward:
            self.player.forward()
        else:
            self.player.back()
        self.show_player()

    def stop_recording(self) -> None:
        """Stop and put the recording away (a call rings, the customer changes)."""
        self.player.stop()
        self.playing_entry = None
        self._note = ""
        self.show_player()

    def show_player(self) -> None:
        """Redraw the player's line (unchanged text is not redrawn)."""
        bar = self.screen.query_one(RecordingPlayerBar)
        if self.player.loaded:
            bar.show(PlayerView(self.player.title, self.player.status(), self._note))
        elif self.playing_entry is None:
            bar.show(None)

    def close(self) -> None:
        """The screen goes: nothing of it may go on sounding."""
        self.ringer.stop()
        self.player.stop()
