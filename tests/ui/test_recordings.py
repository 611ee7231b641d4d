"""Playing a call's recording from the customer's history, in the desk (pilot), on an output the test drives.

The output here is the edge of the world: it hands the player's frames to the test instead of a sound card (the
real PyAudio path is tested in tests/sound/test_desk_sound.py).
"""

from __future__ import annotations

from pathlib import Path

from agentdesk.clock import FixedClock
from agentdesk.config import Settings
from agentdesk.records import TimelineEntry
from agentdesk.sound import SilentOutput
from agentdesk.sound.demo import demo_recording
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.playback import Playback
from agentdesk.sound.wav import decode_wav
from agentdesk.store import Store
from screens.app import make_app
from tests.desk import WELL_KNOWN, ring, settle
from widgets import CustomerHistory
from widgets.recording_player import RecordingPlayerBar


class _Headset(SilentOutput):
    """An output that plays like the real one (one sound at a time, a new one replacing the last) into a list."""

    available = True

    def __init__(self) -> None:
        super().__init__("")
        self.reason = None  # type: ignore[assignment]
        self.volume, self.muted = 0.8, False
        self.current: Playback | None = None
        self.started: list[str] = []

    def play(self, pcm: Pcm, *, loop: bool = False, name: str = "") -> Playback:
        playback = Playback(pcm, loop=loop, name=name)
        self.start(playback)
        return playback

    def start(self, playback: Playback) -> None:
        if self.current is not None and self.current is not playback:
            self.current.stop()
        self.current = playback
        self.started.append(playback.name)

    def stop(self, playback: Playback | None = None) -> None:
        target = playback or self.current
        if target is not None and not target.paused:
            target.stop()

    def hear(self, seconds: float) -> bytes:
        """What the device takes in `seconds` of playing."""
        assert self.current is not None
        data, _ = self.current.take(round(seconds * self.current.pcm.rate))
        return data


def _recorded_call(store: Store, settings: Settings) -> tuple[str, int, TimelineEntry]:
    """A customer with a recorded call on the first page of their history: (customer, row, entry)."""
    for (customer_id,) in store.conn.execute(
            "SELECT DISTINCT i.customer_id FROM recording r JOIN interaction i ON i.id = r.interaction_id"
            " ORDER BY i.customer_id"):
        page = store.history(customer_id, limit=settings.ui.history_page_size)
        for row, entry in enumerate(page.entries):
            if entry.recording_seconds:
                return customer_id, row, entry
    raise AssertionError("the demo data has no recorded call")


def _bar(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(RecordingPlayerBar).render())


async def test_a_history_call_with_a_recording_plays_pauses_skips_and_stops_when_a_call_rings(
        settings: Settings, store: Store, clock: FixedClock) -> None:
    headset = _Headset()
    app = make_app(settings, store, clock=clock, sound=headset)
    customer_id, row, entry = _recorded_call(store, settings)
    assert entry.recording_uri and entry.recording_uri.startswith("demo://")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(RecordingPlayerBar)
        assert not bar.display  # nothing in the player: the line takes no room
        app.screen.open_customer(customer_id)
        await settle(pilot)
        app.screen.query_one(CustomerHistory).query_one("#timeline").move_cursor(row=row)
        await pilot.press("p")
        await settle(pilot)
        expected = decode_wav(demo_recording(entry.id))
        length = f"0:{int(expected.seconds):02d}"
        assert bar.display and f"▶ 0:00 / {length}" in _bar(app)
        assert headset.started[-1].startswith("20")  # titled with the call's time
        assert headset.hear(2.0) == expected.data[: 2 * 8000 * 2]  # the recording's own samples, from its start
        player = app.screen.sound.player
        assert player.position == 2.0
        await pilot.press("full_stop")
        await settle(pilot)
        ahead = min(7.0, expected.seconds)
        assert player.position == ahead
        await pilot.press("comma")
        await settle(pilot)
        assert player.position == max(0.0, ahead - 5.0)
        await pilot.press("comma")
        await settle(pilot)
        assert player.position == 0.0
        await pilot.press("p")
        await settle(pilot)
        assert f"⏸ 0:00 / {length}" in _bar(app) and not player.playing
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.sound.player.playing
        await ring(pilot, WELL_KNOWN)  # a call rings: the recording stops at once, the ring takes the output
        assert not app.screen.sound.player.loaded and not bar.display
        assert headset.started[-1].startswith("ring")
        assert headset.current is not None and headset.current.loop and headset.current.running
        await pilot.press("a")
        await settle(pilot)
        assert not headset.current.running, "the ring stopped on answer"


async def test_changing_the_customer_stops_the_recording_and_a_row_without_one_says_so(
        settings: Settings, store: Store, clock: FixedClock, tmp_path: Path) -> None:
    headset = _Headset()
    app = make_app(settings, store, clock=clock, sound=headset)
    customer_id, row, entry = _recorded_call(store, settings)
    async with app.run_test(size=(120, 35)) as pilot:
        app.screen.open_customer(customer_id)
        await settle(pilot)
        cache = store.path.parent / "recordings"
        assert not list(cache.glob("*")), "recordings are fetched when played, never with the terminal's first copy"
        app.screen.query_one(CustomerHistory).query_one("#timeline").move_cursor(row=row)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.sound.player.playing
        assert [p.name for p in cache.glob("*")] == [f"{entry.id}.wav"]
        other = store.find_customers(WELL_KNOWN)[0].id
        app.screen.open_customer(other)
        await settle(pilot)
        assert not app.screen.sound.player.loaded and headset.current is not None and headset.current.stopped
        plain = next(i for i, e in enumerate(app.screen.query_one(CustomerHistory).view.page.entries)
                     if not e.recording_seconds)
        app.screen.query_one(CustomerHistory).query_one("#timeline").move_cursor(row=plain)
        await pilot.press("p")
        await settle(pilot)
        assert any("has no recording" in str(n.message) for n in app._notifications)


async def test_a_call_rejected_while_ringing_stops_the_ring(settings: Settings, store: Store, clock: FixedClock) -> None:
    headset = _Headset()
    app = make_app(settings, store, clock=clock, sound=headset)
    async with app.run_test(size=(120, 35)) as pilot:
        await ring(pilot, WELL_KNOWN)
        ringing = headset.current
        assert ringing is not None and ringing.running and ringing.name == "ring (classic)"
        await pilot.press("e")
        await settle(pilot)
        assert app.desk.state is None or app.desk.state.value != "ringing"
        assert not ringing.running


async def test_mute_and_volume_keys_change_what_the_device_is_handed(
        settings: Settings, store: Store, clock: FixedClock) -> None:
    headset = _Headset()
    app = make_app(settings, store, clock=clock, sound=headset)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert headset.muted
        await pilot.press("equals_sign")
        await settle(pilot)
        assert headset.volume == 0.9
        await pilot.press("m", "minus", "minus")
        await settle(pilot)
        assert not headset.muted and headset.volume == 0.7
        said = [str(n.message) for n in app._notifications]
        assert "Sound muted (the bell still rings)." in said and "Volume 70%." in said
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Mute") for t in titles) and any(t.startswith("Play") for t in titles)
