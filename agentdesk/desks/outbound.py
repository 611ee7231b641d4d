"""The outbound desk: the day's reminder, survey and follow-up calls, and what the agent records on them."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime

from agentdesk.desks.base import Desk, new_id
from agentdesk.errors import StoreError
from agentdesk.localstore.appointment_store import OutboundTask


class OutboundDesk(Desk):
    """Lists outbound work and records calls made and survey ratings."""

    def due(self, until: datetime, account_ids: list[str]) -> list[OutboundTask]:
        """The outbound calls due by `until` for these accounts (overdue first); the surveys of this agent's own
        calls are left out (nobody rates their own work)."""
        return self.store.outbound(until, account_ids, viewer=self.agent.id)

    def mark_done(self, task_id: str) -> Future[int]:
        """The call of `task_id` was made."""
        return self.submit("task.done@1", {"task_id": task_id, "at": self.now_iso(), "agent_id": self.agent.id})

    def record_survey(self, appointment_id: str, rating: int, comment: str) -> Future[int]:
        """The customer's rating (1-5) and comment on an appointment; it also closes the survey call."""
        return self.submit("appointment.survey@1", {
            "appointment_id": appointment_id, "rating": rating, "comment": comment.strip(),
            "at": self.now_iso(), "agent_id": self.agent.id,
        })

    def record_call_survey(self, task: OutboundTask, rating: int, comment: str) -> Future[int]:
        """The customer's rating (1-5) and comment on the call `task` surveys, then the survey call is done. The
        future holds the task's commit, or the rating's refusal (the task then stays open)."""
        if task.call_id is None:
            raise StoreError("This is not a survey of a call.")
        if task.call_agent_id == self.agent.id:
            raise StoreError("This survey rates your own call: another agent makes it (nobody rates their own work).")
        rated = self.submit("rating.record@1", {
            "rating_id": new_id(), "account_id": task.account_id, "interaction_id": task.call_id,
            "source": "customer", "score": rating, "comment": comment.strip(), "agent_id": self.agent.id,
            "at": self.now_iso(),
        })
        closed: Future[int] = Future()

        def close(done: Future[int]) -> None:
            # On the writer thread, once the rating is in: only then is the survey call done.
            error = done.exception()
            if error is not None:
                closed.set_exception(error)
                return
            then = self.mark_done(task.id)
            then.add_done_callback(lambda finished: _settle(closed, finished))

        rated.add_done_callback(close)
        return closed


def _settle(target: Future[int], source: Future[int]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())
