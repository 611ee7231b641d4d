"""The satisfaction survey by e-mail: its standard text, and reading a customer's answer to it.

The customer answers by replying with a number from 1 (poor) to 5 (excellent) as the first thing they write, and
may add a comment on the lines after it; or by one of the five links in the survey. What a mail program quotes
below (or above) the customer's own words is not theirs and is left out of the comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SURVEY_DAYS = 30
"""A survey's links and replies count for this many days after it is sent; the last answer in that time stands.
A ticket resolved again within them gets no second survey."""
MAX_COMMENT_CHARS = 2000
"""A comment is kept up to this many characters (the rating's own limit)."""
SCORES = (1, 2, 3, 4, 5)
SCORE_WORDS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}

SURVEY_TEMPLATE = (
    "Hello {{ customer_name }},\n\n"
    "Your case {{ case_number }} ({{ subject }}) is resolved. How did we do?\n\n"
    "Reply to this message with a number from 1 (poor) to 5 (excellent) on the first line, and a comment on the "
    "lines below it if you like.{% if survey_links %} Or choose one of these links:\n\n{{ survey_links }}{% endif %}"
    "\n\nThank you,\n{{ account_name }} support"
)
"""The survey a resolved case's customer gets, unless the account has its own (`mail_mailbox.survey`). Its fields
are the acknowledgement's (customer_name, case_number, subject, agent_name, account_name) plus `survey_links`
(the five links, one a line; empty when the backend has no public address) and `survey_days`."""

_ANSWER = re.compile(r"^\s*([1-5])(?![0-9.,]\d)(?:\s*(?:/|out of|of)\s*5)?(?![0-9])[\s.:;,!)\-–—*]*(.*)$",
                     re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"^\s*(on\b.*\bwrote:?|le\b.*\ba écrit\s*:?|am\b.*\bschrieb\b.*|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*forwarded message\s*-{2,}|_{5,}|from:\s.*|sent from my\b.*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Answer:
    """A customer's answer: the score and their own words (possibly empty)."""

    score: int
    comment: str


def links(base_url: str | None, token: str) -> dict[int, str]:
    """The five links of a survey (score → address); none without the backend's public address."""
    if not base_url:
        return {}
    base = base_url.rstrip("/")
    return {score: f"{base}/survey/{token}/{score}" for score in SCORES}


def links_text(found: dict[int, str]) -> str:
    """The links as the survey's text shows them, one a line."""
    return "\n".join(f"{score} ({SCORE_WORDS[score]}): {url}" for score, url in sorted(found.items()))


def own_words(body: str) -> list[str]:
    """The lines the customer wrote themself: up to the first quoted line or the mail program's attribution
    ("On … wrote:", an "Original Message" rule, a forwarded header), quoted lines (`>`) never."""
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip().startswith(">") or _ATTRIBUTION.match(line):
            break
        kept.append(line.rstrip())
    return kept


def read_answer(body: str) -> Answer | None:
    """The score and comment of a reply to the survey, or None when its first line of the customer's own words
    does not start with a number from 1 to 5 (then it is an ordinary message)."""
    lines = own_words(body)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    found = _ANSWER.match(lines[0])
    if found is None:
        return None
    rest = [found.group(2).strip(), *lines[1:]]
    comment = "\n".join(rest).strip()
    comment = re.sub(r"\n{3,}", "\n\n", comment)
    return Answer(int(found.group(1)), comment[:MAX_COMMENT_CHARS])
