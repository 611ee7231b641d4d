"""The desk's sound through real PyAudio into an ALSA `file` device: the ring stops on answer, the hold tones come
at their seconds on the desk's injected clock; and the desk without PyAudio says once why it is silent.

Each runs the real App (pilot) in a child process, because ALSA reads its settings once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.sound.alsa import PROJECT, play_script, sound_runs, strongest
from tests.sound.test_silence_and_stderr import BLOCK_PYAUDIO

RATE = 16_000
DESK = """
import asyncio, os, time
from pathlib import Path
from agentdesk.clock import FixedClock
from agentdesk.config import load_settings
from agentdesk.demo import generate
from agentdesk.sound import open_output
from agentdesk.store import Store
from screens.app import make_app
from tests.desk import WELL_KNOWN, advance, ring, settle

settings = load_settings(Path("PROJECT") / "tests" / "agentdesk-test.toml", env={})
clock = FixedClock()
store = Store.open(Path("desk.db"), clock)
generate(store, customers=settings.demo.customers, seed=settings.demo.seed, long_history=50)
output = open_output(volume=1.0, screen_on_stderr=True)
app = make_app(settings, store, clock=clock, sound=output)

def size():
    return os.path.getsize("out.raw") if os.path.exists("out.raw") else 0

def settled_size(quiet=0.15):
    # The device takes sound as fast as it comes: the file has stopped growing once it is still for `quiet` s.
    before = -1
    while before != size():
        before = size()
        time.sleep(quiet)
    return before
""".replace("PROJECT", str(PROJECT))


def test_the_desk_rings_through_the_device_until_the_agent_answers(tmp_path: Path) -> None:
    samples, out, err = play_script(tmp_path, DESK + textwrap.dedent("""
        async def main():
            async with app.run_test(size=(120, 35)) as pilot:
                await ring(pilot, WELL_KNOWN)
                wait_for_samples(16000 * 8)          # more than one ring cycle (2 s on, 4 s off)
                await pilot.press("a")
                await settle(pilot)
                stopped = settled_size()
                time.sleep(0.5)
                print(app.desk.state.value, stopped, size(), sep="|")
        asyncio.run(main())
        store.close()
    """))
    state, stopped, later = out.splitlines()[-1].split("|")
    assert state == "on call"
    assert stopped == later, "the ring went on after the call was answered"
    assert int(stopped) >= 2 * RATE * 8
    runs = sound_runs(samples)
    (first, end), (second, _) = runs[0], runs[1]
    assert abs((end - first) - 2 * RATE) <= 2 and second - first == 6 * RATE, "2 s of ring, 4 s of silence"
    power = strongest(samples[first + 1000:first + 9000], RATE, [350.0, 440.0, 480.0, 620.0, 880.0])
    assert set(list(power)[:2]) == {440.0, 480.0}
    assert err == ""


def test_the_hold_tones_come_at_the_warning_and_cap_seconds_of_the_desks_clock(tmp_path: Path) -> None:
    samples, out, err = play_script(tmp_path, DESK + textwrap.dedent("""
        async def main():
            async with app.run_test(size=(120, 35)) as pilot:
                await ring(pilot, WELL_KNOWN)
                await pilot.press("a")
                await settle(pilot)
                await pilot.press("h")
                await settle(pilot)
                started = clock.monotonic()
                heard = [(0.0, settled_size())]
                for _ in range(48):                  # 12 s on hold, a tick every 0.25 s of the desk's clock
                    await advance(pilot, 0.25, step=0.25)
                    heard.append((round(clock.monotonic() - started, 2), settled_size(0.08)))
                for at, total in heard:
                    print('heard', at, total)
        asyncio.run(main())
        store.close()
    """))
    heard = [(float(at), int(total)) for _, at, total in (line.split() for line in out.splitlines() if line.startswith('heard'))]
    grew = [(at, total - before) for (_, before), (at, total) in zip(heard, heard[1:], strict=False) if total != before]
    assert [at for at, _ in grew] == [7.0, 10.0], grew          # the warning second and the cap, nothing else
    start = heard[0][1] // 2
    warning = samples[start:start + grew[0][1] // 2]
    cap = samples[start + grew[0][1] // 2:]
    assert list(strongest(warning[200:2200], RATE, [660.0, 880.0, 1320.0]))[0] == 880.0
    assert list(strongest(cap[200:3800], RATE, [660.0, 880.0, 1320.0]))[0] == 1320.0   # high first...
    assert list(strongest(cap[4200:7800], RATE, [660.0, 880.0, 1320.0]))[0] == 660.0   # ...then low
    assert err == ""


def test_the_desk_without_pyaudio_says_once_that_sound_is_off_and_keeps_the_bell(tmp_path: Path) -> None:
    script = BLOCK_PYAUDIO + DESK.replace('Path("desk.db")', repr(str(tmp_path / "desk.db"))) + textwrap.dedent("""
        bells = []
        app.bell = lambda: bells.append(1)
        async def main():
            async with app.run_test(size=(120, 35)) as pilot:
                await settle(pilot)
                await ring(pilot, WELL_KNOWN)
                await pilot.press("a", "m")
                await settle(pilot)
                said = [n.message for n in app._notifications]
                print(output.available, len(bells), app.desk.state.value)
                print(sum(m.startswith("Sound is off: PyAudio is not installed") for m in said))
                print(said[0])
        asyncio.run(main())
        store.close()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert done.returncode == 0, done.stderr
    state, told, first = done.stdout.splitlines()[-3:]
    assert state == "False 1 on call"                      # the bell rang for the call; the call went on as ever
    assert told == "2"                                     # once at the start, once more when the agent pressed m
    assert 'pip install -e ".[audio]"' in first and "bell" in first
    assert done.stderr == ""


