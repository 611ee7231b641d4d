"""What a screen may ask of the workstation it runs in, as a protocol: screens never import the App module.

The App (`screens/app.py`) satisfies `Workstation`; a screen reads it with `workstation(self)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from agentdesk.clock import Clock
    from agentdesk.config import Settings
    from agentdesk.desks.call_sources import CallSource
    from agentdesk.desks.workstation import Desks
    from agentdesk.records import Agent
    from agentdesk.sound import SilentOutput, SoundOutput
    from agentdesk.sound.fetch import RecordingCache
    from agentdesk.store import Store


class Workstation(Protocol):
    """The services of the running workstation a screen may use."""

    settings: Settings
    store: Store
    clock: Clock
    agent: Agent
    desks: Desks
    call_source: CallSource
    unsaved: bool
    """A change could not be saved this shift (the call bar says so)."""
    connection: str
    """What the status line says about the backend."""
    sound: SoundOutput | SilentOutput | None
    """Where the desk's sounds go; None: this desk was started without sound (the bell only)."""

    def recording_cache(self) -> RecordingCache | None:
        """Where the history's recordings are fetched to and kept on this terminal."""
        ...

    def first_frame_shown(self) -> None:
        """The workspace is on screen (start-up is measured to here)."""
        ...


def workstation(node: DOMNode) -> Workstation:
    """The workstation `node` runs in."""
    return cast("Workstation", node.app)
