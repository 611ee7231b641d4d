"""The Textual App, built by one factory (`make_app`) for the command line, the tests and the benchmarks.

The App owns the writer thread, the desks and the sync loop's messages; screens reach what they need of it through
the `Workstation` protocol (`screens/context.py`), never by importing this module.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from agentdesk.clock import Clock, SystemClock
from agentdesk.config import Settings
from agentdesk.desks.call_sources import CallSource, DemoCallSource
from agentdesk.desks.messages import not_saved_message
from agentdesk.desks.workstation import open_desks, pick_agent
from agentdesk.desks.writer import LocalWriter
from agentdesk.records import Agent
from agentdesk.sound import SilentOutput, SoundOutput
from agentdesk.sound.fetch import RecordingCache
from agentdesk.store import Store
from screens.notices import PlainNotices
from screens.workspace import Workspace
from screens.workspace_sound import sound_off
from widgets.screen_text import one_line

if TYPE_CHECKING:
    import httpx

    from sync.engine import Connectivity
    from sync.floor_reporter import FloorReporter
    from sync.loop import SyncLoop


class AgentDeskApp(PlainNotices):
    """The workstation: one agent, one line, one local store."""

    TITLE = "AgentDesk"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    CSS = """
    /* Under 100 columns a notice is one line high, on the left over the history's detail: the FAQ pane on the
       right holds what the agent is reading to the caller. */
    Screen.-narrow ToastHolder { align-horizontal: left; }
    Screen.-narrow Toast { padding: 0 1; margin-top: 0; }
    """
    BINDINGS = [
        # Quit is in the help overlay and the palette; the footer's last place at 80 columns goes to `?`.
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False, priority=True, tooltip="Leave the workstation"),
        Binding("question_mark,f1", "keys_help", "Help", id="app.help",
                tooltip="Every key of this screen, grouped"),
    ]
    PALETTE_REPLACED = frozenset({"Quit", "Keys"})
    """Textual's own palette entries the workstation's keys replace (no "Quit" twice; the help overlay, not
    Textual's key panel)."""

    class Saved(Message):
        """A change was committed to the local store (posted from the writer thread)."""

    class SyncChanged(Message):
        """The connection to the backend changed, or a sync round finished (posted from the sync threads)."""

        def __init__(self, connection: str, pulled: int = 0, refused: int = 0) -> None:
            super().__init__()
            self.connection = connection
            self.pulled = pulled
            self.refused = refused

    def __init__(
        self, settings: Settings, store: Store, clock: Clock, call_source: CallSource, agent: Agent
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.clock = clock
        self.call_source = call_source
        self.agent = agent
        self.unsaved = False
        self.writer = LocalWriter(store, on_error=self._write_failed, on_saved=self._saved)
        self.sync_loop: SyncLoop | None = None
        self.floor_reporter: FloorReporter | None = None
        """Tells the backend's live floor this desk's call steps (with a backend only)."""
        """Background sync with the backend; None when this terminal works on its own."""
        self.connection = "local store only"
        """What the status line says about the backend."""
        self.desks = open_desks(settings, store, self.writer, clock, agent)
        self.desk = self.desks.calls
        """The phone line (the desk the tests and the status report read most)."""
        self._ui_thread = threading.get_ident()
        self.first_frame_probe: Path | None = None
        """Benchmarks only: write the time of the first frame of the workspace here, then quit."""
        self.sound: SoundOutput | SilentOutput | None = None
        """Where the desk's sounds go (`make_app(sound=...)`); None: started without sound, the bell only."""
        self._recordings: RecordingCache | None = None
        self.start = "desk"
        """What the workstation opens on: the agent's desk, or the quality review (`agentdesk review`)."""

    def on_mount(self) -> None:
        self.theme = self.settings.ui.theme
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.start == "review":
            from screens.review import ReviewScreen

            self.push_screen(ReviewScreen(self.desks.review, self.store.accounts()))
        else:
            self.push_screen(Workspace(self.desks, self.store.accounts()))
        if self.sound is not None and not self.sound.available:
            # Said once, at the start of the shift; everything else works as before and the bell still rings.
            self.notify(f"{sound_off(self.sound.reason or '')} The terminal bell rings instead.",
                        severity="warning", timeout=12)
        if self.sync_loop is not None:
            # After the workspace is up, so what the first round reports lands on it.
            self.call_after_refresh(self.start_sync, self.sync_loop)

    def first_frame_shown(self) -> None:
        """The workspace is on screen: benchmarks measure start-up to here."""
        # What start-up loaded (Textual, the screens, the libraries) stays for the whole shift: kept out of the
        # collector's full passes, which otherwise froze the screen for 100 ms and more now and then while a
        # sync applied thousands of rows.
        gc.freeze()
        if self.first_frame_probe is not None:
            self.first_frame_probe.write_text(repr(time.time()))
            self.exit()

    def _saved(self, _name: str) -> None:
        self.post_message(self.Saved())
        if self.sync_loop is not None:
            self.sync_loop.wake()

    def on_agent_desk_app_saved(self, _event: Saved) -> None:
        """Screens that show what waits to be synced recount it after every local commit."""
        for screen in self.screen_stack:
            recount = getattr(screen, "count_unsynced", None)
            if recount is not None:
                recount()

    def presence(self) -> tuple[str, str]:
        """(agent state, call state) for the backend's view of the floor; read from the sync thread."""
        state = self.desk.state
        if state is None:
            return "available", "idle"
        if self.desk.in_wrap_up:
            return "wrap-up", "idle"
        call_state = {"ringing": "ringing", "on call": "on call", "on hold": "on hold"}.get(state.value, "idle")
        return ("available" if call_state == "ringing" else "on call"), call_state

    def start_sync(self, loop: SyncLoop) -> None:
        """Sync with the backend in the background from now on (at mount when `make_app` was given a loop)."""
        self.sync_loop = loop
        engine = loop.engine
        engine.on_status = lambda status: self.post_message(self.SyncChanged(describe_connection(status)))
        loop.on_round = lambda result: self.post_message(
            self.SyncChanged(describe_connection(engine.status), result.changes, result.rejected))
        self.connection = describe_connection(engine.status)
        if loop.presence is None:
            loop.presence = self.presence
        loop.start()
        self._report_to_floor(engine.client)

    def _report_to_floor(self, client: httpx.Client) -> None:
        """Tell the live floor each call step as it is saved, and show what supervisors leave for this desk."""
        import httpx

        from sync.floor_reporter import FloorReporter

        own = httpx.Client(base_url=client.base_url, headers=client.headers, timeout=5)
        self.floor_reporter = FloorReporter(own, on_notice=lambda notice: self.call_from_thread(
            self.show_notice, notice))
        self.writer.on_submitted = self.floor_reporter.observe
        self.floor_reporter.start()

    def show_notice(self, notice: dict[str, Any]) -> None:
        """A supervisor's message or state change for this agent, shown on the desk."""
        if notice.get("kind") == "message":
            self.notify(one_line(str(notice.get("text") or ""), 200), title="From your supervisor", timeout=30)
        elif notice.get("kind") == "state":
            reason = one_line(str(notice.get("reason") or ""), 40)
            said = f"away ({reason})" if notice.get("state") == "away" else "available"
            self.notify(f"Your supervisor set you {said}.", title="Supervisor", timeout=15)

    def on_agent_desk_app_sync_changed(self, event: SyncChanged) -> None:
        """Show the connection; after a pull that brought changes, open screens refresh; refusals are told."""
        self.connection = event.connection
        for screen in self.screen_stack:
            shown = getattr(screen, "show_connection", None)
            if shown is not None:
                shown(event.connection, event.pulled)
        if event.refused:
            self.notify(
                f"The backend refused {event.refused} change(s): press ! to see why.",
                severity="warning", timeout=10,
            )

    def on_unmount(self) -> None:
        if self.floor_reporter is not None:
            self.floor_reporter.stop()
        if self.sync_loop is not None:
            self.sync_loop.stop()
        self.writer.close()
        if self.sound is not None:
            self.sound.close()
        if self._recordings is not None and self._recordings.client is not None:
            self._recordings.client.close()

    def recording_cache(self) -> RecordingCache | None:
        """The history's recordings on this terminal, beside the local store: fetched from the backend with this
        agent's sign-in when there is one, else made from the demo's; None when the store has no folder."""
        if self._recordings is None:
            client = None
            if self.sync_loop is not None:
                import httpx

                # The backend and sign-in this terminal syncs with: the agent's own accounts, no one else's.
                synced = self.sync_loop.engine.client
                client = httpx.Client(base_url=synced.base_url, timeout=httpx.Timeout(30, connect=5),
                                      headers={"Authorization": synced.headers.get("Authorization", "")})
            try:
                self._recordings = RecordingCache(self.store.path.parent / "recordings",
                                                  self.settings.sound.cache_megabytes * 1_000_000, client)
            except OSError:
                return None
        return self._recordings

    def _write_failed(self, name: str, error: BaseException) -> None:
        """A mutation could not be committed: the agent must know, in their words (the detail is in the log file,
        and the refusal is kept for `!` by the writer)."""
        message = f"{not_saved_message(name, error)} It is listed under !."

        def tell() -> None:
            self.unsaved = True
            self.notify(message, title="Not saved", severity="error", timeout=8)

        if threading.get_ident() == self._ui_thread:
            tell()
        else:
            self.call_from_thread(tell)

    def action_keys_help(self) -> None:
        """Show every key of the current screen (the help overlay); on the overlay itself, close it."""
        from screens.help import HelpOverlay, keys_of

        if isinstance(self.screen, HelpOverlay):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpOverlay(keys_of(self, self.screen)))

    def _open_ratings(self) -> None:
        from screens.review import RatingAverages

        self.push_screen(RatingAverages(self.desks.review))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the screen is also a command in the palette, named in words with the key to press."""
        for command in super().get_system_commands(screen):
            if command.title not in self.PALETTE_REPLACED:
                yield command
        yield SystemCommand("My ratings", "Your quality and customer ratings over the last 30 days (a reviewer: "
                            "every agent's)", self._open_ratings)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            # Keys without an id are a widget's own (cursor keys, the palette's): the help overlay lists them,
            # the palette keeps to what the agent does.
            if not active.enabled or not binding.description or not binding.id or binding.action in seen:
                continue
            seen.add(binding.action)
            node = active.node
            yield SystemCommand(
                f"{binding.description} ({self.get_key_display(binding)})",
                binding.tooltip or binding.description,
                lambda node=node, action=binding.action: self.run_action(action, node),
            )


def describe_connection(status: Connectivity) -> str:
    """The status line's words for the backend connection."""
    if status.state == "offline":
        since = status.since.astimezone().strftime("%H:%M") if status.since else "now"
        return f"offline since {since}"
    if status.state == "signed out":
        return status.detail if status.detail.startswith("your sign-in") else "signed out: run agentdesk login"
    if status.state == "forked":
        return "store restored or copied: not syncing"
    return status.state


def make_app(
    settings: Settings,
    store: Store,
    *,
    clock: Clock | None = None,
    call_source: CallSource | None = None,
    demo_calls: bool | None = None,
    sync_loop: SyncLoop | None = None,
    sound: SoundOutput | SilentOutput | None = None,
    start: str = "desk",
) -> AgentDeskApp:
    """Build the workstation for a store: the one way the CLI and the tests make the App. With `sync_loop` the
    terminal syncs with the backend in the background once it is on screen; `sound` is the output opened for it
    (`agentdesk.sound.open_output`, before the screen starts), None for a desk with the bell only."""
    clock = clock or SystemClock()
    if call_source is None:
        from agentdesk.demo import known_callers_by_line

        auto = settings.demo.calls if demo_calls is None else demo_calls
        call_source = DemoCallSource(
            clock,
            lambda: known_callers_by_line(store),
            [a.phone_number for a in store.accounts()],
            seed=settings.demo.seed,
            unknown_share=settings.demo.unknown_caller_share,
            mean_seconds_between_calls=settings.demo.mean_seconds_between_calls if auto else None,
        )
    reviewing = start == "review"
    app = AgentDeskApp(settings, store, clock, call_source,
                       pick_agent(store, settings.agent.id, reviewer=reviewing))
    app.start = start
    app.sync_loop = sync_loop
    app.sound = sound
    return app
