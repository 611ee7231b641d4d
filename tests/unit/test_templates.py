"""Reply templates: fields filled, errors that name the field, and hostile templates kept in the sandbox."""

from __future__ import annotations

import time

import pytest

from agentdesk.demodata.content import REPLY_TEMPLATES
from agentdesk.domain.templates import MAX_OUTPUT_CHARS, TemplateFields, TemplateProblem, outcome_template, render

WITH_ORDER = TemplateFields("Ann Smith", "CS-7KQ2M-00Z", "Refund request", "Bo Agent", "Acme Home",
                            "ORD-1048576", "2026-10-01")
NO_ORDER = TemplateFields("Ann Smith", "CS-7KQ2M-00Z", "Question", "Bo Agent", "Acme Home")


def test_the_demo_templates_fill_the_customer_case_order_agent_and_account() -> None:
    filled = [render(body, WITH_ORDER) for _, body in REPLY_TEMPLATES]
    assert "Hello Ann Smith" in filled[0] and "CS-7KQ2M-00Z" in filled[0] and "Acme Home" in filled[0]
    assert "ORD-1048576" in filled[1] and "Bo Agent" in filled[1]


def test_a_missing_field_is_named_and_nothing_crashes() -> None:
    with pytest.raises(TemplateProblem) as problem:
        render("Your order {{ order_number }} is on its way.", NO_ORDER)
    assert problem.value.field == "order_number"
    assert "no order" in str(problem.value)
    with pytest.raises(TemplateProblem) as typo:
        render("Hello {{ custmer_name }}", NO_ORDER)
    assert typo.value.field == "custmer_name"


def test_a_syntax_error_says_the_line() -> None:
    with pytest.raises(TemplateProblem, match="Line 2"):
        render("Hello\n{{ customer_name ", NO_ORDER)


@pytest.mark.parametrize("hostile", [
    "{{ customer_name.__class__.__mro__ }}",
    "{{ customer_name['__class__'] }}",
    "{{ range.__globals__ }}",
    "{{ customer_name.upper() }}",
    "{{ ''.__class__.__subclasses__() }}",
    "{{ self }}",
    "{{ lipsum() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{% set ns = namespace(x='a') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% include '/etc/passwd' %}",
    "{% extends 'base' %}",
    "{% for i in range(10**6) %}x{% endfor %}",
    "{% for a in range(200) %}{% for b in range(200) %}{% for c in range(200) %}{% endfor %}{% endfor %}{% endfor %}",
    "{{ 'x' * 1000000000 }}",
    "{{ [customer_name] * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ '%999999999s' % customer_name }}",
    "{{ customer_name|center(1000000000) }}",
    "{{ customer_name|format('x') }}",
    "{% for x in range(200) recursive %}{{ loop(range(200)) }}{% endfor %}",
    "{% for a in range(200) %}{% for b in range(200) %}xxxxxxxxxxxx{% endfor %}{% endfor %}",
    "x" * 30_000,
])
def test_hostile_templates_are_refused_quickly_with_a_sentence(hostile: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TemplateProblem) as problem:
        render(hostile, NO_ORDER)
    assert time.perf_counter() - started < 1.0
    assert str(problem.value)[0].isupper() and "Traceback" not in str(problem.value)


def test_output_is_bounded_but_ordinary_loops_work() -> None:
    text = render("{% for i in range(3) %}{{ i }}{% endfor %} {{ customer_name|upper }}", NO_ORDER)
    assert text == "012 ANN SMITH"
    assert len(render("{% for i in range(100) %}{{ 'ab' * 90 }}{% endfor %}", NO_ORDER)) <= MAX_OUTPUT_CHARS


def test_hostile_field_values_are_filled_as_text_not_run() -> None:
    evil = TemplateFields("{{ 7*7 }} [@click=app.quit]x[/]", "CS-1", "s", "a", "b")
    assert render("Hello {{ customer_name }}", evil) == "Hello {{ 7*7 }} [@click=app.quit]x[/]"


def test_a_refusal_by_policy_says_the_rule_that_applies_to_the_request() -> None:
    fields = TemplateFields(customer_name="Gina", case_number="CS-1", subject="Refund", agent_name="Bo",
                            account_name="Alder", order_number="ORD-7", order_date="2026-09-15")
    refund = render(outcome_template("refused", "refund"), fields)
    assert "cannot refund order ORD-7" in refund and "placed on 2026-09-15" in refund and "60 days" in refund
    assert "cancel" not in refund
    cancellation = render(outcome_template("refused", "cancellation"), fields)
    assert "one-off purchase" in cancellation and "ORD-7" in cancellation and "refund" not in cancellation
