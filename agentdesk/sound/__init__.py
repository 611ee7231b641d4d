"""Sound through PyAudio (the `audio` extra): the ring, the hold tones and recordings, or silence with a reason.

The desk's wiring, in a few lines::

    output = open_output(settings.sound.device, volume=settings.sound.volume, muted=settings.sound.mute,
                         screen_on_stderr=True)          # before the screen starts
    if not output.available: say once f"sound off: {output.reason}" (and keep the bell)
    ringer = Ringer(output, tone=settings.sound.ring_tone, tones_by_key=settings.sound.ring_tones)
    ringer.ring(account_id)  / ringer.stop()              # on ringing / answered, rejected, taken
    hold_tones = HoldTones(output); hold_tones.on_reading(reading)   # on every hold-timer reading
    player = RecordingPlayer(output); player.load(decode_wav(blob)); player.toggle() / back() / forward()
"""

from agentdesk.sound.cues import HoldTones, Ringer
from agentdesk.sound.output import Device, SilentOutput, SoundOutput, open_output
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.player import RecordingPlayer
from agentdesk.sound.wav import RecordingUnreadable, decode_wav

__all__ = ["Device", "HoldTones", "Pcm", "RecordingPlayer", "RecordingUnreadable", "Ringer", "SilentOutput",
           "SoundOutput", "decode_wav", "open_output"]
