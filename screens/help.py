"""The help overlay (`?` or F1): every key of the screen beneath it, grouped by what it works on, with the keys
the agent chose in the config's `[keymap]`, and each key's id (what `[keymap]` names)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GROUPS: dict[str, str] = {
    "call": "The call",
    "customer": "The customer",
    "history": "History",
    "faq": "FAQ",
    "script": "Call scripts",
    "case": "Cases and tickets",
    "tickets": "Cases and tickets",
    "ticket": "Cases and tickets",
    "appointment": "Appointments",
    "booking": "Appointments",
    "tasks": "Outbound work",
    "outbound": "Outbound work",
    "sync": "Sync",
    "app": "The workstation",
}
"""Group titles by the first part of a key's id; keys without an id belong to what has the focus ("Here")."""


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One key as the overlay shows it."""

    keys: str
    """What to press, as the footer shows it (after `[keymap]`)."""
    what: str
    why: str
    key_id: str
    """The id `[keymap]` names, or "" for keys of the focused widget."""


def keys_of(app: App[object], screen: Screen[object]) -> list[tuple[str, list[KeyHelp]]]:
    """The keys active on `screen` now (its own, the focused widget's and the App's), grouped, in screen order."""
    grouped: dict[str, list[KeyHelp]] = {}
    seen: dict[tuple[str, str], KeyHelp] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        group = GROUPS.get(binding.id.split(".")[0], binding.id.split(".")[0].capitalize()) if binding.id else "Here"
        shown = app.get_key_display(binding)
        earlier = seen.get((group, binding.action))
        if earlier is not None:
            # One action on several keys (a keymap entry "f5,a") is one line listing them all.
            merged = KeyHelp(f"{earlier.keys} {shown}", earlier.what, earlier.why, earlier.key_id)
            entries = grouped[group]
            entries[entries.index(earlier)] = merged
            seen[(group, binding.action)] = merged
            continue
        entry = KeyHelp(shown, binding.description, binding.tooltip, binding.id or "")
        seen[(group, binding.action)] = entry
        grouped.setdefault(group, []).append(entry)
    # The screen's own keys first; the focused widget's (cursor keys and the like) last.
    return sorted(grouped.items(), key=lambda item: item[0] == "Here")


def render_keys(groups: list[tuple[str, list[KeyHelp]]]) -> Text:
    """The overlay's text: a title line per group, then one line per key (long ones wrap)."""
    text = Text()
    for n, (group, entries) in enumerate(groups):
        if n:
            text.append("\n")
        text.append(f"{group}\n", style="bold")
        for entry in entries:
            text.append(f"  {entry.keys:<9} ", style="bold")
            text.append(entry.what)
            if entry.why and entry.why != entry.what:
                text.append(f": {entry.why}", style="dim")
            if entry.key_id:
                text.append(f"  [{entry.key_id}]", style="italic dim")
            text.append("\n")
    return text


class HelpOverlay(ModalScreen[None]):
    """Every key of the screen the agent was on; Esc, `?` or F1 closes it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape,question_mark,f1", "close", "Close", id="help.close", tooltip="Back to where you were"),
    ]

    def __init__(self, groups: list[tuple[str, list[KeyHelp]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Static("Keys on this screen", classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(render_keys(self.groups), id="help-text")
            yield Static(
                "Esc closes · ↑↓ scroll · remap a key in [keymap] by its [id]",
                classes="dialog-hint", markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
