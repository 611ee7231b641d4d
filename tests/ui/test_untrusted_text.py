"""Customer text is shown as text: no escape sequence reaches the screen and no markup runs."""

from __future__ import annotations

from agentdesk.clock import iso
from screens.app import AgentDeskApp
from tests.desk import settle
from widgets import CustomerHistory

HOSTILE_NAME = "Eve [@click=app.quit]Click me[/] \x1b]52;c;ZXZpbA==\x07Mallory \x1b[2J\u202eevil"


async def test_hostile_name_and_comment_are_shown_safely(app: AgentDeskApp) -> None:
    account = app.store.accounts()[0]
    app.store.mutate(
        "customer.create@1",
        {
            "customer_id": "11111111-1111-4111-8111-111111111111",
            "account_id": account.id,
            "name": HOSTILE_NAME,
            "phone": "+12125550142",
            "email": None,
            "language": "en",
            "created_at": iso(app.clock.now()),
        },
    )
    app.store.mutate(
        "comment.add@1",
        {
            "comment_id": "22222222-2222-4222-8222-222222222222",
            "account_id": account.id,
            "customer_id": "11111111-1111-4111-8111-111111111111",
            "agent_id": app.agent.id,
            "body": "see \x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\ [bold]not bold[/bold] [/",
            "created_at": iso(app.clock.now()),
        },
    )
    async with app.run_test(size=(120, 35)) as pilot:
        app.screen.open_customer("11111111-1111-4111-8111-111111111111")
        await settle(pilot)
        history = app.screen.query_one(CustomerHistory)
        assert history.view.customer.name == HOSTILE_NAME  # stored raw, as evidence
        screen_text = app.export_screenshot()
        assert "\x1b]52" not in screen_text and "\x1b]8;;http://evil" not in screen_text
        assert "[@click=app.quit]Click me[/]" in screen_text.replace("&#160;", " ")
        card = str(history.query_one("#card").render())
        assert "\x1b" not in card and "\u202e" not in card
        assert "[@click=app.quit]" in card
        entry = str(history.query_one("#entry").render())
        assert "[bold]not bold[/bold] [/" in entry and "\x1b" not in entry
        await pilot.click("#card")
        await settle(pilot)
        assert app.is_running  # the markup in the name did not quit the app


async def test_a_notice_that_carries_a_customers_name_shows_its_brackets_as_written(app: AgentDeskApp) -> None:
    """Notices often name the customer ("Case … saved. Read this number to <name>"): a name written as markup is
    shown as written from any screen's notify, never read as a style or a terminal hyperlink."""
    from tests.desk import screen_text

    name = "[bold]Eve[/bold] [link=http://evil.example]here[/link]"
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        app.screen.notify(name, title="Read this number to", timeout=30)  # one line of the notice: the name
        await pilot.pause(0.3)  # a notice is mounted on the next refresh
        shown = screen_text(app)
        flat = shown.replace(" ", "")  # the screenshot's text comes in runs split at style changes
        assert "Readthisnumberto" in flat
        assert "[bold]Eve[/bold]" in flat and "[link=http://evil.example]here[/link]" in flat
