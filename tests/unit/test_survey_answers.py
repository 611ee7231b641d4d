"""Reading a customer's answer to the satisfaction survey: the score on the first line of their own words, the
comment after it, and what their mail program quoted left out."""

from __future__ import annotations

import pytest

from agentdesk.domain.survey import Answer, links, links_text, read_answer


@pytest.mark.parametrize(("body", "answer"), [
    ("4\nQuick and kind.\n\n> quoted…", Answer(4, "Quick and kind.")),
    ("\n\n  5/5 great service\r\nthanks\r\n", Answer(5, "great service\nthanks")),
    ("2 - slow\nbut polite\nOn Mon, 1 Dec 2026, Support <support@x.example> wrote:\n> 1 (poor)", Answer(2, "slow\nbut polite")),
    ("3 out of 5.\n-----Original Message-----\nFrom: support", Answer(3, "")),
    ("1", Answer(1, "")),
])
def test_a_reply_that_starts_with_a_score_is_an_answer(body: str, answer: Answer) -> None:
    assert read_answer(body) == answer


@pytest.mark.parametrize("body", ["thanks!", "10", "45 minutes on hold", "3.5", "0", "6", "> 4\n> quoted only", ""])
def test_anything_else_is_not_an_answer(body: str) -> None:
    assert read_answer(body) is None


def test_a_comment_is_kept_up_to_its_limit() -> None:
    found = read_answer("5\n" + "x" * 5000)
    assert found is not None and len(found.comment) == 2000


def test_the_five_links_name_the_token_and_each_score() -> None:
    found = links("https://desk.example.com/", "tok")
    assert found[1] == "https://desk.example.com/survey/tok/1" and sorted(found) == [1, 2, 3, 4, 5]
    assert links_text(found).splitlines()[4] == "5 (excellent): https://desk.example.com/survey/tok/5"
    assert links(None, "tok") == {}
