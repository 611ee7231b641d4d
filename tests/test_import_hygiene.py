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
