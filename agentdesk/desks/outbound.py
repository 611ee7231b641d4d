"""The outbound desk: the day's reminder, survey and follow-up calls, and what the agent records on them."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime

from agentdesk.desks.base import Desk
from agentdesk.localstore.appointment_store import OutboundTask


class OutboundDesk(Desk):
    """Lists outbound work and records calls made and survey ratings."""

    def due(self, until: datetime, account_ids: list[str]) -> list[OutboundTask]:
        """The outbound calls due by `until` for these accounts (overdue first)."""
        return self.store.outbound(until, account_ids)

    def mark_done(self, task_id: str) -> Future[int]:
        """The call of `task_id` was made."""
        return self.submit("task.done@1", {"task_id": task_id, "at": self.now_iso(), "agent_id": self.agent.id})

    def record_survey(self, appointment_id: str, rating: int, comment: str) -> Future[int]:
        """The customer's rating (1-5) and comment on an appointment; it also closes the survey call."""
        return self.submit("appointment.survey@1", {
            "appointment_id": appointment_id, "rating": rating, "comment": comment.strip(),
            "at": self.now_iso(), "agent_id": self.agent.id,
        })
