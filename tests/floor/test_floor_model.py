"""The monitor's model: alerts raised once per crossing, rows sorted and filtered, untrusted names made safe."""

from __future__ import annotations

from agentdesk.monitoring import FloorModel, rating_text
from tests.floor.floors import NOW, agent, alarming, quiet


def _model(floor: dict) -> FloorModel:
    model = FloorModel()
    model.take_snapshot(floor)
    return model


def test_a_quiet_floor_raises_no_alert() -> None:
    assert _model(quiet()).scan_alerts(NOW) == []


def test_an_alarming_floor_raises_each_alert_once_with_who_and_what() -> None:
    model = _model(alarming())
    alerts = model.scan_alerts(NOW)
    said = {(a.level, a.who, a.what) for a in alerts}
    assert ("critical", "Agent 0001", "hold at the cap") in said
    assert ("warning", "Agent 0002", "ringing past the 3rd ring") in said
    assert ("warning", "Agent 0004", "hold near the cap") in said
    assert any(a.level == "critical" and "offline with 7 unsynced" in a.what for a in alerts)
    assert any(a.level == "critical" and a.who == "Alder Home Services" for a in alerts)
    assert model.scan_alerts(NOW + 1) == alerts and len(model.alerts) == len(alerts), "no repeat while it lasts"


def test_a_name_with_terminal_controls_is_shown_without_them() -> None:
    model = _model(alarming())
    offline = next(a for a in model.scan_alerts(NOW) if "offline" in a.what)
    assert "\x1b" not in offline.who and "Name" in offline.who


def test_rows_sort_by_state_and_filter_by_state_or_alert() -> None:
    model = _model(alarming())
    assert [r["state"] for r in model.rows("state", now=NOW)][:2] == ["on hold", "on hold"]
    assert [r["agent_id"] for r in model.rows("state", "ringing", NOW)] == ["a0002"]
    flagged = {r["agent_id"] for r in model.rows("alert", "alerts", NOW)}
    assert flagged == {"a0001", "a0002", "a0003", "a0004"}
    assert model.rows("alert", now=NOW)[0]["agent_id"] in {"a0001", "a0003"}


def test_rows_sort_by_quality_rating_lowest_first_and_the_not_yet_rated_last() -> None:
    model = _model(quiet())
    assert [r["agent_id"] for r in model.rows("quality", now=NOW)] == ["a0002", "a0001", "a0004", "a0003", "a0005"]
    assert [rating_text(model.agents[a], "qc") for a in ("a0001", "a0003")] == ["4.2/12", "—"]
    assert rating_text(model.agents["a0004"], "customer") == "4.4/102"


def test_changes_replace_only_the_rows_that_moved() -> None:
    model = _model(quiet())
    model.take_changes({"version": 5, "agents": [agent(2, "ringing", 1)], "accounts": []})
    assert model.agents["a0002"]["state"] == "ringing" and model.agents["a0001"]["state"] == "on call"
    assert model.version == 5 and len(model.queues) == 2


def test_the_thresholds_in_the_settings_decide_what_turns_amber_and_red(tmp_path) -> None:
    """A floor where a call rings 15 s and one queue has 3 waiting: with the shipped settings the ring and the
    queue warn; a centre that set the ring warning at 20 s and queue warnings at 4 and 8 sees neither. An inverted
    pair of thresholds is refused with the key named."""
    import pytest

    from agentdesk.config import ConfigError, load_settings
    from agentdesk.monitor_cli import alert_rules
    from tests.floor.floors import queue

    floor = {"version": 1, "agents": [agent(1, "ringing", 15)],
             "accounts": [queue("acc-1", "Alder Home Services", waiting=3, oldest_waiting=NOW - 5)]}

    def levels(settings_file) -> tuple[str, str]:
        model = FloorModel(alert_rules(load_settings(settings_file, env={})))
        model.take_snapshot(floor)
        return model.agent_level(model.agents["a0001"], NOW), model.queue_level(model.queues["acc-1"], NOW)

    shipped = tmp_path / "shipped.toml"
    shipped.write_text("")
    assert levels(shipped) == ("warning", "warning")
    relaxed = tmp_path / "relaxed.toml"
    relaxed.write_text("[monitor]\nring_warning_seconds = 20\nwaiting_warning = 4\nwaiting_critical = 8\n")
    assert levels(relaxed) == ("", "")
    inverted = tmp_path / "inverted.toml"
    inverted.write_text("[monitor]\nwaiting_warning = 6\nwaiting_critical = 3\n")
    with pytest.raises(ConfigError, match="waiting_critical"):
        load_settings(inverted, env={})
