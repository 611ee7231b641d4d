"""The rules of booking: quarter-hour units and buffers, wall-clock working hours across daylight-saving
changes (New York and London), the caller's preferences in the caller's own time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agentdesk.domain import booking
from agentdesk.domain.booking import Hours, Preferences

NEW_YORK = booking.zone("America/New_York")
LONDON = booking.zone("Europe/London")
NINE_TO_FIVE = [Hours(weekday, 9 * 60, 17 * 60) for weekday in range(7)]


def test_a_booking_holds_its_length_and_then_its_buffer_in_quarter_hours() -> None:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    units = booking.held_units(start, 60, 30)
    assert units == [f"2026-11-24T{h}:00.000000Z" for h in
                     ("14:00", "14:15", "14:30", "14:45", "15:00", "15:15")]
    assert booking.held_units(start, 45, 0)[-1] == "2026-11-24T14:30:00.000000Z"


def test_times_round_up_to_the_next_quarter_hour() -> None:
    assert booking.ceil_unit(datetime(2026, 11, 24, 9, 1, tzinfo=UTC)) == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert booking.ceil_unit(datetime(2026, 11, 24, 9, 15, tzinfo=UTC)) == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert not booking.is_unit_start(datetime(2026, 11, 24, 9, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("zone", "before", "after", "utc_before", "utc_after"),
    [
        # New York leaves summer time on 1 November 2026 and enters it on 14 March 2027.
        (NEW_YORK, date(2026, 10, 30), date(2026, 11, 2), 13, 14),
        (NEW_YORK, date(2027, 3, 12), date(2027, 3, 15), 14, 13),
        # London leaves summer time on 25 October 2026 and enters it on 28 March 2027.
        (LONDON, date(2026, 10, 23), date(2026, 10, 26), 8, 9),
        (LONDON, date(2027, 3, 26), date(2027, 3, 29), 9, 8),
    ],
    ids=["new-york-autumn", "new-york-spring", "london-autumn", "london-spring"],
)
def test_nine_oclock_stays_nine_oclock_across_the_change(
    zone: booking.ZoneInfo, before: date, after: date, utc_before: int, utc_after: int
) -> None:
    assert booking.working_spans(before, NINE_TO_FIVE, zone)[0][0].hour == utc_before
    assert booking.working_spans(after, NINE_TO_FIVE, zone)[0][0].hour == utc_after
    for day in (before, after):
        start, end = booking.working_spans(day, NINE_TO_FIVE, zone)[0]
        assert end - start == timedelta(hours=8)
        assert start.astimezone(zone).hour == 9 and end.astimezone(zone).hour == 17


def test_on_the_day_of_the_change_a_span_over_it_is_an_hour_longer_or_shorter() -> None:
    night = [Hours(6, 0, 6 * 60)]  # Sunday 00:00-06:00 local
    autumn = booking.working_spans(date(2026, 11, 1), night, NEW_YORK)[0]
    spring = booking.working_spans(date(2027, 3, 14), night, NEW_YORK)[0]
    assert autumn[1] - autumn[0] == timedelta(hours=7)
    assert spring[1] - spring[0] == timedelta(hours=5)


def test_a_wall_time_skipped_in_spring_lands_after_the_gap() -> None:
    moment = booking.wall_to_utc(date(2027, 3, 14), 2 * 60 + 30, NEW_YORK)  # 02:30 does not exist that night
    assert moment.astimezone(NEW_YORK).hour == 3


def test_within_hours_accepts_the_span_and_refuses_outside_it() -> None:
    monday = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 9:00 in New York
    assert booking.within_hours(monday, monday + timedelta(hours=1), NINE_TO_FIVE, NEW_YORK)
    assert not booking.within_hours(monday - timedelta(minutes=30), monday + timedelta(minutes=30),
                                    NINE_TO_FIVE, NEW_YORK)
    late = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 16:30 to 17:30
    assert not booking.within_hours(late, late + timedelta(hours=1), NINE_TO_FIVE, NEW_YORK)
    assert not booking.within_hours(monday, monday + timedelta(hours=1), [Hours(1, 540, 1020)], NEW_YORK)


def test_preferences_are_read_on_the_callers_clock() -> None:
    start = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # Tuesday: noon in New York, 17:00 in London
    morning = Preferences(day_parts=frozenset({"morning"}))
    assert not booking.fits_preferences(start, NEW_YORK, morning)
    assert booking.fits_preferences(start, NEW_YORK, Preferences(day_parts=frozenset({"afternoon"})))
    assert booking.fits_preferences(start, LONDON, Preferences(day_parts=frozenset({"evening"})))
    late_monday = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Monday 22:00 in New York, Tuesday 03:00 UTC
    assert booking.fits_preferences(late_monday, NEW_YORK, Preferences(weekdays=frozenset({0})))
    assert not booking.fits_preferences(late_monday, NEW_YORK, Preferences(weekdays=frozenset({1})))


def test_days_are_read_from_words_and_a_wrong_word_is_named() -> None:
    assert booking.parse_weekdays("Mon, wed") == {0, 2}
    assert booking.parse_weekdays("weekdays") == set(range(5))
    assert booking.parse_weekdays("weekend sat") == {5, 6}
    with pytest.raises(ValueError, match="'someday' is not a day"):
        booking.parse_weekdays("mon someday")


def test_what_is_read_back_and_the_reference() -> None:
    start = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    assert booking.spoken_time(start, NEW_YORK) == "Tuesday 24 November, 9:30 am"
    assert booking.spoken_time(start, LONDON) == "Tuesday 24 November, 2:30 pm"
    assert booking.zone_label(NEW_YORK, start) == "EST"
    assert booking.reference("5e1f0c2a-0000-4000-8000-000000000001") == "AP-5E1F0C2A"


def test_a_clock_time_in_the_callers_wishes_is_read_as_its_time_of_day() -> None:
    from agentdesk.domain.booking import day_part_of, parse_preferences

    assert day_part_of("10am") == "morning" and day_part_of("9") == "morning"
    assert day_part_of("3pm") == "afternoon" and day_part_of("3") == "afternoon" and day_part_of("14:30") == "afternoon"
    assert day_part_of("7pm") == "evening" and day_part_of("monday") is None
    assert parse_preferences("tue at 10am", {"en"}, set()).day_parts == {"morning"}
    with pytest.raises(ValueError, match="outside the hours we book"):
        parse_preferences("11pm", {"en"}, set())
