"""Links inside FAQ answers: `[[faq:<id>|label]]`, `[[script:<name>|label]]`, `[[article:<name>|label]]`.

Answers are written by people, so a link that is not well formed is shown as the text it is rather than
dropped or guessed at.
"""

from __future__ import annotations

import re

from agentdesk.records import FaqLink

LINK_KINDS = ("faq", "script", "article")

# The target is one word (no spaces, bars or brackets); the label is anything on one line but brackets.
_LINK = re.compile(r"\[\[(faq|script|article):([^\s|\[\]]+)\|([^\[\]\n]*[^\s\[\]][^\[\]\n]*)\]\]")


def parse_answer(body: str) -> list[str | FaqLink]:
    """The answer as its text segments and links, in order; no segment is empty."""
    parts: list[str | FaqLink] = []
    position = 0
    for match in _LINK.finditer(body):
        if match.start() > position:
            parts.append(body[position : match.start()])
        parts.append(FaqLink(label=match[3].strip(), target=f"{match[1]}:{match[2]}"))
        position = match.end()
    if position < len(body):
        parts.append(body[position:])
    return parts


def answer_links(body: str) -> list[FaqLink]:
    """The links of an answer, in the order they appear."""
    return [part for part in parse_answer(body) if isinstance(part, FaqLink)]


SCRIPT_CATEGORY = "script:"
"""The category prefix that marks an FAQ article as one of its account's call scripts (`script:booking`): no rank,
left out of search and its facets, opened by `[[script:<name>|label]]` links and the desk's scripts key."""


def link_script(link: FaqLink) -> str | None:
    """The script a link opens (its name), or None."""
    kind, _, name = link.target.partition(":")
    return name if kind == "script" and name else None


def link_faq_id(link: FaqLink) -> str | None:
    """The FAQ a link opens, or None when it leads to a script or an article."""
    kind, _, name = link.target.partition(":")
    return name if kind == "faq" and name else None
