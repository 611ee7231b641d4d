"""The core (domain, store, desks, sync, the backend) stays free of Textual: it must run on a server with no screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_modules_import_without_loading_textual() -> None:
    code = (
        "import sys\n"
        "import agentdesk.store, agentdesk.demo, agentdesk.config, agentdesk.localstore.outbox\n"
        "import agentdesk.mutations.registry, agentdesk.records, agentdesk.errors\n"
        "import agentdesk.desks.calls, agentdesk.desks.tickets, agentdesk.desks.bookings\n"
        "import agentdesk.desks.outbound, agentdesk.desks.customers, agentdesk.desks.workstation\n"
        "import agentdesk.desks.call_sources, agentdesk.desks.writer\n"
        "import agentdesk.server.app, agentdesk.reporting.commands, agentdesk.sound\n"
        "import agentdesk.domain.text, agentdesk.domain.calls, agentdesk.domain.hold, agentdesk.domain.booking\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in {'textual', 'screens', 'widgets'}]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_screens_and_widgets_build_no_mutation_or_floor_action() -> None:
    """What is written goes through a desk (or the floor's actions): no registered name (`ticket.open@1`,
    `agent.set_state@1`) and no new id is made in a screen or a widget, so an action has one place to change."""
    import re

    named = re.compile(r"[\"'][a-z_]+\.[a-z_]+@\d+[\"']")
    found = []
    for folder in ("screens", "widgets"):
        for source in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if named.search(line) or "uuid" in line:
                    found.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)
