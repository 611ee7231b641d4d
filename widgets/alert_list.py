"""The last alerts, newest first: time, who or which queue, what happened."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from agentdesk.monitoring import Alert
from widgets.screen_text import one_line

LEVEL_STYLES = {"critical": "bold red", "warning": "yellow"}


class AlertList(Static):
    """Shows up to `height` alerts."""

    DEFAULT_CSS = "AlertList { height: 4; border-top: solid $panel; }"

    def show(self, alerts: list[Alert]) -> None:
        """Redraw with the newest alerts."""
        if not alerts:
            self.update(Text("No alerts.", style="dim"))
            return
        text = Text()
        for alert in alerts[:3]:
            stamp = time.strftime("%H:%M:%S", time.localtime(alert.at))
            text.append(f"{stamp} {'!!' if alert.level == 'critical' else '! '} {one_line(alert.who, 24)} — "
                        f"{one_line(alert.what, 40)}\n", style=LEVEL_STYLES[alert.level])
        self.update(text)
