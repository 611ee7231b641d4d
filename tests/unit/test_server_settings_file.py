"""`agentdesk --config FILE server …` runs the backend on that file's settings (its relay, routing, allocation):
a broken value in the file is reported for that file, before anything starts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from agentdesk.cli import main


def test_the_backend_reads_the_settings_file_given_to_agentdesk(tmp_path: Path) -> None:
    settings = tmp_path / "backend.toml"
    settings.write_text('[routing]\npolicy = "fastest"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(settings), "server", "--database", str(tmp_path / "b.db")],
                                env={"AGENTDESK_CONFIG": ""})
    assert result.exit_code != 0
    assert "fastest" in result.output and "backend.toml" in result.output, result.output
