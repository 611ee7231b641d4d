"""The account's public web form for customers without e-mail: plain HTML pages, and the token each page carries.

The pages need no script and load nothing from anywhere (a Content-Security-Policy that allows no source at all
but the page's own inline style); everything typed or stored is escaped where it is written into the page.

Why a token, and what it does (the form is public: no sign-in, no cookie, no session):
- There is no ambient authority to forge: a browser that posts the form from another site carries nothing that an
  attacker posting it themselves would not have, so the classic CSRF harm (acting with the victim's session) does
  not exist here and SameSite has nothing to protect.
- Each page rendered carries a hidden `form_token`: when it was issued, for which account, a random nonce, signed
  with the backend's own secret (HMAC-SHA256; the secret is made once and kept in the backend's `mail_counter`).
  A post without a token this backend issued for this account within `FORM_TOKEN_HOURS` is shown the form again
  ("please send it again"), so a post must come from a page the backend served lately, not from a hand-made form
  on another site that never loaded ours.
- The token is the message's sender id: sending the same page twice (a double click, a reload of the answer)
  gives the same case number, never a second case.
- `form-action 'self'` and `frame-ancestors 'none'` keep the page from posting elsewhere or being framed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from html import escape

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from agentdesk.server.db import writing
from agentdesk.server.mail.schema import mail_counter

FORM_TOKEN_HOURS = 12
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                               " frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
FIELDS = ("name", "email", "phone", "subject", "message")
LIMITS = {"name": 200, "email": 254, "phone": 64, "subject": 200, "message": 20_000}


def form_secret(engine: Engine) -> bytes:
    """The backend's key for signing form tokens, made on first use."""
    with engine.connect() as conn:
        found = conn.execute(select(mail_counter.c.text_value).where(mail_counter.c.name == "form_secret")).scalar()
    if found is None:
        try:
            with writing(engine) as conn:
                found = conn.execute(select(mail_counter.c.text_value)
                                     .where(mail_counter.c.name == "form_secret")).scalar()
                if found is None:
                    found = secrets.token_hex(32)
                    conn.execute(mail_counter.insert().values(name="form_secret", value=0, text_value=found))
        except IntegrityError:  # another backend process made it at the same moment: theirs is the one
            return form_secret(engine)
    return bytes.fromhex(str(found))


def _signature(secret: bytes, account_id: str, issued: int, nonce: str) -> str:
    return hmac.new(secret, f"{account_id}|{issued}|{nonce}".encode(), hashlib.sha256).hexdigest()


def new_token(secret: bytes, account_id: str, *, now: float | None = None) -> str:
    """A token for one rendered page of `account_id`'s form."""
    issued, nonce = int(now if now is not None else time.time()), secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_signature(secret, account_id, issued, nonce)}"


def token_good(secret: bytes, account_id: str, token: str, *, now: float | None = None) -> bool:
    """True when `token` was issued by this backend for `account_id`'s form within FORM_TOKEN_HOURS."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token) > 200:
        return False
    issued, nonce, signature = int(parts[0]), parts[1], parts[2]
    age = (now if now is not None else time.time()) - issued
    return 0 <= age <= FORM_TOKEN_HOURS * 3600 and hmac.compare_digest(
        signature, _signature(secret, account_id, issued, nonce))


_STYLE = ("body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.4}"
          "label{display:block;margin-top:1em;font-weight:bold}input,textarea{width:100%;box-sizing:border-box;"
          "padding:.4em;font:inherit}textarea{height:10em}.errors{border:2px solid #a00;padding:.5em 1em;color:#700}"
          "button{margin-top:1.5em;padding:.5em 2em;font:inherit}.case{font-size:1.5em;font-weight:bold}")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def form_page(account_name: str, action: str, token: str, values: dict[str, str], errors: list[str]) -> str:
    """The form, with `values` typed before and `errors` in words above it."""
    shown = ""
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        shown = f'<div class="errors" id="errors" role="alert"><p>Please check the form:</p><ul>{items}</ul></div>'

    def field(name: str, label: str, kind: str, extra: str = "") -> str:
        return (f'<label for="{name}">{label}</label><input type="{kind}" id="{name}" name="{name}"'
                f' maxlength="{LIMITS[name]}" value="{escape(values.get(name, ""))}"{extra}>')

    return _page(f"Contact {account_name}", (
        f"<h1>Contact {escape(account_name)}</h1>\n"
        "<p>Write to us here if you do not use e-mail. You get a case number at once; we answer within 6 hours by"
        " e-mail or phone, whichever you give.</p>\n"
        f'{shown}<form method="post" action="{escape(action)}" accept-charset="utf-8">'
        f'<input type="hidden" name="form_token" value="{escape(token)}">'
        + field("name", "Your name", "text", " autocomplete=\"name\"")
        + field("email", "E-mail (or give a phone number)", "email", " autocomplete=\"email\"")
        + field("phone", "Phone (or give an e-mail)", "tel", " autocomplete=\"tel\"")
        + field("subject", "Subject", "text")
        + f'<label for="message">Your message</label><textarea id="message" name="message"'
          f' maxlength="{LIMITS["message"]}">{escape(values.get("message", ""))}</textarea>'
        + '<button type="submit" id="send">Send</button></form>'))


def thanks_page(account_name: str, case_number: str, new: bool) -> str:
    """What the customer sees once the message is taken: its case number."""
    said = "Your message has been received." if new else "Your message has been added to your case."
    return _page(f"Message received - {account_name}", (
        f"<h1>Thank you</h1>\n<p>{said}</p>\n"
        f'<p>Your case number is <span class="case" id="case-number">{escape(case_number)}</span>.</p>\n'
        f"<p>Please quote it when you contact {escape(account_name)} about this again.</p>"))


def notice_page(title: str, words: str) -> str:
    """A page that only says something (no such form, a message too long)."""
    return _page(title, f"<h1>{escape(title)}</h1>\n<p>{escape(words)}</p>")


def missing_page() -> str:
    """The answer for a form of no account."""
    return notice_page("No such form", "There is no contact form at this address.")
