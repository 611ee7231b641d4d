"""The monitor's reads of the daily reports the backend keeps: an account's kept days, and one day's text."""

from __future__ import annotations

from datetime import date

import httpx

KEPT_DAYS = 366
"""How many kept days the monitor reads at once (a year; newest first)."""


class ReportUnavailable(Exception):
    """The report cannot be read; the message is the sentence to show."""


async def _get(client: httpx.AsyncClient | None, path: str, params: dict[str, str | int]) -> httpx.Response:
    if client is None:
        raise ReportUnavailable("Not connected to a backend yet.")
    try:
        answer = await client.get(path, params=params, timeout=30)
    except httpx.HTTPError as error:
        raise ReportUnavailable(f"The backend did not answer ({type(error).__name__}); try again.") from None
    if answer.status_code != 200:
        try:
            detail = str(answer.json().get("detail") or "")
        except (ValueError, AttributeError):
            detail = ""
        raise ReportUnavailable(detail[:200] or f"The backend refused ({answer.status_code}).")
    return answer


async def kept_days(client: httpx.AsyncClient | None, account_id: str) -> list[date]:
    """The account's kept report days, newest first."""
    answer = await _get(client, "/reports", {"account": account_id, "limit": KEPT_DAYS})
    try:
        return [date.fromisoformat(str(d["day"])) for d in answer.json()["days"]]
    except (ValueError, KeyError, TypeError):
        raise ReportUnavailable("The backend's answer could not be read.") from None


async def report_text(client: httpx.AsyncClient | None, account_id: str, day: date) -> str:
    """The text form of the account's kept report of `day`."""
    return (await _get(client, f"/reports/{account_id}/{day.isoformat()}", {"format": "text"})).text
