"""Volume, mute and rate changes on the samples the device is handed."""

from __future__ import annotations

from array import array

from agentdesk.sound import SilentOutput
from agentdesk.sound.pcm import Pcm, bytes_to_samples, resampled, samples_to_bytes, scaled
from agentdesk.sound.playback import Playback


def test_volume_scales_every_sample_and_full_volume_leaves_them_alone() -> None:
    data = samples_to_bytes(array("h", [1000, -1000, 32767, -32768, 3]))
    assert scaled(data, 1.0) == data
    assert list(bytes_to_samples(scaled(data, 0.5))) == [500, -500, 16383, -16384, 1]
    assert scaled(data, 0.0) == bytes(len(data))


def test_a_sound_at_another_rate_keeps_its_length_and_its_samples_where_they_meet() -> None:
    pcm = Pcm(8000, 1, samples_to_bytes(array("h", [0, 100, 200, 300])))
    doubled = resampled(pcm, 16000)
    assert doubled.rate == 16000 and doubled.frames == 8
    assert list(bytes_to_samples(doubled.data))[:7] == [0, 50, 100, 150, 200, 250, 300]


def test_volume_and_mute_keys_change_what_the_output_does() -> None:
    output = SilentOutput("no device")
    assert output.set_volume(1.7) == 1.0 and output.set_volume(-1) == 0.0
    before = output.muted
    assert output.toggle_mute() is (not before)


def test_a_looping_ring_wraps_round_and_a_recording_ends_once() -> None:
    pcm = Pcm(8000, 1, samples_to_bytes(array("h", [1, 2, 3])))
    ring = Playback(pcm, loop=True)
    data, last = ring.take(7)
    assert list(bytes_to_samples(data)) == [1, 2, 3, 1, 2, 3, 1] and not last and ring.position == 1
    recording = Playback(pcm)
    assert recording.take(2) == (samples_to_bytes(array("h", [1, 2])), False)
    assert recording.take(2) == (samples_to_bytes(array("h", [3])), True)
    assert recording.finished.is_set() and recording.take(2) == (b"", True)
    recording.resume()
    assert recording.position == 0 and recording.take(1)[0] == samples_to_bytes(array("h", [1]))
