"""HTML mail as plain text a person can read safely: no markup, no remote content, links as text with their domain.

A customer's HTML is untrusted (HARDENING.md): nothing of it is ever rendered. The parser below keeps only the
words, turns block elements into line breaks, drops scripts, styles and everything inside `<head>`, never fetches
an image (an image becomes its alt text, if any), and writes a link as `text (domain)` so an agent sees where it
would lead without being able to follow it by accident.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "div", "dl", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
})
_LINES = frozenset({"br", "li", "tr", "dt", "dd"})
"""Elements that start a line (blocks also end one, so paragraphs are apart)."""
_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def link_domain(href: str) -> str | None:
    """The host a link points at (`example.com`), or None for a link without one (`mailto:`, an anchor)."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    if parts.scheme.lower() == "mailto":
        return None
    host = parts.hostname or ""
    return host.lower() or None


class _TextOnly(HTMLParser):
    """Collects the words of an HTML document; keeps nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str | None, int]] = []  # (domain, where the link's words start)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag in _BLOCKS or tag in _LINES:
            self.pieces.append("\n")
        if tag == "li":
            self.pieces.append("- ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((link_domain(href), len(self.pieces)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.pieces.append(f"[image: {alt}]")
        elif tag in ("td", "th"):
            self.pieces.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self.skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag == "a" and self.links:
            domain, start = self.links.pop()
            words = "".join(self.pieces[start:]).strip()
            if domain and domain not in words.lower():
                self.pieces.append(f" ({domain})")
        if tag in _BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(data)


def html_to_text(markup: str) -> str:
    """The readable words of `markup`, with paragraphs as blank-line-separated lines and links as
    `words (domain)`; never raises (a broken document gives whatever words it has)."""
    parser = _TextOnly()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # the standard parser is lenient; anything it still chokes on leaves the words so far
        pass
    text = html.unescape("".join(parser.pieces)) if "&" in "".join(parser.pieces) else "".join(parser.pieces)
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
