"""`agentdesk report`: the known day's figures, on a local store and on the backend (SQLite and PostgreSQL), in
text, CSV and HTML."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentdesk.cli import main
from tests.reporting import known_day


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def csv_figures(text: str) -> tuple[dict[str, str], dict[tuple[str, str], str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "name", "value", "detail"]
    figures = {r[1]: r[2] for r in rows[1:] if r[0] == "figure"}
    hours = {(r[0], r[1]): r[2] for r in rows[1:] if r[0].startswith("hour ")}
    return figures, hours, [r for r in rows[1:] if r[0] == "rating"]


def check_known_day(text: str) -> None:
    figures, hours, ratings = csv_figures(text)
    assert "calls_waiting" not in figures  # shown only when a call never ended
    for key, expected in known_day.EXPECTED.items():
        if key != "calls_waiting":
            assert float(figures[key]) == pytest.approx(expected), key
    assert figures["rating_customer"] == "4.0"  # the appointments' 4 and 5, and a call's 3
    assert figures["rating_quality"] == "4.0"  # 3 and 5 given that day; the 1 of the day before is not counted
    for hour, (offered, answered, abandoned, within) in known_day.EXPECTED_HOURS.items():
        section = f"hour {hour:02d}"
        assert (hours[(section, "offered")], hours[(section, "answered")], hours[(section, "abandoned")],
                hours[(section, "within_target")]) == (str(offered), str(answered), str(abandoned), str(within))
    assert sum(int(v) for (s, n), v in hours.items() if n == "offered") == known_day.EXPECTED["calls_offered"]
    assert [(r[1], r[2]) for r in ratings] == [("customer", "4"), ("customer", "5"), ("quality", "3"),
                                               ("quality", "5"), ("customer", "3")]


def test_the_known_day_from_a_local_store(known_store: Path) -> None:
    code, out, err = run("report", "--account", "Known", "--date", known_day.DAY.isoformat(), "--format", "csv",
                         "--store", str(known_store))
    assert code == 0, err
    check_known_day(out)


def test_the_known_day_from_the_backend_database(known_database: str) -> None:
    code, out, err = run("report", "--account", known_day.ACCOUNT, "--date", known_day.DAY.isoformat(), "--format",
                         "csv", "--database", known_database)
    assert code == 0, err
    check_known_day(out)


def test_the_text_report_reads_as_the_client_expects(known_store: Path) -> None:
    code, out, err = run("report", "--date", known_day.DAY.isoformat(), "--store", str(known_store))
    assert code == 0, err
    assert out.startswith("Daily report: Known Outfitters, Tuesday 2026-11-24 (America/New_York)")
    assert "Cost of service " in out and "$24.19 for 20.5 billable minutes" in out
    assert "75.0 %" in out and "60.0 %" in out  # the service level both ways
    assert "Average speed of answer (ASA) " in out and "13.0 s" in out
    assert "Average time to resolution " in out and "14 h 00 min" in out
    assert "Average rating by quality control " in out and "4.00 of 5 (2 rated)" in out
    assert "4.00 of 5 (3 rated)" in out  # customers: two appointments and a call
    chart = out[out.index("by hour"):out.index("Rated interactions")]
    lines = chart.splitlines()
    assert lines[1].startswith(" ┌") and lines[2].startswith("2┤")  # the busiest hour's 2 calls top the scale
    assert "├100" in lines[2] and "o" in lines[2]  # its levels are points on a 0-100 % scale
    assert max(len(line) for line in lines) <= 80  # fits a terminal of 80 columns
    assert "09:00      2  50.0 %" in chart and "10:00      1  0.0 %" in chart
    assert "<script>" in out  # a customer's comment is shown as written, not as markup, in a terminal
    assert "\x1b" not in out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.values: dict[str, str] = {}
        self._key: str | None = None
        self.bars: dict[int, int] = {}
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self._key = found.get("data-key")
        if tag == "rect" and found.get("class") == "calls":
            self.bars[int(found["data-hour"] or 0)] = int(found["data-calls"] or 0)
        for name in ("src", "href"):
            if found.get(name):
                self.remote.append(str(found[name]))

    def handle_data(self, data: str) -> None:
        if self._key:
            self.values[self._key] = data
            self._key = None


def test_the_html_report_is_self_contained_escaped_and_parses(known_store: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "reports"
    code, _, err = run("report", "--account", "Known", "--date", known_day.DAY.isoformat(), "--format", "html",
                       "--out", str(out_dir), "--store", str(known_store))
    assert code == 0, err
    page_file = out_dir / f"report-{known_day.ACCOUNT}-{known_day.DAY.isoformat()}.html"
    assert f"Wrote {page_file}" in err
    html = page_file.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    page.close()
    assert "svg" in page.tags and "script" not in page.tags
    assert page.remote == []  # nothing fetched from anywhere
    assert page.bars == {h: v[0] for h, v in known_day.EXPECTED_HOURS.items()}
    assert page.values["calls_offered"].startswith("5")
    assert page.values["service_level_of_offered"] == "60.0 %"
    assert page.values["cost_cents"].startswith("$24.19")
    assert "Helpful &lt;script&gt;" in html and "Dana &amp; Reyes" in html


def test_bad_input_is_refused_in_a_sentence(known_store: Path) -> None:
    code, _, err = run("report", "--date", "24/11/2026", "--store", str(known_store))
    assert code == 2 and "--date must be a date like 2026-11-24" in err
    code, _, err = run("report", "--account", "Nobody", "--store", str(known_store))
    assert code == 2 and "No account is called 'Nobody'" in err
    code, _, err = run("report", "--store", str(known_store), "--database", "x.db")
    assert code == 2 and "either --database or --store" in err
    code, _, err = run("report", "--database", str(known_store.with_name("missing.db")))
    assert code == 1 and "There is no backend database at" in err
