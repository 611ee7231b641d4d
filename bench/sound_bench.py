"""Sound figures for `bench/run.py`.

- sound_start_ms: from the desk's command (a call rings, or the play key on a recording) to the first frames
  handed to the device in PyAudio's callback, p95 over 40 starts, alternating the ring and a recording. Measured
  through real PyAudio into an ALSA `file` device writing to /dev/null (this machine has no sound card): the
  time the desk's side and PortAudio take; a real device adds its own buffer on top.

- ui_max_stall_playing_ms: the longest the desk's screen was held up while a recording plays and the agent works
  (moves through the history, filters it, pages it, pauses and skips): the worst lateness of a 2 ms heartbeat on
  the App's event loop, which is where every frame is drawn, so no frame gap is shorter. The real App (headless) on
  a demo store, 8 recordings fetched, decoded and played through the same ALSA `file` device; that device takes
  sound faster than real time, so the device's callback runs back to back (harder on the screen than a sound card)
  and a recording that has ended is started again to keep one playing.

Runs in a child process, because ALSA reads its configuration (ALSA_CONFIG_PATH) once per process.
"""

from __future__ import annotations

import json
import os
import shutil
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


def _ui_stall_child() -> dict[str, float | None]:
    import asyncio

    from agentdesk.clock import SystemClock
    from agentdesk.config import load_settings
    from agentdesk.demo import generate
    from agentdesk.sound import open_output
    from agentdesk.store import Store
    from screens.app import make_app
    from widgets import CustomerHistory

    output = open_output(volume=0.8, screen_on_stderr=True)
    if not output.available:
        return {"ui_max_stall_playing_ms": None}
    settings = load_settings(ROOT / "tests" / "agentdesk-test.toml", env={})
    folder = Path(tempfile.mkdtemp())
    store = Store.open(folder / "desk.db", SystemClock())
    generate(store, customers=200, seed=settings.demo.seed, long_history=300)
    recorded = [row[0] for row in store.conn.execute(
        "SELECT DISTINCT i.customer_id FROM recording r JOIN interaction i ON i.id = r.interaction_id LIMIT 8")]
    app = make_app(settings, store, sound=output)

    async def run() -> float:
        async with app.run_test(size=(120, 35)) as pilot:
            screen = app.screen
            history = screen.query_one(CustomerHistory)
            worst = 0.0
            beating = True
            playing = False

            async def heartbeat() -> None:
                nonlocal worst
                last = time.perf_counter()
                while beating:
                    await asyncio.sleep(0.002)
                    now = time.perf_counter()
                    if playing:
                        worst = max(worst, now - last - 0.002)
                    last = now

            async def until(done) -> None:  # type: ignore[no-untyped-def]
                while not done():
                    await asyncio.sleep(0.005)

            beat = asyncio.create_task(heartbeat())
            for customer_id in recorded:
                screen.open_customer(customer_id)
                await until(lambda cid=customer_id: history.view and history.view.customer
                            and history.view.customer.id == cid and history.view.page is not None)
                entries = history.view.page.entries
                row = next((i for i, e in enumerate(entries) if e.recording_seconds), None)
                if row is None:
                    continue
                history.query_one("#timeline").move_cursor(row=row)
                await pilot.press("p")
                await until(lambda: screen.sound.player.loaded)
                playing = True  # measured from here: the fetch (the demo's recording made in a thread) is not playing
                for key in ("down", "down", "up", "full_stop", "comma", "f", "right_square_bracket", "f", "p", "p"):
                    if not screen.sound.player.playing:
                        # The file device takes sound faster than real time: play it again so it is always playing.
                        screen.sound.toggle()
                    await pilot.press(key)
                    await asyncio.sleep(0.05)
                screen.sound.stop_recording()
                playing = False
            beating = False
            await beat
            return worst * 1000

    stall = asyncio.run(run())
    store.close()
    output.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"ui_max_stall_playing_ms": stall}


def sound_figures() -> dict[str, float | None]:
    """sound_start_ms and ui_max_stall_playing_ms (None where PyAudio is not installed)."""
    with tempfile.TemporaryDirectory() as tmp:
        asoundrc = Path(tmp) / "asoundrc"
        asoundrc.write_text(ASOUNDRC)
        env = {**os.environ, "ALSA_CONFIG_PATH": str(asoundrc), "PYTHONPATH": str(ROOT)}
        figures: dict[str, float | None] = {}
        for which in ("--child", "--ui-child"):
            child = subprocess.run([sys.executable, __file__, which], capture_output=True, text=True, env=env,
                                   check=True, timeout=300)
            figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
    return figures


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()))
    elif "--ui-child" in sys.argv:
        print(json.dumps(_ui_stall_child()))
    else:
        print(json.dumps(sound_figures()))
