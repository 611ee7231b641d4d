"""Add the caller as a new customer in a few keys: the number is already filled in."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from agentdesk.domain import phones
from widgets.screen_text import one_line


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """What the agent typed for a new customer."""

    name: str
    phone: str  # E.164
    email: str | None


class AddCustomer(ModalScreen[NewCustomer | None]):
    """Name, phone and e-mail; Enter on the last field (or Ctrl+S) saves."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="dialog.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="customer.save", tooltip="Save the new customer"),
    ]

    def __init__(self, account_name: str, phone: str = "", region: str = "US") -> None:
        super().__init__()
        self.account_name = account_name
        self.phone = phone
        self.phone_region = region

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"New customer of {one_line(self.account_name, 40)}", classes="dialog-title", markup=False)
            yield Input(placeholder="Full name", id="name", max_length=200)
            yield Input(self.phone, placeholder="Phone", id="phone", max_length=64)
            yield Input(placeholder="E-mail (optional)", id="email", max_length=254)
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("Enter next field / save · Ctrl+S save · Esc back", classes="dialog-hint", markup=False)

    @on(Input.Submitted)
    def next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "email":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        raw_phone = self.query_one("#phone", Input).value
        email = self.query_one("#email", Input).value.strip() or None
        phone = phones.normalize(raw_phone, self.phone_region)
        problem = None
        if not name:
            problem = "The name is missing."
        elif phone is None:
            problem = "That phone number is not valid; type it with its area code."
        elif email is not None and ("@" not in email or " " in email):
            problem = "That e-mail address is not valid."
        if problem or phone is None:
            self.query_one("#error", Static).update(problem or "")
            return
        self.dismiss(NewCustomer(name=name, phone=phone, email=email))

    def action_cancel(self) -> None:
        self.dismiss(None)
