"""Links inside FAQ answers: to other FAQs, to scripts and to articles."""

from __future__ import annotations

from agentdesk.domain.faq import answer_links, link_faq_id, parse_answer
from agentdesk.records import FaqLink


def test_an_answer_is_split_into_text_and_links_in_order() -> None:
    body = "Refunds: see [[faq:f-12|Returns policy]], then read [[script:refund|the refund script]]."
    assert parse_answer(body) == [
        "Refunds: see ",
        FaqLink("Returns policy", "faq:f-12"),
        ", then read ",
        FaqLink("the refund script", "script:refund"),
        ".",
    ]


def test_an_answer_without_links_is_one_text() -> None:
    assert parse_answer("Just text [not a link].") == ["Just text [not a link]."]
    assert parse_answer("") == []


def test_a_link_at_the_start_or_the_end_leaves_no_empty_text() -> None:
    assert parse_answer("[[article:warranty|Warranty]]") == [FaqLink("Warranty", "article:warranty")]


def test_a_malformed_link_stays_text() -> None:
    for body in ["[[faq:x|]]", "[[nope", "[[faq:a b|x]]", "[[video:x|Watch]]", "[[faq:x|open", "[[faq:|x]]"]:
        assert parse_answer(body) == [body], body


def test_a_good_link_after_a_malformed_one_is_still_found() -> None:
    body = "[[faq:broken [[faq:f-1|Shipping]]"
    assert parse_answer(body) == ["[[faq:broken ", FaqLink("Shipping", "faq:f-1")]


def test_the_links_of_an_answer_and_the_faqs_they_open() -> None:
    body = "See [[faq:f-3|Billing]] and [[article:terms|Terms]] or [[faq:f-9|Delivery]]."
    links = answer_links(body)
    assert [link.label for link in links] == ["Billing", "Terms", "Delivery"]
    assert [link_faq_id(link) for link in links] == ["f-3", None, "f-9"]


def test_scripts_and_articles_open_no_faq() -> None:
    assert link_faq_id(FaqLink("Script", "script:greeting")) is None
    assert link_faq_id(FaqLink("Odd", "faq:")) is None
