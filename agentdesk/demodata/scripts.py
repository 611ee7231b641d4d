"""The demo accounts' call scripts: the greeting and the phone scripts their FAQ answers link to.

A script is kept as an article of its account with the category `script:<name>` (no rank, so never in the top
ten, and left out of FAQ search): `[[script:<name>|label]]` links and the desk's scripts key open it in the FAQ
pane. Lines that start with "Say:" are read to the caller as written; the rest tells the agent what to do.
"""

from __future__ import annotations

import uuid

from agentdesk.domain.faq import SCRIPT_CATEGORY

_IDS = uuid.UUID("6f1c5a8e-3b7d-4a52-9d0e-2c4b8f7a1e35")
"""The namespace of the scripts' ids: the same account and script name give the same id on every terminal, and
making them draws nothing from the demo's random numbers (the rest of the demo stays as it was)."""

_VERIFY = (
    "verify-identity", "Identity check",
    "Before you read out or change anything on the record:\n"
    "Say: Before we go on, may I check a few details? Could you give me the full name on the account?\n"
    "Say: And the postcode or ZIP code of the address we hold?\n"
    "Both must match the card. If one does not, do not give details: offer to send them to the e-mail address on "
    "file instead. Never ask for a full card number or a password.",
)

_ESCALATION = (
    "escalation", "Escalation script",
    "When no answer in the FAQ fits the question (press x):\n"
    "Say: That is a good question, and I want to give you the right answer rather than a guess.\n"
    "Say: I am passing it to a senior colleague now. They will call you back within business hours, by the time "
    "the desk shows you.\n"
    "Read the callback time the desk shows, with its time zone, and check the best number to call.",
)

_SCRIPTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Alder Home Services": (
        ("booking", "Booking script",
         "Check the service address first, then the problem in a few words.\n"
         "Say: I can book a technician in a two-hour window. The earliest I have is <window>. Does that suit you?\n"
         "Say: The visit is $89 and covers the first half hour; any parts are quoted before work starts.\n"
         "Read back the date, the window and the address, then the booking reference."),
        ("emergency", "Emergency script",
         "Gas smell, no heat below freezing, flooding or sewage backing up: this is an emergency.\n"
         "Say: If you smell gas, please leave the house now and call the gas company from outside.\n"
         "Say: I am sending an emergency technician; they will be with you within two hours.\n"
         "Book the first emergency slot and stay on the line until the booking reference is read back."),
        ("payment", "Taking a payment",
         "Payments are taken on the secure line only: transfer the caller to it, never take card digits yourself.\n"
         "Say: I will put you through to our secure payment line; it asks for your card on the keypad.\n"
         "Say: When it is done it reads you a six-digit receipt number. Could you read it back to me?\n"
         "Note the receipt number in the call's notes."),
        ("save-the-sale", "Save the sale",
         "Before cancelling a Home Shield plan, ask why and offer help that fits.\n"
         "Say: I am sorry to hear that. May I ask what made you want to cancel?\n"
         "Cost: offer the yearly payment (two months free). A missed visit: offer a priority booking this week.\n"
         "If they still want to cancel, cancel it and read the confirmation: there is no fee."),
        _VERIFY, _ESCALATION,
    ),
    "Birch Outdoor Supply": (
        ("order-lookup", "Finding an order",
         "Find the customer first (/), then the order on their card.\n"
         "Say: Could you give me the order number? It starts with ORD and is in your confirmation e-mail.\n"
         "No number: search by the e-mail address or the phone number the order was placed with.\n"
         "Say: Your order <number> left our warehouse on <date>; it usually takes three to five days."),
        ("refund", "Refund script",
         "Refunds are possible within 30 days of the order.\n"
         "Say: I can help with that. May I ask what is wrong with the item? Sometimes we can fix it or swap it.\n"
         "Within 30 days: open a case, send the prepaid return label, and say the refund follows within five "
         "working days of the item arriving.\n"
         "Past 30 days: say so kindly and offer a repair instead."),
        ("payment", "Taking a payment",
         "Payments are taken on the secure line only: never take card digits yourself.\n"
         "Say: I will put you through to our secure payment line; it asks for your card on the keypad.\n"
         "Say: It reads you a six-digit receipt number at the end. Could you read it back to me?"),
        _VERIFY, _ESCALATION,
    ),
    "Cedar Dental Group": (
        ("booking", "Booking script",
         "Offer the patient's usual practice first, then the earliest free slot.\n"
         "Say: I have <day> at <time> with <dentist> at our <practice> practice. Would that suit you?\n"
         "Say: Please arrive ten minutes early, and bring a list of any medicines you take.\n"
         "Read back the day, the time and the practice, then the booking reference."),
        ("emergency", "Emergency script",
         "Severe pain, a knocked-out tooth or swelling: book the same-day emergency slot.\n"
         "Say: Swelling of the face or trouble breathing needs urgent help: please call 999 or go to A&E now.\n"
         "Say: I can see you today at <time> at our <practice> practice.\n"
         "Read back the time and the practice, and note the symptoms in the call's notes."),
        ("payment", "Taking a payment",
         "Payments are taken on the secure line only: never take card digits yourself.\n"
         "Say: I will put you through to our secure payment line; it will ask for your card on the keypad.\n"
         "Say: It reads you a six-digit receipt number at the end. Could you read it back to me?"),
        ("save-the-sale", "Save the sale",
         "Before cancelling a dental plan, ask why and offer help that fits.\n"
         "Say: I am sorry to hear that. May I ask what made you want to cancel?\n"
         "Cost: offer the basic plan at half the price. Moving away: offer a practice near the new address.\n"
         "If they still want to cancel, cancel it and read the confirmation: the plan ends this month."),
        _VERIFY, _ESCALATION,
    ),
    "Dogwood Pet Insurance": (
        ("claim", "Claims script",
         "Check the policy is active and the condition is covered before promising anything.\n"
         "Say: I am sorry your pet has been unwell. Could you tell me the date of the vet's visit?\n"
         "Say: Please ask the vet to send the invoice and the clinical notes; we decide within ten working days.\n"
         "Open a case and read the case number only once it shows as saved."),
        ("payment", "Taking a payment",
         "Premiums are taken by direct debit; a missed payment is taken on the secure line.\n"
         "Say: I will put you through to our secure payment line; it asks for your card on the keypad.\n"
         "Say: It reads you a six-digit receipt number at the end. Could you read it back to me?"),
        ("save-the-sale", "Save the sale",
         "Before cancelling cover, ask why and offer help that fits.\n"
         "Say: I am sorry to hear that. May I ask what made you want to cancel?\n"
         "Cost: offer accident-only cover at a lower premium. An older pet: explain what lifetime cover keeps.\n"
         "If they still want to cancel, cancel it and read the confirmation: cover ends today."),
        _VERIFY, _ESCALATION,
    ),
}


def account_scripts(account_id: str, account_name: str, greeting: str) -> list[tuple[str, str, None, str, str, str, str]]:
    """The faq_article rows of one demo account's scripts, the greeting first."""
    opening = ("greeting", "Greeting",
               "Answer before the 3rd ring, with a smile in your voice.\n"
               f"Say: {greeting.replace('{agent}', '<your name>')}\n"
               "Known caller: greet them by name, then confirm who you are speaking to.\n"
               "Closing: Say: Is there anything else I can help you with today? Thank you for calling.")
    rows = []
    for name, title, body in (opening, *_SCRIPTS.get(account_name, (_VERIFY, _ESCALATION))):
        script_id = str(uuid.uuid5(_IDS, f"{account_id}/{name}"))
        rows.append((script_id, account_id, None, title, body, f"{SCRIPT_CATEGORY}{name}", ""))
    return rows
