"""What an agent reads when a change could not be saved: in the agent's words, with what to do next.

The technical detail (mutation names, ids, the database's own message) goes to the log file, never to the screen.
"""

from __future__ import annotations

import re

from agentdesk.errors import NotSaved, StoreError

WHAT_WAS_NOT_SAVED: dict[str, str] = {
    "call.ring": "The ringing call was not recorded",
    "call.answer": "The answer was not recorded",
    "call.hold": "The hold was not recorded",
    "call.resume": "Taking the caller back from hold was not recorded",
    "call.end": "The end of the call was not recorded",
    "call.wrap_up": "The wrap-up (outcome and notes) was not saved",
    "call.link_customer": "The call was not linked to the customer",
    "call.escalate": "The escalation was not saved: no follow-up task exists",
    "faq.use": "The FAQ answer read was not recorded",
    "ticket.open": "No case was opened: there is no case number to give the caller",
    "ticket.add_message": "The message was not saved",
    "ticket.set_status": "The ticket's state was not changed",
    "ticket.record_consent": "The customer's consent was not recorded",
    "ticket.assign": "The ticket was not reassigned",
    "ticket.request_review": "The review request was not saved",
    "ticket.offer_help": "The offer of help was not saved",
    "ticket.save_the_sale": "The outcome of the save was not recorded",
    "customer.create": "The new customer was not saved",
    "customer.update": "The customer's change was not saved",
    "comment.add": "The comment was not saved",
    "appointment.book": "The booking was not made: there is no booking reference to give",
    "appointment.reschedule": "The booking was not moved",
    "appointment.cancel": "The booking was not cancelled",
    "appointment.survey": "The survey answer was not saved",
    "task.done": "The task was not marked done",
}

# Signs that a message was written for a developer, not for an agent.
_TECHNICAL = re.compile(
    r"constraint|sqlite|foreign key|\bnull\b|[a-z_]+\.[a-z_]+@\d|[0-9a-f]{8}-[0-9a-f]{4}-|Error:|\bid\b", re.IGNORECASE
)
_CHANGE_NAME = re.compile(r"the change [a-z_]+\.[a-z_]+@\d+")
_PREFIX = re.compile(r"^[a-z_]+\.[a-z_]+@\d+:\s*")


def what_was_not_saved(name: str) -> str:
    """The agent's words for the change `name` ("ticket.open@1") that was not saved."""
    short = name.split("@", 1)[0]
    return WHAT_WAS_NOT_SAVED.get(short, "A change was not saved")


def reason_for_agent(error: BaseException) -> str:
    """Why, in the agent's words: a rule's own sentence when it is one, else a plain sentence with the next step."""
    if isinstance(error, NotSaved):
        # Written for a person already (disk full, store busy ...), with the next step; only the name goes.
        return _CHANGE_NAME.sub("the change", str(error))
    if isinstance(error, StoreError):
        text = _PREFIX.sub("", str(error)).strip()
        if text and not _TECHNICAL.search(text):
            return text[:1].upper() + text[1:].rstrip(".") + "."
    return "This terminal could not save it. Try again; if it happens again, tell your supervisor."


def not_saved_message(name: str, error: BaseException) -> str:
    """The whole sentence for the toast and for the needs-attention list (`!`)."""
    return f"{what_was_not_saved(name)}. {reason_for_agent(error)}"
