"""The routing rule: the skill and language first, letting go of the language, then the skill; longest idle as
before; by rating, shares that grow with the rating, the not yet rated at the middle, and the idle cap before the
ratings. The [routing] settings refuse an unknown policy."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from agentdesk.config import ConfigError, RoutingSettings, load_settings
from agentdesk.domain.routing import Candidate, RoutingPolicy, middle_rating, pick, rating_weight, suited

NOW = 10_000.0


def shares(candidates: list[Candidate], draws: int = 4_000, cap: float = 600) -> Counter[str]:
    rng = random.Random(9)
    return Counter(pick(candidates, now=NOW, policy=RoutingPolicy.RATING, cap_seconds=cap, rng=rng)
                   for _ in range(draws))


def test_longest_idle_takes_the_agent_waiting_longest_whatever_the_rating() -> None:
    candidates = [Candidate("best", NOW - 10, 5.0), Candidate("worst", NOW - 30, 1.0), Candidate("new", NOW - 30)]
    assert pick(candidates, now=NOW, policy=RoutingPolicy.LONGEST_IDLE, cap_seconds=600,
                rng=random.Random(1)) == "new"  # the same wait: by id
    assert pick([], now=NOW, policy=RoutingPolicy.RATING, cap_seconds=600, rng=random.Random(1)) is None


def test_by_rating_each_point_multiplies_the_share_by_five() -> None:
    assert rating_weight(4.0) == pytest.approx(5 * rating_weight(3.0))
    got = shares([Candidate("four", NOW - 5, 4.0), Candidate("three", NOW - 50, 3.0)])
    assert 0.80 < got["four"] / 4_000 < 0.87  # 5 / 6 of the calls


def test_an_agent_not_rated_yet_counts_as_the_middle_of_the_rated() -> None:
    assert middle_rating([2.0, None, 4.0, 5.0]) == 4.0
    assert middle_rating([None, None]) == 3.0
    got = shares([Candidate("rated", NOW - 5, 4.0), Candidate("also", NOW - 5, 4.0), Candidate("new", NOW - 5),
                  Candidate("low", NOW - 5, 2.0)])  # the middle of 4, 4 and 2 is 4
    assert abs(got["new"] - got["rated"]) < 200 and got["low"] < got["new"] / 10


def test_the_cap_goes_before_the_ratings_longest_idle_first() -> None:
    candidates = [Candidate("best", NOW - 5, 5.0), Candidate("low", NOW - 130, 1.0), Candidate("lower", NOW - 125, 1.0)]
    assert shares(candidates, draws=50, cap=120) == Counter({"low": 50})
    assert shares(candidates, draws=50, cap=131)["best"] >= 49  # nobody past the cap: the 5 takes nearly all


def test_routing_settings_name_each_accounts_policy_and_refuse_unknown_ones(tmp_path: Path) -> None:
    routing = RoutingSettings(policy="rating", accounts={"acct-2": "longest_idle"})
    assert (routing.policy_for("acct-1"), routing.policy_for("acct-2")) == ("rating", "longest_idle")
    bad = tmp_path / "config.toml"
    bad.write_text('[routing]\naccounts = { "acct-1" = "best" }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="acct-1 = 'best': a policy must be one of longest_idle, rating"):
        load_settings(bad, env={})


def test_suited_keeps_the_skill_and_language_and_lets_go_of_the_language_first() -> None:
    both = Candidate("both", NOW, skills=frozenset({"Repairs"}), languages=frozenset({"en", "es"}))
    skill = Candidate("skill", NOW, skills=frozenset({"repairs"}), languages=frozenset({"en"}))
    spanish = Candidate("spanish", NOW, languages=frozenset({"es"}))
    plain = Candidate("plain", NOW, languages=frozenset({"en"}))
    everyone = [both, skill, spanish, plain]

    def ids(found: list[Candidate]) -> list[str]:
        return [c.agent_id for c in found]

    assert ids(suited(everyone, skill="repairs", language="es-MX")) == ["both"]
    assert ids(suited([skill, spanish, plain], skill="repairs", language="es")) == ["skill"]
    assert ids(suited([spanish, plain], skill="repairs", language="ES")) == ["spanish"]
    assert ids(suited([plain], skill="repairs", language="es")) == ["plain"]
    assert ids(suited(everyone, skill=None, language=None)) == ids(everyone)
    assert ids(suited(everyone, skill="REPAIRS", language=None)) == ["both", "skill"]
    assert suited([], skill="repairs", language="es") == []
