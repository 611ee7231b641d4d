"""What an agent reads when a change was not saved: their words and the next step, never the machine's."""

from __future__ import annotations

import re
import sqlite3

from agentdesk.desks.messages import not_saved_message
from agentdesk.errors import NotSaved, StoreError
from agentdesk.localstore.transaction import translate

MACHINE_WORDS = re.compile(r"@\d|ticket\.open|call\.ring|constraint|sqlite|[0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)


def test_a_rule_refusal_keeps_its_sentence_without_the_mutation_name() -> None:
    message = not_saved_message("ticket.open@1", StoreError("ticket.open@1: the customer belongs to another account"))
    assert message == ("No case was opened: there is no case number to give the caller. "
                       "The customer belongs to another account.")


def test_a_database_error_becomes_a_plain_sentence_with_the_next_step() -> None:
    error = translate(sqlite3.IntegrityError("UNIQUE constraint failed: interaction.id"), "the change call.ring@1")
    message = not_saved_message("call.ring@1", error)
    assert message.startswith("The ringing call was not recorded. This terminal could not save it. Try again")
    assert not MACHINE_WORDS.search(message)


def test_a_full_disk_is_said_with_what_to_do_and_without_the_change_name() -> None:
    message = not_saved_message("call.wrap_up@1", NotSaved(
        "The disk is full, so the change call.wrap_up@1 was not saved. Free some disk space and try again."))
    assert message.startswith("The wrap-up (outcome and notes) was not saved. The disk is full")
    assert "Free some disk space" in message and not MACHINE_WORDS.search(message)
