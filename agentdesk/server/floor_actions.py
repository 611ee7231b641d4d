"""A supervisor's hands on the floor: named, versioned actions the backend checks (who may, on whom, with what)
before they change an agent's state or leave a message for the agent's desk.

- `agent.set_state@1` {agent_id, state: away|available, reason}: the agent is put away (with a reason) or back
  to available; refused while the agent is on a call.
- `agent.message@1` {agent_id, text}: a short message (at most 200 characters) for the agent's desk.

Reassigning tickets and follow-ups and taking over an escalated question are `floor_work`'s (they change synced
rows, so they run the desks' own mutations); listening to and joining calls need a phone system the product does
not have.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from agentdesk.clock import iso
from agentdesk.domain.text import one_line
from agentdesk.server.floor import Floor
from agentdesk.server.sync import Caller, SyncRefused

ACTIONS = ("agent.set_state@1", "agent.message@1")
MAX_MESSAGE = 200
NOTICES_KEPT = 50
"""Notices a desk has not collected yet, per agent; older ones give way."""


class Notices:
    """What supervisors left for each agent's desk, until the desk collects it."""

    def __init__(self) -> None:
        self.waiting: dict[str, deque[dict[str, Any]]] = {}

    def leave(self, agent_id: str, notice: dict[str, Any]) -> None:
        """Keep `notice` for the agent's desk."""
        self.waiting.setdefault(agent_id, deque(maxlen=NOTICES_KEPT)).append(notice)

    def collect(self, agent_id: str) -> list[dict[str, Any]]:
        """Everything waiting for the agent, oldest first, once."""
        return list(self.waiting.pop(agent_id, ()))


def act(floor: Floor, notices: Notices, caller: Caller, watched: frozenset[str], name: str,
        args: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """Check and carry out one action; `SyncRefused` with a sentence when it may not or cannot be done."""
    if caller.role not in ("supervisor", "admin"):
        raise SyncRefused(403, "supervisors_only", "Only supervisors and admins act on the floor.")
    if name not in ACTIONS:
        raise SyncRefused(422, "unknown_action", f"There is no floor action {name[:60]!r}; the actions are "
                                                 f"{', '.join(ACTIONS)}.")
    agent_id = str(args.get("agent_id") or "")
    agent = floor.agents.get(agent_id)
    if agent is None or agent.accounts.isdisjoint(watched):
        raise SyncRefused(403, "not_your_agent", "That agent does not work for any of your accounts.")
    now = time.time() if now is None else now
    at = datetime.fromtimestamp(now, UTC)
    by = caller.agent_id
    if name == "agent.set_state@1":
        state = args.get("state")
        if state not in ("away", "available"):
            raise SyncRefused(422, "bad_state", "An agent can be set away (with a reason) or available.")
        reason = one_line(str(args.get("reason") or ""), 40) if state == "away" else ""
        if state == "away" and not reason:
            raise SyncRefused(422, "no_reason", "Say why the agent is set away (for example: coaching).")
        floor.report(Caller(agent_id, "agent", None), {"type": state, "at": iso(at), "reason": reason}, now=now)
        notice = {"kind": "state", "state": state, "reason": reason, "by": by, "at": iso(at)}
    else:
        text = one_line(str(args.get("text") or ""), MAX_MESSAGE)
        if not text:
            raise SyncRefused(422, "empty_message", "Write the message first.")
        notice = {"kind": "message", "text": text, "by": by, "at": iso(at)}
    notices.leave(agent_id, notice)
    return notice
