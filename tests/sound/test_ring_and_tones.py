"""The ring and the hold tones, played through real PyAudio and read back from an ALSA file device."""

from __future__ import annotations

from pathlib import Path

from tests.sound.alsa import play_script, sound_runs, strongest

RATE = 16_000


def test_the_ring_is_440_and_480_hz_two_seconds_on_four_off_and_stops_on_stop(tmp_path: Path) -> None:
    samples, out, _ = play_script(tmp_path, """
        import os, time
        from agentdesk.sound import Ringer, open_output
        output = open_output(volume=1.0)
        assert output.available, output.reason
        ringer = Ringer(output)
        ringer.ring()
        wait_for_samples(16000 * 14)   # two whole cycles and more
        ringer.stop()
        time.sleep(0.3)
        size = os.path.getsize("out.raw")
        time.sleep(0.3)
        print(size, os.path.getsize("out.raw"))
        output.close()
    """)
    before, after = map(int, out.split())
    assert before == after, "the ring went on after it was stopped"
    runs = sound_runs(samples)
    assert len(runs) >= 2
    whole = [run for run in runs[:-1]]  # the last may be cut by the stop
    for start, end in whole:
        assert abs((end - start) - 2 * RATE) <= 2, "each ring lasts 2 s"
    for (first, _), (second, _) in zip(whole, whole[1:], strict=False):
        assert second - first == 6 * RATE, "a ring every 6 s (4 s of silence)"
    start, end = whole[0]
    power = strongest(samples[start + 1000:start + 9000], RATE, [350.0, 400.0, 440.0, 480.0, 620.0, 880.0])
    assert set(list(power)[:2]) == {440.0, 480.0}
    assert min(power[440.0], power[480.0]) > 20 * power[620.0]


def test_a_line_with_its_own_tone_rings_in_it(tmp_path: Path) -> None:
    samples, _, _ = play_script(tmp_path, """
        import os, time
        from agentdesk.sound import Ringer, open_output
        output = open_output(volume=1.0)
        ringer = Ringer(output, tones_by_key={"acct-2": "bright"})
        ringer.ring(account_id="acct-2")
        wait_for_samples(16000 * 3)
        ringer.stop()
        output.close()
    """)
    start, _ = sound_runs(samples)[0]
    power = strongest(samples[start + 1000:start + 9000], RATE, [440.0, 480.0, 620.0])
    assert set(list(power)[:2]) == {480.0, 620.0}


def test_hold_warning_and_cap_tones_play_once_each_at_their_readings(tmp_path: Path) -> None:
    samples, out, _ = play_script(tmp_path, """
        import time
        from agentdesk.domain.hold import HoldPolicy, read_hold
        from agentdesk.sound import HoldTones, open_output
        output = open_output(volume=1.0)
        tones = HoldTones(output)
        policy, started = HoldPolicy(cap_seconds=10.0, warn_seconds=7.0), 100.0
        played = []
        for tenth in range(0, 121):       # the hold timer's readings, every 0.1 s on an injected clock
            now = started + tenth / 10
            playback = tones.on_reading(read_hold(policy, started, now))
            if playback is not None:
                played.append((round(now - started, 1), playback.name))
                playback.finished.wait(5)   # let it reach the device before the clock moves on
                time.sleep(0.2)
        print(played)
        output.close()
    """)
    assert out.strip() == "[(7.0, 'hold warning'), (10.0, 'hold cap')]"
    runs = sound_runs(samples, gap=800)
    assert len(runs) == 3, runs  # the warning's two beeps, then the cap's falling pair
    beep1, beep2, cap = runs
    assert abs((beep1[1] - beep1[0]) - 0.15 * RATE) <= 2 and abs((beep2[1] - beep2[0]) - 0.15 * RATE) <= 2
    assert list(strongest(samples[beep1[0]:beep1[1]], RATE, [660.0, 880.0, 1320.0]))[0] == 880.0
    assert abs((cap[1] - cap[0]) - 0.5 * RATE) <= 2
    high = samples[cap[0] + 200:cap[0] + 3800]
    low = samples[cap[0] + 4200:cap[0] + 7800]
    assert list(strongest(high, RATE, [660.0, 880.0, 1320.0]))[0] == 1320.0
    assert list(strongest(low, RATE, [660.0, 880.0, 1320.0]))[0] == 660.0


def test_muted_output_hands_the_device_silence(tmp_path: Path) -> None:
    samples, _, _ = play_script(tmp_path, """
        import os, time
        from agentdesk.sound import Ringer, open_output
        output = open_output(volume=1.0, muted=True)
        Ringer(output).ring()
        wait_for_samples(16000 * 7)
        output.close()
    """)
    assert len(samples) >= 16000 * 7 and not any(samples)
