"""`agentdesk sound`: list the output devices, or play one sound and exit (for checking a headset)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from agentdesk.config import ConfigError, load_settings
from agentdesk.sound import tones
from agentdesk.sound.output import INSTALL_HINT, list_devices, open_output, start_pyaudio
from agentdesk.sound.pcm import Pcm
from agentdesk.sound.wav import RecordingUnreadable, decode_wav

DRAIN_SECONDS = 0.3
"""After the last frames are handed over, the time the device may still be playing them."""


def _sound_to_play(what: str) -> Pcm:
    if what == "ring":
        one = tones.ring()
        return Pcm(one.rate, one.channels, one.data[: round(tones.RING_ON_SECONDS * one.rate) * one.frame_bytes])
    if what in tones.NAMED:
        return tones.NAMED[what]()
    path = Path(what).expanduser()
    if not path.is_file():
        raise click.ClickException(f"{what} is neither ring, hold-warning, hold-cap nor a file: name one of those.")
    try:
        return decode_wav(path.read_bytes())
    except RecordingUnreadable as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.option("--list", "listing", is_flag=True, help="List the output devices.")
@click.option("--play", "what", metavar="ring|hold-warning|hold-cap|FILE", help="Play one sound and exit.")
@click.pass_context
def sound(ctx: click.Context, listing: bool, what: str | None) -> None:
    """Check the sound: list the output devices, or play the ring, a hold tone or a WAV file on [sound] device."""
    config, _ = ctx.obj or (None, None)
    try:
        settings = load_settings(config).sound
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if listing:
        try:
            _, pa = start_pyaudio()
        except ImportError:
            raise click.ClickException(f"Sound is off: PyAudio is not installed; {INSTALL_HINT}.") from None
        try:
            devices = list_devices(pa)
        finally:
            pa.terminate()
        if not devices:
            raise click.ClickException("There is no sound output device on this machine.")
        for device in devices:
            mark = "  (default)" if device.default else ""
            click.echo(f"{device.index:>3}  {device.name}{mark}  {device.channels} channels, {device.rate} Hz")
        return
    if what is None:
        raise click.UsageError("Say what to do: --list, or --play ring|hold-warning|hold-cap|FILE.")
    pcm = _sound_to_play(what)
    output = open_output(settings.device, volume=settings.volume)
    if not output.available:
        raise click.ClickException(f"Sound is off: {output.reason}.")
    try:
        click.echo(f"Playing {what} ({pcm.seconds:.1f} s) on {output.device.name} …", err=True)
        playback = output.play(pcm, name=what)
        playback.finished.wait(pcm.seconds + 10)
        time.sleep(DRAIN_SECONDS)
    finally:
        output.close()
