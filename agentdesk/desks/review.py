"""The quality desk: the review queue of a reviewer's accounts, the ratings given, and agents' averages."""

from __future__ import annotations

from concurrent.futures import Future

from agentdesk.desks.base import Desk, new_id
from agentdesk.mutations.ratings import REVIEWERS
from agentdesk.records import RatingAverage, ReviewCursor, ReviewItem

SCORES = range(1, 6)


class ReviewDesk(Desk):
    """Walks the review queue and records quality ratings (and customers' survey answers) as mutations."""

    @property
    def may_review(self) -> bool:
        """Quality control, supervisors and admins give quality ratings; agents see their own averages only."""
        return self.agent.role in REVIEWERS

    def accounts(self) -> list[str]:
        """The accounts whose work this reviewer rates."""
        return self.store.agent_accounts(self.agent.id)

    def next(self, after: ReviewCursor | None = None) -> ReviewItem | None:
        """The oldest unrated interaction or reply after `after`; None when the queue is empty."""
        return self.store.ratings.next_to_review(self.accounts(), self.agent.id, self.clock.now(), after)

    def rate(self, item: ReviewItem, score: int, comment: str = "") -> Future[int]:
        """The reviewer's quality rating of `item` (1-5) with an optional comment."""
        return self._record(item, "qc", score, comment)

    def record_customer_rating(self, item: ReviewItem, score: int, comment: str = "") -> Future[int]:
        """A customer's rating of `item` given on a survey call and taken down by this agent."""
        return self._record(item, "customer", score, comment)

    def averages(self, agent_ids: list[str] | None = None) -> list[RatingAverage]:
        """Rating averages by source over the last 30 days: of `agent_ids`, or of everyone working for the
        reviewer's accounts (an agent who may not review sees their own only)."""
        if not self.may_review:
            agent_ids = [self.agent.id]
        elif agent_ids is None:
            agent_ids = self.store.ratings.account_agents(self.accounts())
        return self.store.ratings.averages(agent_ids, self.clock.now()) if agent_ids else []

    def _record(self, item: ReviewItem, source: str, score: int, comment: str) -> Future[int]:
        if score not in SCORES:
            raise ValueError(f"a rating is 1 to 5, not {score}")
        target = {"interaction_id": item.id} if item.kind == "interaction" else {"message_id": item.id}
        return self.submit("rating.record@1", {
            "rating_id": new_id(), "account_id": item.account_id, **target, "source": source, "score": score,
            "comment": comment.strip(), "agent_id": self.agent.id, "at": self.now_iso(),
        })
