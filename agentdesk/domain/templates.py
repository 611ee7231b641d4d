"""Reply templates: Jinja2 in a sandbox, filled from the ticket (customer, case number, order, agent, account).

Templates are written by account staff, not by customers, but they are still data: a template must never read
Python internals, call methods, loop for ever or produce a novel. So: Jinja2's `SandboxedEnvironment` with no
attribute access at all (the fields are plain text and dicts), `StrictUndefined` (a missing field is an error
that names it, never an empty gap in a letter to a customer), a short list of filters, no macros, includes,
imports or `namespace`, loops at most two deep over bounded things, `*` and `**` bounded, and the output
capped. A problem is a `TemplateProblem` with a sentence for the agent, never a crash.

The sandbox itself is in `template_sandbox.py`, loaded by the first template filled: Jinja2 is not part of
the desk's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from agentdesk.domain.template_limits import MAX_LOOP_DEPTH as MAX_LOOP_DEPTH
from agentdesk.domain.template_limits import MAX_OUTPUT_CHARS as MAX_OUTPUT_CHARS
from agentdesk.domain.template_limits import MAX_POWER as MAX_POWER
from agentdesk.domain.template_limits import MAX_RANGE as MAX_RANGE
from agentdesk.domain.template_limits import MAX_TEMPLATE_CHARS as MAX_TEMPLATE_CHARS
from agentdesk.errors import TemplateProblem as TemplateProblem

FIELDS = ("customer_name", "case_number", "subject", "order_number", "order_date", "agent_name", "account_name")
"""The fields a template can use (`order_*` only when the ticket has an order)."""


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """What a reply template can say about the ticket it answers."""

    customer_name: str
    case_number: str
    subject: str
    agent_name: str
    account_name: str
    order_number: str | None = None
    order_date: str | None = None

    def as_context(self) -> dict[str, str]:
        """The fields present (an absent order leaves `order_number` undefined, so a template using it says so)."""
        values = {name: getattr(self, name) for name in FIELDS}
        return {k: v for k, v in values.items() if v is not None}


def render(source: str, fields: TemplateFields | Mapping[str, object]) -> str:
    """`source` filled with `fields`; `TemplateProblem` (naming the field where there is one) on any error."""
    from agentdesk.domain.template_sandbox import fill

    return fill(source, fields.as_context() if isinstance(fields, TemplateFields) else dict(fields))


OFFER_HELP_TEMPLATE = (
    "Hello {{ customer_name }},\n\n"
    "Thank you for contacting {{ account_name }} about case {{ case_number }}. Before we go ahead, may we help? "
    "Many problems are solved with a repair, a replacement or a better plan, at no cost to you. Reply to this "
    "message or call us, and quote {{ case_number }}.\n\n{{ agent_name }}"
)
"""Save the sale, step one: the offer of help sent before any refund or cancellation."""

CASE_CONFIRMATION_TEMPLATE = (
    "Hello {{ customer_name }},\n\n"
    "Thank you for calling {{ account_name }}. Your case number is {{ case_number }} ({{ subject }}); please quote "
    "it if you contact us again.\n\n{{ agent_name }}"
)
"""The confirmation a customer gets when a case is opened during their call."""

OUTCOME_TEMPLATES: dict[str, str] = {
    "refunded": (
        "Hello {{ customer_name }},\n\nWe have refunded order {{ order_number }} (case {{ case_number }}). The money "
        "reaches your account in 3 to 5 working days.\n\n{{ agent_name }}, {{ account_name }}"),
    "cancelled": (
        "Hello {{ customer_name }},\n\nWe have cancelled order {{ order_number }} as you asked (case "
        "{{ case_number }}); nothing more will be charged.\n\n{{ agent_name }}, {{ account_name }}"),
}
"""Save the sale, step two: what the customer is told when their order changes."""

REFUSAL_TEMPLATES: dict[str, str] = {
    "refund": (
        "Hello {{ customer_name }},\n\nAbout case {{ case_number }}: we cannot refund order {{ order_number }}. "
        "It was placed on {{ order_date }}, and refunds can be requested up to 60 days after the order; your "
        "request reached us after that. Our offer of help still stands: a repair, a replacement or a better plan. "
        "Reply to this message or call us.\n\n{{ agent_name }}, {{ account_name }}"),
    "cancellation": (
        "Hello {{ customer_name }},\n\nAbout case {{ case_number }}: order {{ order_number }} (placed on "
        "{{ order_date }}) is a one-off purchase, and only recurring products such as plans and subscriptions can "
        "be cancelled. Our offer of help still stands: reply to this message "
        "or call us.\n\n{{ agent_name }}, {{ account_name }}"),
}
"""Refused by policy: the customer is told why, in the words of the rule that applies to their request (a refund
asked after the window, a cancellation of a one-off purchase), with the order's date."""


def outcome_template(outcome: str, kind: str) -> str:
    """The message that tells the customer the outcome of their `kind` (refund, cancellation) request."""
    return REFUSAL_TEMPLATES[kind] if outcome == "refused" else OUTCOME_TEMPLATES[outcome]
