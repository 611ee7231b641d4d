"""The monitoring App (`agentdesk monitor`): one screen, the floor, fed by the backend's stream."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from agentdesk.monitoring import AlertRules, FloorModel
from screens.monitor import MonitorScreen
from screens.notices import PlainNotices
from sync.floor_feed import FloorActions, FloorFeed


class MonitorApp(PlainNotices):
    """A supervisor's monitor on `server_url` with `token`; `model` and `clock` for tests (a still floor when
    `server_url` is None)."""

    TITLE = "AgentDesk — monitoring"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """From 100 columns up the board adds the agents' rating columns (`widgets.agent_board`)."""

    def __init__(self, server_url: str | None, token: str | None, *, rules: AlertRules | None = None,
                 model: FloorModel | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.server_url, self.token = server_url, token
        self.model = model or FloorModel(rules or AlertRules())
        self.clock = clock
        self.client: httpx.AsyncClient | None = None

    def _connect(self, model: FloorModel, screen: MonitorScreen) -> FloorFeed:
        self.client = httpx.AsyncClient(base_url=self.server_url or "", headers={"Authorization": f"Bearer {self.token}"})
        return FloorFeed(self.client, screen.take, screen.dropped)

    def on_mount(self) -> None:
        self.push_screen(MonitorScreen(self.model, self._connect if self.server_url else None, clock=self.clock,
                                       actions=FloorActions(lambda: self.client)))

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()
