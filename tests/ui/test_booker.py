"""Booking during a call from the keyboard: k opens the booker, a number picks a slot, Enter books; m moves,
x cancels; the outbound list shows the reminder and takes a survey's rating."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from agentdesk.clock import iso, parse_iso
from agentdesk.domain.booking import parse_preferences
from screens.app import AgentDeskApp
from screens.booker import Booker
from screens.outbound import OutboundWork
from screens.workspace import Workspace
from tests.desk import WELL_KNOWN, advance, ring, screen_text, settle
from tests.ui.test_tickets import told
from widgets import CustomerHistory


async def _on_a_call(pilot: Pilot[Any]) -> None:
    await ring(pilot, WELL_KNOWN)
    await advance(pilot, 3)
    await pilot.press("a")
    await settle(pilot)


def _appointments(app: AgentDeskApp) -> list[dict[str, Any]]:
    cursor = app.store.conn.execute(
        "SELECT a.*, (SELECT count(*) FROM appointment_slot s WHERE s.appointment_id = a.id) AS units"
        " FROM appointment a JOIN customer_phone p ON p.customer_id = a.customer_id WHERE p.e164 = ?"
        " ORDER BY a.booked_at, a.id",
        (WELL_KNOWN,),
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


async def _book_first_slot(pilot: Pilot[Any]) -> Booker:
    await pilot.press("k")
    await settle(pilot)
    booker = pilot.app.screen
    assert isinstance(booker, Booker)
    assert booker.proposals, "the booker proposes free slots"
    await pilot.press("1")
    await settle(pilot)
    return booker


async def test_k_1_enter_books_the_caller_and_the_readback_names_time_professional_and_reference(
    app: AgentDeskApp,
) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await _on_a_call(pilot)
        call = app.desk.call
        assert call is not None
        booker = await _book_first_slot(pilot)
        first = booker.proposals[0]
        kind = booker.kind
        assert kind is not None
        shown = screen_text(app)
        assert "Read back" in shown and first.professional_name in shown and "reference is AP-" in shown
        assert first.starts_at >= app.clock.now() + timedelta(minutes=60)  # the lead time of the settings
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
        booked = _appointments(app)
        assert len(booked) == 1
        row = booked[0]
        assert row["status"] == "tentative"  # until the backend confirms it
        assert row["professional_id"] == first.professional_id and parse_iso(row["starts_at"]) == first.starts_at
        assert row["interaction_id"] == call.interaction_id and row["booked_by"] == app.agent.id
        assert row["units"] == (kind.minutes + kind.buffer_minutes) // 15
        tasks = dict(app.store.conn.execute(
            "SELECT kind, due_at FROM task WHERE appointment_id = ?", (row["id"],)).fetchall())
        assert parse_iso(tasks["reminder"]) == first.starts_at - timedelta(hours=24)
        assert parse_iso(tasks["survey"]) == first.ends_at + timedelta(hours=2)
        # The customer's history now leads with the appointment.
        history = app.screen.query_one(CustomerHistory)
        assert history.view is not None and history.view.page is not None
        top = history.view.page.entries[0]
        assert top.kind == "appointment" and top.status == "tentative" and kind.name in top.summary
        assert any("tentative until the backend confirms" in line for line in said)


async def test_m_moves_the_appointment_and_x_cancels_it_freeing_the_time(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await _on_a_call(pilot)
        await _book_first_slot(pilot)
        await pilot.press("enter")
        await settle(pilot)
        [booked] = _appointments(app)

        await pilot.press("k")
        await settle(pilot)
        booker = app.screen
        assert isinstance(booker, Booker) and [b.id for b in booker.upcoming] == [booked["id"]]
        await pilot.press("m")
        await settle(pilot)
        target = booker.proposals[2]
        await pilot.press("3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
        [moved] = _appointments(app)
        assert moved["id"] == booked["id"] and parse_iso(moved["starts_at"]) == target.starts_at
        assert moved["professional_id"] == target.professional_id and moved["status"] == "tentative"
        held = {u for (u,) in app.store.conn.execute(
            "SELECT unit_start FROM appointment_slot WHERE appointment_id = ?", (booked["id"],))}
        assert iso(target.starts_at)[:16] in {u[:16] for u in held}
        assert booked["starts_at"][:16] not in {u[:16] for u in held} or target.starts_at == parse_iso(
            booked["starts_at"])
        reminder = app.store.conn.execute(
            "SELECT due_at FROM task WHERE appointment_id = ? AND kind = 'reminder'", (booked["id"],)).fetchone()
        assert parse_iso(reminder[0]) == target.starts_at - timedelta(hours=24)

        await pilot.press("k")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, Booker) and app.screen.cancelling is not None
        assert "Enter to cancel it" in str(app.screen.query_one("#readback").render())
        await pilot.press("enter")
        await settle(pilot)
        [cancelled] = _appointments(app)
        assert cancelled["status"] == "cancelled" and cancelled["units"] == 0
        assert app.store.conn.execute(
            "SELECT count(*) FROM task WHERE appointment_id = ? AND status = 'open'", (booked["id"],)
        ).fetchone()[0] == 0


async def test_the_callers_preferences_narrow_the_proposals_and_a_bad_word_is_named(app: AgentDeskApp) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        await _on_a_call(pilot)
        await pilot.press("k")
        await settle(pilot)
        booker = app.screen
        assert isinstance(booker, Booker)
        booker.query_one("#prefs").focus()
        await pilot.press(*"sat afternoon")
        await settle(pilot)
        zone = booker.caller_zone
        assert booker.proposals
        for proposal in booker.proposals:
            local = proposal.starts_at.astimezone(zone)
            assert local.weekday() == 5 and 12 <= local.hour < 17
        await pilot.press(*" soonish")
        await settle(pilot)
        assert "'soonish' is not a day" in screen_text(app)


async def test_without_a_customer_k_says_what_to_do_first(app: AgentDeskApp) -> None:
    said = told(app)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
        assert any("Find the caller" in line for line in said)


async def test_outbound_work_lists_the_days_reminders_and_records_a_survey_rating(app: AgentDeskApp) -> None:
    store = app.store
    survey = store.conn.execute(
        "SELECT t.id, t.appointment_id FROM task t JOIN appointment a ON a.id = t.appointment_id"
        " WHERE t.kind = 'survey' AND t.status = 'open' AND t.due_at < ? AND a.starts_at < ?"
        " ORDER BY t.due_at LIMIT 1",
        (iso(app.clock.now()), iso(app.clock.now())),
    ).fetchone()
    assert survey is not None, "the demo has surveys waiting"
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OutboundWork)
        kinds = {task.kind for task in screen.tasks}
        assert {"reminder", "survey"} <= kinds
        assert all(task.due_at < app.clock.now() + timedelta(days=1) for task in screen.tasks)
        row = [task.id for task in screen.tasks].index(survey[0])
        from textual.widgets import DataTable

        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("4")
        await pilot.press(*"Arrived on time")
        await pilot.press("enter")
        await settle(pilot)
        rating = store.conn.execute(
            "SELECT rating, rating_comment FROM appointment WHERE id = ?", (survey[1],)).fetchone()
        assert tuple(rating) == (4, "Arrived on time")
        assert store.conn.execute("SELECT status FROM task WHERE id = ?", (survey[0],)).fetchone()[0] == "done"
        assert survey[0] not in [task.id for task in screen.tasks]


def test_preferences_are_read_from_one_line_of_words() -> None:
    prefs = parse_preferences("Mon wed MORNING es portl", {"en", "es"}, {"Portland, OR"})
    assert prefs.weekdays == {0, 2} and prefs.day_parts == {"morning"}
    assert prefs.language == "es" and prefs.location == "Portland, OR"
    assert parse_preferences("weekend", {"en"}, set()).weekdays == {5, 6}


async def test_a_booking_the_backend_refused_is_rebooked_from_needs_attention_in_one_key(app: AgentDeskApp) -> None:
    from screens.attention import NeedsAttention

    store = app.store
    async with app.run_test(size=(120, 35)) as pilot:
        await _on_a_call(pilot)
        booker = await _book_first_slot(pilot)
        taken = booker.proposals[0]
        await pilot.press("enter")
        await settle(pilot)
        [mine] = _appointments(app)
        # What a pull leaves when the backend refused the booking (another terminal had the slot): the tentative
        # booking is gone and the refusal waits in the store's needs-attention record.
        outbox_id, args = store.conn.execute(
            "SELECT id, args FROM outbox WHERE name = 'appointment.book'").fetchone()
        with store.lock:
            store.conn.execute("BEGIN IMMEDIATE")
            store.conn.execute("DELETE FROM task WHERE appointment_id = ?", (mine["id"],))
            store.conn.execute("DELETE FROM appointment_slot WHERE appointment_id = ?", (mine["id"],))
            store.conn.execute("DELETE FROM appointment WHERE id = ?", (mine["id"],))
            store.conn.execute("DELETE FROM undo_log WHERE mutation_id = ?", (outbox_id,))
            store.conn.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
            store.conn.execute(
                "INSERT INTO sync_rejection (mutation_id, name, args, reason, rejected_at) VALUES (?, ?, ?, ?, ?)",
                (outbox_id, "appointment.book@1", args,
                 f"appointment.book@1: {taken.professional_name} is already booked at that time; free then: x.",
                 iso(app.clock.now())))
            store.conn.execute("COMMIT")
        await pilot.press("exclamation_mark")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NeedsAttention)
        offers = screen.alternatives[outbox_id]
        assert len(offers) == 3 and all(p.starts_at >= taken.starts_at for _, p in offers)
        assert "Rebook: 1 " in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, Workspace)
        [rebooked] = _appointments(app)
        chosen = offers[1][1]
        assert rebooked["id"] != mine["id"] and rebooked["status"] == "tentative"
        assert parse_iso(rebooked["starts_at"]) == chosen.starts_at
        assert rebooked["professional_id"] == chosen.professional_id
        assert rebooked["customer_id"] == mine["customer_id"] and rebooked["type_id"] == mine["type_id"]
        assert store.rejections() == []  # dealt with


def _surveyed_call_yesterday(app: AgentDeskApp, agent_id: str, call_id: str) -> str:
    """`agent_id` answered a known customer's call yesterday on their own desk and wrapped it up: the call's id."""
    from agentdesk.clock import FixedClock
    from agentdesk.desks.workstation import open_desks
    from agentdesk.desks.writer import LocalWriter
    from agentdesk.records import IncomingCall

    store = app.store
    customer_id, phone = store.conn.execute(
        "SELECT customer_id, e164 FROM customer_phone WHERE e164 = ?", (WELL_KNOWN,)).fetchone()
    account = next(a for a in store.accounts() if a.id == store.customer(customer_id).account_id)
    yesterday = FixedClock(app.clock.now() - timedelta(days=1))
    writer = LocalWriter(store)
    desks = open_desks(app.settings, store, writer, yesterday, store.agent(agent_id))
    desks.calls.offer(IncomingCall(call_id, phone, account.phone_number, yesterday.now()))
    yesterday.advance(5)
    desks.calls.answer()
    yesterday.advance(180)
    desks.calls.end()
    yesterday.advance(15)
    desks.calls.wrap_up("Solved", "Parcel found.").result(10)
    writer.close()
    return call_id


async def test_another_agent_takes_down_the_customers_rating_of_a_call_and_the_survey_is_done(
    app: AgentDeskApp,
) -> None:
    from textual.widgets import DataTable

    from tests.desks.test_call_survey import call_ids

    store = app.store
    share = app.settings.quality.survey_share
    first, second = (call_ids(share, surveyed=True, skip=n) for n in (0, 1))
    colleague = next(a for a in store.agents() if a.role == "agent" and a.id != app.agent.id
                     and store.conn.execute("SELECT 1 FROM agent_account aa JOIN customer_phone p ON p.e164 = ?"
                                            " JOIN customer c ON c.id = p.customer_id AND c.account_id = aa.account_id"
                                            " WHERE aa.agent_id = ?", (WELL_KNOWN, a.id)).fetchone())
    theirs = _surveyed_call_yesterday(app, colleague.id, first)
    mine = _surveyed_call_yesterday(app, app.agent.id, second)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OutboundWork)
        calls = [task.call_id for task in screen.tasks]
        assert theirs in calls and mine not in calls  # nobody rates their own work
        row = calls.index(theirs)
        assert f"call of {(app.clock.now() - timedelta(days=1)).strftime('%a')}" in screen_text(app)
        assert f"with {colleague.name}" in screen_text(app)
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("3")
        await pilot.press(*"Took two calls")
        await pilot.press("enter")
        await settle(pilot)
        rating = store.conn.execute(
            "SELECT source, score, comment, agent_id FROM rating WHERE interaction_id = ?", (theirs,)).fetchone()
        assert tuple(rating) == ("customer", 3, "Took two calls", colleague.id)
        task = screen.tasks and [t for t in screen.tasks if t.call_id == theirs]
        assert not task, "the survey is done"
        assert store.conn.execute("SELECT status FROM task WHERE interaction_id = ? AND kind = 'survey'",
                                  (theirs,)).fetchone()[0] == "done"
