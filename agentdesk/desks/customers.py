"""The customers desk: a new customer, and comments in a customer's history."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from agentdesk.desks.base import Desk, new_id
from agentdesk.records import Customer


@dataclass(frozen=True, slots=True)
class NewCustomerSaved:
    """A customer being added: their id (to open them) and the commit to wait for."""

    customer_id: str
    saved: Future[int]


class CustomerDesk(Desk):
    """Adds customers and comments."""

    def create(self, account_id: str, name: str, phone: str, email: str, language: str = "en") -> NewCustomerSaved:
        """Add a customer to `account_id`."""
        customer_id = new_id()
        future = self.submit("customer.create@1", {
            "customer_id": customer_id, "account_id": account_id, "name": name, "phone": phone, "email": email,
            "language": language, "created_at": self.now_iso(),
        })
        return NewCustomerSaved(customer_id, future)

    def add_comment(self, customer: Customer, body: str) -> Future[int]:
        """A comment by this agent in `customer`'s history."""
        return self.submit("comment.add@1", {
            "comment_id": new_id(), "account_id": customer.account_id, "customer_id": customer.id,
            "agent_id": self.agent.id, "body": body, "created_at": self.now_iso(),
        })
