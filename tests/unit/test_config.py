"""Settings: a TOML file, environment overrides, and errors that tell a person what to fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from agentdesk import config
from agentdesk.config import ConfigError, Settings, load_settings

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "config.example.toml"


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user's own settings file is never read: it points into an empty folder."""
    where = tmp_path / "user-config" / "config.toml"
    monkeypatch.setattr(config, "default_config_path", lambda: where)
    return where


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def failure(path: Path | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env or {})
    message = str(caught.value)
    assert "Traceback" not in message and "errors.pydantic.dev" not in message
    return message


def test_without_a_file_the_defaults_apply() -> None:
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.hold.cap_seconds == 10.0 and settings.hold.warn_seconds == 7.0
    assert settings.demo.customers == 300 and settings.demo.seed == 2026 and settings.demo.calls is False
    assert settings.phone.default_region == "US" and settings.phone.answer_before_ring == 3
    assert settings.ui.history_page_size == 50 and settings.agent.id is None and settings.backend.url is None
    assert settings.store.path.name == "agentdesk.db" and settings.store.path.is_absolute()


def test_the_users_config_file_is_read_when_it_exists(no_user_config: Path) -> None:
    no_user_config.parent.mkdir()
    no_user_config.write_text("[demo]\ncustomers = 12\n")
    assert load_settings(env={}).demo.customers == 12


def test_the_config_variable_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\ntheme = 'textual-light'\n")
    assert load_settings(env={"AGENTDESK_CONFIG": str(path)}).ui.theme == "textual-light"


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert str(missing) in failure(missing)
    assert "does not exist" in failure(None, {"AGENTDESK_CONFIG": str(missing)})


def test_a_toml_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "[hold]\ncap_seconds = 10\nwarn_seconds = = 7\n")
    message = failure(path)
    assert message.startswith(f"{path}, line 3, column ") and "not valid TOML" in message


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[ui]\ntheme = '\xff\xfe'\n")
    assert "not UTF-8" in failure(path)


def test_a_bad_value_names_the_setting_its_line_and_what_is_wrong(tmp_path: Path) -> None:
    path = write(tmp_path, "# my settings\n[demo]\ncustomers = 40\n\n[hold]\n  cap_seconds = -1\n")
    message = failure(path)
    assert f"{path}, line 6: hold.cap_seconds must be greater than 0" in message


def test_each_bad_value_is_reported_on_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\nhistory_page_size = 5\n[demo]\nunknown_caller_share = 1.5\n")
    message = failure(path)
    assert re.search(r"line 2: ui\.history_page_size must be greater than or equal to 10", message)
    assert re.search(r"line 4: demo\.unknown_caller_share must be less than or equal to 1", message)


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[hold]\ncap_secs = 8\n")
    assert f"{path}, line 2: hold.cap_secs is an unknown setting" in failure(path)


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\ntheme = 'textual-dark'\n\n[colours]\nquit = 'q'\n")
    assert f"{path}, line 4: colours is an unknown setting" in failure(path)


def test_keys_are_remapped_by_their_id(tmp_path: Path) -> None:
    path = write(tmp_path, "[keymap]\n\"call.answer\" = \"f5\"\n\"call.hold\" = \"f6,h\"\n")
    assert load_settings(path, env={}).keymap == {"call.answer": "f5", "call.hold": "f6,h"}


def test_a_keymap_entry_that_is_no_key_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[keymap]\nquit = 'q'\n")
    assert "'quit' is not a key's id; ids look like call.answer (press ? to see them)" in failure(path)
    path = write(tmp_path, "[keymap]\n\"call.answer\" = ' '\n")
    assert "the key for call.answer is empty" in failure(path)


def test_the_hold_warning_must_come_before_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "[hold]\ncap_seconds = 8.0\nwarn_seconds = 9.0\n")
    assert "line 3: hold.warn_seconds must be less than hold.cap_seconds (8)" in failure(path)


def test_an_unknown_phone_region_is_refused_and_a_known_one_is_upper_cased(tmp_path: Path) -> None:
    assert "phone.default_region" in failure(write(tmp_path, "[phone]\ndefault_region = 'XX'\n"))
    settings = load_settings(write(tmp_path, "[phone]\ndefault_region = 'gb'\n"), env={})
    assert settings.phone.default_region == "GB"


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[hold]\ncap_seconds = 9.0\nwarn_seconds = 5.0\n[demo]\ncalls = false\n")
    env = {
        "AGENTDESK_HOLD__CAP_SECONDS": "8",
        "AGENTDESK_DEMO__CALLS": "true",
        "agentdesk_agent__id": "agent-7",
    }
    settings = load_settings(path, env=env)
    assert settings.hold.cap_seconds == 8.0 and settings.hold.warn_seconds == 5.0
    assert settings.demo.calls is True and settings.agent.id == "agent-7"


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    message = failure(None, {"AGENTDESK_DEMO__CUSTOMERS": "lots"})
    assert message.startswith("The environment variable AGENTDESK_DEMO__CUSTOMERS: demo.customers must be")
    assert "AGENTDESK_UI__COLOURS" in failure(None, {"AGENTDESK_UI__COLOURS": "red"})
    assert "AGENTDESK_HOLD" in failure(None, {"AGENTDESK_HOLD": "{not json"})


def test_variables_of_other_programs_are_ignored() -> None:
    assert load_settings(env={"AGENTDESKTOP": "1", "HOME": "/home/x", "AGENTDESK_CONFIG": ""}) == Settings()


def test_the_store_path_expands_home_and_is_relative_to_the_file(tmp_path: Path) -> None:
    home = load_settings(write(tmp_path, "[store]\npath = '~/desk.db'\n"), env={}).store.path
    assert home == Path.home() / "desk.db"
    near = load_settings(write(tmp_path, "[store]\npath = 'data/desk.db'\n"), env={}).store.path
    assert near == tmp_path / "data" / "desk.db"


def test_settings_cannot_be_changed_once_loaded() -> None:
    settings = load_settings(env={})
    with pytest.raises(ValidationError):
        settings.hold.cap_seconds = 60.0  # type: ignore[misc]


def test_the_example_file_loads_and_equals_the_defaults() -> None:
    loaded = load_settings(EXAMPLE, env={})
    assert loaded.model_dump(exclude={"store"}) == Settings().model_dump(exclude={"store"})


def test_the_example_file_documents_every_setting_with_a_comment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, model in Settings.model_fields.items():
        body = re.search(rf"^\[{section}\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M)
        assert body is not None, section
        assert model.annotation is not None
        if not hasattr(model.annotation, "model_fields"):
            # A free-form table ([keymap]): its comment shows the shape of an entry.
            assert body[1].lstrip().startswith("#") and " = " in body[1], f"{section} has no commented example"
            continue
        for field in model.annotation.model_fields:  # type: ignore[union-attr]
            line = re.search(rf"^(#\s*)?{field} = .*$", body[1], re.M)
            assert line is not None, f"{section}.{field}"
            above = body[1][: line.start()].rstrip().splitlines()
            assert above and above[-1].startswith("#"), f"{section}.{field} has no comment"
