"""The connection line: where this terminal's work is, so nobody guesses whether it is saved."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class SyncStatus(Static):
    """Shows the connection state and how many changes wait to be synced."""

    DEFAULT_CSS = """
    SyncStatus {
        width: auto;
        height: 1;
        padding: 0 1;
        color: $text-muted;
        &.-unsynced { color: $warning; }
    }
    """

    unsynced: reactive[int] = reactive(0, layout=True)
    """Changes committed locally and not yet acknowledged by the backend."""

    connection: reactive[str] = reactive("local store only", layout=True)
    """`local store only` without a backend; else `online`, `syncing`, `offline since HH:MM`, `signed out: …`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def render(self) -> str:
        waiting = f" · {self.unsynced:,} unsynced" if self.unsynced else " · all saved"
        return f"{self.connection}{waiting}"

    def watch_unsynced(self, unsynced: int) -> None:
        self.set_class(unsynced > 0, "-unsynced")
