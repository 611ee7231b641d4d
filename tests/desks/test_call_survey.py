"""The post-call survey: a share of answered calls with a known customer get a survey call the next business
morning, queued with the wrap-up; another agent takes the customer's rating down and the survey is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agentdesk.clock import FixedClock, iso, parse_iso
from agentdesk.config import Settings
from agentdesk.desks.workstation import Desks, open_desks, pick_agent
from agentdesk.desks.writer import LocalWriter
from agentdesk.domain import call_survey
from agentdesk.errors import StoreError
from agentdesk.records import Customer, IncomingCall
from agentdesk.store import Store


@pytest.fixture
def desks(settings: Settings, store: Store, clock: FixedClock) -> Iterator[Desks]:
    writer = LocalWriter(store)
    yield open_desks(settings, store, writer, clock, pick_agent(store, None))
    writer.close()


def call_ids(share: float, *, surveyed: bool, skip: int = 0) -> str:
    """A call id that falls in (or out of) the surveyed share (the one after `skip` such ids)."""
    ids = (f"00000000-0000-4000-8000-{n:012d}" for n in range(1000))
    return [i for i in ids if call_survey.surveyed(i, share) is surveyed][skip]


def _known_customer(store: Store) -> Customer:
    row = store.conn.execute("SELECT customer_id FROM customer_phone ORDER BY rowid LIMIT 1").fetchone()
    return store.customer(row[0])


def _answered_call(desks: Desks, store: Store, clock: FixedClock, call_id: str) -> Customer:
    customer = _known_customer(store)
    account = next(a for a in store.accounts() if a.id == customer.account_id)
    desks.calls.offer(IncomingCall(call_id, customer.phones[0], account.phone_number, clock.now()))
    clock.advance(6)
    desks.calls.answer()
    clock.advance(120)
    desks.calls.end()
    clock.advance(20)
    desks.calls.wrap_up("Solved", "Parcel found.").result(10)
    return customer


def _survey_tasks(store: Store, call_id: str) -> list[tuple[str, str, str | None, str, str]]:
    return [tuple(row) for row in store.conn.execute(
        "SELECT id, customer_id, appointment_id, due_at, status FROM task WHERE kind = 'survey' AND interaction_id = ?",
        (call_id,)).fetchall()]


def test_a_surveyed_call_queues_the_customers_survey_for_the_next_business_morning(
    desks: Desks, store: Store, clock: FixedClock, settings: Settings
) -> None:
    call_id = call_ids(settings.quality.survey_share, surveyed=True)
    customer = _answered_call(desks, store, clock, call_id)
    [(_, customer_id, appointment_id, due_at, status)] = _survey_tasks(store, call_id)
    assert (customer_id, appointment_id, status) == (customer.id, None, "open")
    account = next(a for a in store.accounts() if a.id == customer.account_id)
    due = parse_iso(due_at).astimezone(ZoneInfo(account.time_zone))
    today = clock.now().astimezone(ZoneInfo(account.time_zone)).date()
    assert (due.date(), due.hour, due.minute) == (today + timedelta(days=1), 9, 0)  # a Monday's call: Tuesday 9:00
    # The wrap-up is billed as before, in the same change.
    assert store.conn.execute("SELECT outcome, wrap_up_seconds FROM interaction WHERE id = ?",
                              (call_id,)).fetchone() == ("Solved", 20)


def test_a_call_outside_the_share_or_with_surveys_off_gets_no_survey(
    desks: Desks, store: Store, clock: FixedClock, settings: Settings
) -> None:
    call_id = call_ids(settings.quality.survey_share, surveyed=False)
    _answered_call(desks, store, clock, call_id)
    assert _survey_tasks(store, call_id) == []

    desks.calls.survey_share = 0.0
    other = call_ids(settings.quality.survey_share, surveyed=True)
    _answered_call(desks, store, clock, other)
    assert _survey_tasks(store, other) == []


def test_the_handling_agent_does_not_see_the_survey_and_cannot_take_it_down(
    desks: Desks, store: Store, clock: FixedClock, settings: Settings
) -> None:
    call_id = call_ids(settings.quality.survey_share, surveyed=True)
    _answered_call(desks, store, clock, call_id)
    later = clock.now() + timedelta(days=7)
    accounts = [a.id for a in store.accounts()]
    assert call_id not in [t.call_id for t in desks.outbound.due(later, accounts)]
    [task] = [t for t in store.outbound(later, accounts) if t.call_id == call_id]
    assert task.call_agent_id == desks.calls.agent.id
    with pytest.raises(StoreError, match="your own call"):
        desks.outbound.record_call_survey(task, 5, "Great")
    # Nor through the store: the rating rule refuses it too.
    with pytest.raises(StoreError, match="own work"):
        store.mutate("rating.record@1", {
            "rating_id": "r-own", "account_id": task.account_id, "interaction_id": call_id, "source": "customer",
            "score": 5, "comment": "", "agent_id": desks.calls.agent.id, "at": iso(clock.now())})


def test_the_share_is_about_the_setting_and_fridays_calls_are_surveyed_on_monday() -> None:
    ids = [f"call-{n}" for n in range(5000)]
    picked = sum(call_survey.surveyed(i, 0.2) for i in ids)
    assert 900 < picked < 1100
    assert not any(call_survey.surveyed(i, 0.0) for i in ids) and all(call_survey.surveyed(i, 1.0) for i in ids)
    friday_evening = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 18:30 in New York
    due = call_survey.due(friday_evening, "America/New_York").astimezone(ZoneInfo("America/New_York"))
    assert (due.strftime("%a"), due.day, due.hour) == ("Mon", 30, 9)
