"""What the desk hears during calls: the ring until the call is answered, and the hold tones on the hold timer.

The desk calls these from its own events (a call rings, is answered, rejected or taken; the hold timer ticks);
each call returns at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from agentdesk.domain.hold import HoldPhase, HoldReading
from agentdesk.sound import tones
from agentdesk.sound.output import SilentOutput, SoundOutput
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.playback import Playback

Output = SoundOutput | SilentOutput


class Ringer:
    """Rings an incoming call in its line's or account's tone until `stop` (answered, rejected, taken)."""

    def __init__(self, output: Output, *, tone: str = "classic", tones_by_key: Mapping[str, str] | None = None,
                 cycle_seconds: float = tones.RING_CYCLE_SECONDS) -> None:
        self.output = output
        self.tone = tone
        self.tones_by_key = dict(tones_by_key or {})
        self.cycle_seconds = cycle_seconds
        self._made: dict[str, Pcm] = {}
        self._ringing: Playback | None = None

    def tone_for(self, account_id: str | None = None, line: str | None = None) -> str:
        """The tone of `line` if it has one, else of `account_id`, else the desk's."""
        for key in (line, account_id):
            if key is not None and key in self.tones_by_key:
                return self.tones_by_key[key]
        return self.tone

    def ring(self, account_id: str | None = None, line: str | None = None) -> Playback:
        """Start ringing (replacing whatever plays, a recording included)."""
        name = self.tone_for(account_id, line)
        if name not in self._made:
            self._made[name] = tones.ring(name, self.cycle_seconds)
        if self._ringing is not None:
            self._ringing.stop()
        self._ringing = self.output.play(self._made[name], loop=True, name=f"ring ({name})")
        return self._ringing

    @property
    def ringing(self) -> bool:
        """Whether a ring is on."""
        return self._ringing is not None and not self._ringing.stopped

    def stop(self) -> None:
        """Stop the ring at once (the call was answered, rejected or taken by another agent)."""
        if self._ringing is not None:
            self.output.stop(self._ringing)
            self._ringing = None


class HoldTones:
    """The hold warning and the cap tone, keyed to the hold timer's own readings (the same clock as the screen).

    Call `on_reading` with every reading the desk shows; the warning plays once on entering the warning phase,
    the cap tone once at the cap. A reading back in the holding phase (a new hold) arms both again.
    """

    def __init__(self, output: Output) -> None:
        self.output = output
        self._warning = tones.hold_warning()
        self._cap = tones.hold_cap()
        self._phase = HoldPhase.HOLDING

    def on_reading(self, reading: HoldReading) -> Playback | None:
        """Play the tone this reading calls for, if any; returns what it started."""
        before, self._phase = self._phase, reading.phase
        if reading.phase == before:
            return None
        if reading.phase == HoldPhase.WARNING and before == HoldPhase.HOLDING:
            return self.output.play(self._warning, name="hold warning")
        if reading.phase == HoldPhase.RELEASED:
            return self.output.play(self._cap, name="hold cap")
        return None

    def reset(self) -> None:
        """A new hold begins: both tones may play again."""
        self._phase = HoldPhase.HOLDING
