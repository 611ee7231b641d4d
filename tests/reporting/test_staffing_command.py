"""`agentdesk staffing`: the published case on the command line, bad input, and staffing from four past weekdays."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from agentdesk.cli import main
from agentdesk.domain.sla import ServiceLevel
from agentdesk.domain.staffing import Workload, agents_needed
from tests.reporting import known_day


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_published_case_on_the_command_line() -> None:
    code, out, _ = run("staffing", "--calls-per-hour", "200", "--aht", "180", "--target", "80/20", "--agents", "14",
                       "--shrinkage", "0.3")
    assert code == 0
    assert "10.00 Erlangs" in out
    assert "Agents needed: 14; to schedule with 30% shrinkage: 20." in out
    assert "Probability of waiting  0.1741" in out
    assert "Service level           88.84 % within 20 s" in out
    assert "ASA                     7.84 s" in out
    assert "Occupancy               71.4 %" in out


def test_json_gives_the_figures_for_the_agents_asked() -> None:
    code, out, _ = run("staffing", "--calls-per-hour", "200", "--aht", "180", "--agents", "13", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["agents_needed"] == 14
    assert figures["figures"]["agents"] == 13
    assert round(figures["figures"]["service_level"], 4) == 0.7956  # 13 agents miss 80/20
    too_few = json.loads(run("staffing", "--calls-per-hour", "200", "--aht", "180", "--agents", "9", "--json")[1])
    assert too_few["figures"]["asa_seconds"] is None  # the queue never empties: no finite answer time


def test_bad_input_is_one_sentence_and_exit_code_2() -> None:
    cases = [
        (["--calls-per-hour", "200", "--aht", "180", "--target", "80/x"], "is not a service level"),
        (["--calls-per-hour", "200", "--aht", "0"], "average handle time must be more than 0 s"),
        (["--calls-per-hour", "-5", "--aht", "180"], "Calls per hour must be 0 or more"),
        (["--calls-per-hour", "200", "--aht", "180", "--shrinkage", "1.2"], "Shrinkage must be a share"),
        (["--aht", "180"], "Give --calls-per-hour and --aht"),
        (["--from-history"], "needs both --account A and --from-history"),
        (["--account", "A", "--from-history", "--agents", "3"], "do not go with --from-history"),
    ]
    for args, sentence in cases:
        code, out, err = run("staffing", *args)
        assert code == 2, args
        assert sentence in err, (args, err)
        assert "Traceback" not in out + err


def test_from_history_averages_the_last_four_same_weekdays(known_store: Path) -> None:
    staffed_day = known_day.DAY + timedelta(weeks=4)
    code, out, err = run("staffing", "--account", "Known", "--from-history", "--date", staffed_day.isoformat(),
                         "--store", str(known_store), "--json")
    assert code == 0, err
    forecast = json.loads(out)
    assert forecast["history"][-1] == known_day.DAY.isoformat()
    assert forecast["days_with_calls"] == 4
    hours = {h["hour"]: h for h in forecast["hours"]}
    busy = hours[known_day.BUSY_HOUR]
    # 3 x 75 calls in that hour over four Tuesdays; each handled 170 s + 10 s of wrap-up.
    assert busy["calls_per_hour"] == 3 * known_day.BUSY_CALLS / 4
    assert busy["aht_seconds"] == 180.0
    expected = agents_needed(Workload(3 * known_day.BUSY_CALLS / 4, 180), ServiceLevel(80, 20)).agents
    assert busy["agents_needed"] == expected == 5  # 2.81 Erlangs: 4 agents reach 62 %, 5 reach 84.9 %
    assert hours[9]["calls_per_hour"] == 0.5 and hours[9]["aht_seconds"] == 255.0
    assert hours[10]["agents_needed"] == 1  # one abandoned call: staffed at the four days' handle time
    assert {h for h, v in hours.items() if v["agents_needed"]} == {0, 9, 10, 11, known_day.BUSY_HOUR}


def test_from_history_reads_the_backend_database_too(known_database: str) -> None:
    staffed_day = known_day.DAY + timedelta(weeks=4)
    code, out, err = run("staffing", "--account", known_day.ACCOUNT, "--from-history", "--date",
                         staffed_day.isoformat(), "--database", known_database, "--target", "90/20")
    assert code == 0, err
    assert "Known Outfitters: agents needed on Tuesday 2026-12-22 (America/New_York), target 90/20" in out
    expected = agents_needed(Workload(56.25, 180), ServiceLevel(90, 20)).agents
    assert f"14:00    56.25     180{expected:>8}" in out


def test_an_unknown_account_is_named_with_the_choices(known_store: Path) -> None:
    code, _, err = run("staffing", "--account", "Nobody", "--from-history", "--store", str(known_store))
    assert code == 2
    assert "No account is called 'Nobody'; the accounts are: Known Outfitters." in err
