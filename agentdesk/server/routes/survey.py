"""The satisfaction survey's links, for customers: no sign-in (the token in the link is the key), plain HTML with
no script and no remote content.

`GET /survey/<token>/<score>` records the score (1-5) as the customer's rating of the reply and thanks them, with a
form to add a comment (`POST` to the same address, at most `MAX_FORM_BYTES`); clicking another link within the
survey's days replaces the score. An unknown or expired token is a 404 page in words, a score that is not 1 to 5 a
422 page. Nothing the customer wrote is ever put back into the page.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from agentdesk.domain.survey import MAX_COMMENT_CHARS, SCORE_WORDS
from agentdesk.server.deps import EngineDep
from agentdesk.server.mail.survey import record_by_link

router = APIRouter(include_in_schema=False)

MAX_FORM_BYTES = 16 * 1024
"""The comment form's body at most (a comment is at most `MAX_COMMENT_CHARS` characters)."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never handed to another site
    "Cache-Control": "no-store",
}
_STYLE = ("body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5}"
          "textarea{width:100%}")


def _page(title: str, words: str, status: int, form: bool = False) -> HTMLResponse:
    """A whole page; `title` and `words` are the desk's own sentences (escaped all the same)."""
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(words)}</p>"
    if form:
        body += (f'<form method="post"><p><label for="comment">Anything you would like to add? (at most '
                 f"{MAX_COMMENT_CHARS:,} characters)</label></p>"
                 f'<p><textarea id="comment" name="comment" rows="6" maxlength="{MAX_COMMENT_CHARS}"></textarea></p>'
                 '<p><button type="submit">Send the comment</button></p></form>')
    document = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style>'
                f"</head><body>{body}</body></html>")
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def _unknown() -> HTMLResponse:
    return _page("This survey link is not valid", "The link is unknown or its time to answer is over (a survey counts "
                 "for 30 days). Thank you all the same: you can still reply to our e-mail.", 404)


def _score(value: str) -> int | None:
    return int(value) if value in ("1", "2", "3", "4", "5") else None


async def _answer(engine: EngineDep, token: str, score_text: str, comment: str | None) -> HTMLResponse:
    if not _TOKEN.fullmatch(token):
        return _unknown()
    score = _score(score_text)
    if score is None:
        return _page("That is not a score", "A score is a whole number from 1 (poor) to 5 (excellent): use one of the "
                     "five links in our e-mail.", 422)
    recorded = await run_in_threadpool(record_by_link, engine, token, score, comment, datetime.now(UTC))
    if recorded is None:
        return _unknown()
    if not recorded:
        return _page("Your answer could not be recorded", "Something on our side keeps your answer from being "
                     "recorded just now; please reply to our e-mail with your score instead.", 409)
    if comment is not None:
        return _page("Thank you", "Your comment is with us. Thank you for taking the time.", 200)
    return _page("Thank you", f"You rated us {score} out of 5 ({SCORE_WORDS[score]}). If you change your mind, "
                 "another link in our e-mail replaces this score.", 200, form=True)


# The handlers keep no docstring: FastAPI would publish it as the operation's description.
@router.get("/survey/{token}/{score}")
async def survey_link(engine: EngineDep, token: str, score: str) -> HTMLResponse:
    return await _answer(engine, token, score, None)


@router.post("/survey/{token}/{score}")
async def survey_comment(engine: EngineDep, request: Request, token: str, score: str) -> HTMLResponse:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return _page("That comment is too long", f"A comment is at most {MAX_COMMENT_CHARS:,} characters; "
                         "please shorten it and send it again.", 413)
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=5)
    except (UnicodeDecodeError, ValueError):
        fields = {}
    comment = (fields.get("comment") or [""])[0]
    if len(comment) > MAX_COMMENT_CHARS:
        return _page("That comment is too long", f"A comment is at most {MAX_COMMENT_CHARS:,} characters; please "
                     "shorten it and send it again.", 422)
    return await _answer(engine, token, score, comment)
