"""The hold tones follow the hold timer's readings (on an injected clock); the ring's tone follows line and account."""

from __future__ import annotations

from agentdesk.clock import FixedClock
from agentdesk.config import RING_TONES
from agentdesk.domain.hold import HoldPolicy, read_hold
from agentdesk.sound import HoldTones, Ringer, SilentOutput
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.playback import Playback
from agentdesk.sound.tones import hold_cap, hold_warning, ring_tone_names


class _Heard(SilentOutput):
    """An output that notes what it was asked to play and when (on the desk's clock)."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__("test")
        self.clock = clock
        self.heard: list[tuple[float, str, Pcm]] = []

    def play(self, pcm: Pcm, *, loop: bool = False, name: str = "") -> Playback:
        self.heard.append((self.clock.monotonic(), name, pcm))
        return super().play(pcm, loop=loop, name=name)


def _hold(tones: HoldTones, clock: FixedClock, policy: HoldPolicy, seconds: float) -> None:
    started = clock.monotonic()
    for _ in range(round(seconds / 0.25)):
        clock.advance(0.25)
        tones.on_reading(read_hold(policy, started, clock.monotonic()))


def test_the_warning_plays_once_at_the_warning_second_and_the_cap_tone_once_at_the_cap() -> None:
    clock = FixedClock(monotonic_start=1000.0)
    output = _Heard(clock)
    tones = HoldTones(output)
    _hold(tones, clock, HoldPolicy(cap_seconds=10.0, warn_seconds=7.0), 12.0)
    assert [(at - 1000.0, name) for at, name, _ in output.heard] == [(7.0, "hold warning"), (10.0, "hold cap")]
    assert output.heard[0][2] == hold_warning() and output.heard[1][2] == hold_cap()
    assert hold_warning() != hold_cap()


def test_a_new_hold_warns_again_and_a_hold_taken_back_early_plays_nothing() -> None:
    clock = FixedClock(monotonic_start=0.0)
    output = _Heard(clock)
    tones = HoldTones(output)
    policy = HoldPolicy(cap_seconds=8.0, warn_seconds=5.0)
    _hold(tones, clock, policy, 4.0)           # taken back before the warning
    assert output.heard == []
    _hold(tones, clock, policy, 6.0)           # the next hold: its first reading is back in "holding"
    assert [name for _, name, _ in output.heard] == ["hold warning"]
    tones.reset()
    _hold(tones, clock, policy, 9.0)
    assert [round(at, 2) for at, _, _ in output.heard] == [9.0, 15.0, 18.0]  # warned at 4+5; then 10+5 and the cap at 10+8


def test_the_ring_tone_is_the_lines_then_the_accounts_then_the_desks() -> None:
    output = _Heard(FixedClock())
    ringer = Ringer(output, tone="low", tones_by_key={"acct-1": "bright", "line-2": "double"})
    assert ringer.tone_for("acct-1", "line-2") == "double"
    assert ringer.tone_for("acct-1", "line-9") == "bright"
    assert ringer.tone_for("acct-3") == "low"
    ringer.ring("acct-1")
    ringer.ring("acct-3")
    assert [name for _, name, _ in output.heard] == ["ring (bright)", "ring (low)"]
    assert output.heard[0][2] != output.heard[1][2]


def test_the_settings_offer_exactly_the_tones_there_are() -> None:
    assert RING_TONES == ring_tone_names()
