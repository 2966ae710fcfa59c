"""`radar dashboard`: localhost by default, usage statistics off, a clear error without a snapshot."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.dashboard import streamlit_argv
from cli.main import main


def test_defaults_are_private():
    argv, env = streamlit_argv(Path("/srv/w/published/radar.duckdb"), "127.0.0.1", 8501)
    opts = dict(zip(argv[5::2], argv[6::2]))
    assert opts["--server.address"] == "127.0.0.1" and opts["--server.port"] == "8501"
    assert opts["--browser.gatherUsageStats"] == "false" and opts["--server.headless"] == "true"
    assert opts["--server.fileWatcherType"] == "none" and opts["--global.developmentMode"] == "false"
    assert env["RADAR_DASHBOARD_SNAPSHOT"] == "/srv/w/published/radar.duckdb"
    help_text = CliRunner().invoke(main, ["dashboard", "--help"]).output
    assert "127.0.0.1" in help_text and "--port" in help_text


def test_missing_snapshot_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["dashboard", "--workdir", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "no published snapshot" in result.output and "radar demo" in result.output
    assert "Traceback" not in result.output


def test_a_bad_tile_setting_is_one_clear_line(tmp_path, monkeypatch):
    from radar.config import DEFAULT_TERRITORY

    snapshot = tmp_path / "wd" / "published" / "radar.duckdb"
    snapshot.parent.mkdir(parents=True)
    snapshot.write_bytes(b"")  # never opened: the setting is checked before the server starts
    territory = tmp_path / "t.toml"
    territory.write_text(DEFAULT_TERRITORY.read_text(encoding="utf-8").replace("{y}.png", ".png"), encoding="utf-8")
    monkeypatch.delenv("RADAR_DASHBOARD_TILES", raising=False)
    result = CliRunner().invoke(main, ["dashboard", "--workdir", str(tmp_path / "wd"), "--territory", str(territory)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "[dashboard] tiles" in result.output and "{z}, {x} and {y}" in result.output
    monkeypatch.setenv("RADAR_DASHBOARD_TILES", "file:///etc/passwd")
    result = CliRunner().invoke(main, ["dashboard", "--workdir", str(tmp_path / "wd")])
    assert result.exit_code == 1 and "$RADAR_DASHBOARD_TILES" in result.output
