"""The kept daily reports over HTTP, on a real backend on loopback: a supervisor reads their accounts' reports in
each form, page by page; an account they do not watch is as unknown as one that does not exist; agents are
refused; bad input is a 422."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from agentdesk.server.admin import ensure_admin
from agentdesk.server.app import create_app
from agentdesk.server.daily_reports import produce_due_reports
from tests.sync.conftest import Backend, _free_port

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _client(backend: Backend, agent_id: str) -> httpx.Client:
    return httpx.Client(base_url=backend.url, headers={"Authorization": f"Bearer {backend.token(agent_id)}"},
                        timeout=30)


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_supervisor_reads_the_kept_reports_of_their_accounts(backend: Backend) -> None:
    supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
    watched, other = backend.accounts_of(supervisor)[:2]
    with backend.engine.begin() as conn:  # the supervisor stops watching one account
        conn.exec_driver_sql(f"DELETE FROM agent_account WHERE agent_id = '{supervisor}' AND account_id = '{other}'")
    produce_due_reports(backend.engine, NOW.replace(day=1))
    produce_due_reports(backend.engine, NOW)  # catches up the 1st and the 2nd: three days kept
    name = str(backend.scalar("SELECT name FROM account WHERE id = :a", a=watched))

    with _client(backend, supervisor) as http:
        first = http.get("/reports", params={"account": watched, "limit": 2})
        assert first.status_code == 200, first.text
        days = [d["day"] for d in first.json()["days"]]
        assert len(days) == 2 and days == sorted(days, reverse=True) and first.json()["more"] is True
        rest = http.get("/reports", params={"account": watched, "limit": 2, "before": days[-1]}).json()
        assert len(rest["days"]) == 1 and rest["more"] is False and rest["days"][0]["day"] < days[-1]

        page = http.get(f"/reports/{watched}/{days[0]}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
        assert page.text.startswith(f"Daily report: {name}, ") and days[0] in page.text.splitlines()[0]
        csv_page = http.get(f"/reports/{watched}/{days[0]}", params={"format": "csv"})
        assert csv_page.headers["content-type"].startswith("text/csv") and csv_page.text.startswith("section,")
        html = http.get(f"/reports/{watched}/{days[0]}", params={"format": "html"})
        assert html.headers["content-type"].startswith("text/html") and "<svg" in html.text

        # an account the supervisor does not watch answers as one that does not exist
        for path in (f"/reports/{other}/{days[0]}", "/reports/no-such-account/2026-12-02"):
            assert http.get(path).status_code == 404
        assert http.get("/reports", params={"account": other}).status_code == 404
        assert http.get(f"/reports/{watched}/2026-01-01").status_code == 404  # a day with no report kept
        for bad in (f"/reports/{watched}/2026-13-01", f"/reports/{watched}/yesterday",
                    f"/reports/{watched}/{days[0]}?format=pdf", "/reports?account=" + "x" * 65,
                    f"/reports?account={watched}&limit=0", f"/reports?account={watched}&limit=100000",
                    "/reports", f"/reports/bad%20id/{days[0]}"):
            assert http.get(bad).status_code == 422, bad

    agent_id, accounts = backend.agent_with_accounts(2)
    with _client(backend, agent_id) as http:  # even for an account the agent works for
        assert http.get("/reports", params={"account": accounts[0]}).status_code == 403
        assert http.get(f"/reports/{accounts[0]}/{days[0]}").status_code == 403

    with _client(backend, ensure_admin(backend.engine)) as http:  # an admin reads every account
        assert http.get(f"/reports/{other}/{days[0]}").status_code == 200


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_backend_serving_with_its_jobs_keeps_yesterdays_report_on_start(backend_engine: Engine) -> None:
    """The backend's own clock work: started on a database with no report kept, it keeps every account's
    yesterday (by the real clock) without anyone asking."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(backend_engine, jobs=True), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    backend = Backend(backend_engine, f"http://127.0.0.1:{port}")
    try:
        supervisor = str(backend.scalar("SELECT id FROM agent WHERE role = 'supervisor' ORDER BY id"))
        account = backend.accounts_of(supervisor)[0]
        deadline = time.monotonic() + 60
        with _client(backend, supervisor) as http:
            while not (kept := http.get("/reports", params={"account": account}).json().get("days")):
                assert time.monotonic() < deadline, "no report was kept"
                time.sleep(0.2)
        zone = ZoneInfo(str(backend.scalar("SELECT time_zone FROM account WHERE id = :a", a=account)))
        yesterdays = {(datetime.now(zone) - timedelta(days=d)).date().isoformat() for d in (1, 2)}  # across a midnight
        assert len(kept) == 1 and kept[0]["day"] in yesterdays
    finally:
        server.should_exit = True
        thread.join(10)
