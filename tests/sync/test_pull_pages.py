"""Pulls served from the backend's shared row cache carry every row, whatever the cache does meanwhile."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from agentdesk.server import sync as engine_sync
from agentdesk.server.admin import ensure_admin


@pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
def test_a_page_bigger_than_the_row_cache_reads_no_row_as_deleted(
    backend_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared cache is bounded and cleared when full; a first pull of thousands of rows must still send
    each of them (a row missing from the answer would make the terminal treat it as deleted)."""
    monkeypatch.setattr(engine_sync._RowCache, "MAX_ROWS", 50)
    admin = engine_sync.Caller(ensure_admin(backend_engine), "admin", None)
    with backend_engine.connect() as conn:
        customers = conn.execute(text("SELECT count(*) FROM customer")).scalar()
    sent: dict[str, int] = {}
    cookie, epoch, more = None, None, True
    while more:
        page = engine_sync.pull(backend_engine, admin, "page-test", cookie, epoch, page_rows=400)
        assert not [c for c in page.changes if c.get("deleted")], "a live row was sent as deleted"
        for change in page.changes:
            sent[change["table"]] = sent.get(change["table"], 0) + 1
        answer = json.loads(page.encode())  # what the terminal receives, from the shared ready-made encodings
        assert answer["changes"] == json.loads(json.dumps(page.changes, default=str))
        assert (answer["cookie"], answer["more"], answer["reset"]) == (page.cookie, page.more, cookie is None)
        cookie, epoch, more = page.cookie, page.epoch, page.more
    assert sent["customer"] == customers
    # And twice over, now partly from the cache: the same rows again.
    again = engine_sync.pull(backend_engine, admin, "page-test-2", None, None, page_rows=400)
    assert not [c for c in again.changes if c.get("deleted")]
