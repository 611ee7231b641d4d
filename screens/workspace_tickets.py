"""The workspace's ticket keys: the tickets inbox, and a case opened from a call in a few keys."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from agentdesk.clock import iso
from agentdesk.domain.calls import CallState
from agentdesk.domain.templates import CASE_CONFIRMATION_TEMPLATE, TemplateFields, TemplateProblem, render
from agentdesk.domain.text import sanitize
from screens.ticket_dialogs import CaseFromCall
from screens.tickets import TicketsInbox

if TYPE_CHECKING:
    from screens.workspace import Workspace

    _Base = Workspace
else:
    _Base = object


class TicketHandlers(_Base):
    """Mixed into the workspace."""

    def action_tickets(self) -> None:
        store = self.store
        self.app.push_screen(TicketsInbox(store.accounts(), store.agent_accounts(self.desk.agent.id)))

    def action_case_from_call(self) -> None:
        call, customer = self.desk.call, self.customer
        if call is None or call.session.state not in (CallState.TALKING, CallState.ON_HOLD, CallState.ENDED):
            self.notify("Open a case during a call (answer it first).", severity="warning")
            return
        if call.customer_id is None or customer is None or customer.id != call.customer_id:
            self.notify("Find the caller (/) or add them (n) first: a case belongs to a customer.", severity="warning")
            return
        number = self.store.next_case_number()
        account, agent = call.account, self.desk.agent

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            subject, said = result
            fields = TemplateFields(sanitize(customer.name), number, sanitize(subject), agent.name, account.name)
            try:
                confirmation = render(CASE_CONFIRMATION_TEMPLATE, fields)
            except TemplateProblem:  # the subject is a value, never template code: this cannot fail on it
                confirmation = f"Your case number is {number}."
            args: dict[str, object] = {
                "ticket_id": str(uuid.uuid4()), "account_id": account.id, "customer_id": customer.id,
                "case_number": number, "subject": subject, "kind": "question", "channel": "phone",
                "status": "open", "opened_at": iso(self.desk.clock.now()), "assignee_id": agent.id,
                "agent_id": agent.id, "author": agent.name,
                "confirmation_id": str(uuid.uuid4()), "confirmation": confirmation,
            }
            if said:
                args |= {"first_message_id": str(uuid.uuid4()), "first_message": said}
            future = self.desk.writer.submit("ticket.open@1", args)

            def saved() -> None:
                self.notify(f"Case {number} opened; the confirmation is queued to the customer.", timeout=6,
                            markup=False)
                self.reload_customer()

            self.after_saved(future, saved)

        self.notify(f"New case {number}: read it to the caller.", timeout=8)
        self.app.push_screen(CaseFromCall(number, customer.name), save)
