"""`radar report`: renders the month's files, sends once (outbox without SMTP), --resend explicit; a writer that
waits for a running load, then fails with a message naming the holder."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from cli.main import main
from steps import report as delivery
from tests.reports.monthly_data import MONTH
from tests.snapshots import copy_workdir


@pytest.fixture
def workdir(monthly, tmp_path, monkeypatch):
    for key in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY"):
        monkeypatch.delenv(f"RADAR_SMTP_{key}", raising=False)
    return copy_workdir(monthly.workdir, tmp_path / "wd")


def test_report_renders_then_sends_once(workdir, territory):
    runner = CliRunner()
    base = ["report", "--month", MONTH, "--workdir", str(workdir.root), "--territory", str(territory.source_file)]
    first = runner.invoke(main, base + ["--send"])
    assert first.exit_code == 0, first.output
    folder = workdir.reports / MONTH
    assert {"report.html", "report.pdf", "annexes.xlsx"} <= {p.name for p in folder.iterdir()}
    assert "via outbox" in first.output and len(list((workdir.root / "outbox").glob("*.eml"))) == 1
    sent_html = (folder / "report.html").read_bytes()
    again = runner.invoke(main, base + ["--send"])
    assert again.exit_code == 1 and "already sent; use --resend" in again.output
    assert (folder / "report.html").read_bytes() == sent_html  # the archived files stay those that were sent
    assert len(list((workdir.root / "outbox").glob("*.eml"))) == 1
    forced = runner.invoke(main, base + ["--resend"])
    assert forced.exit_code == 0, forced.output
    assert len(list((workdir.root / "outbox").glob("*.eml"))) == 2
    bad = runner.invoke(main, ["report", "--month", "2024-13", "--workdir", str(workdir.root)])
    assert bad.exit_code == 1 and "bad month" in bad.output


def test_report_waits_for_the_writer_then_fails_clearly(workdir, territory, monkeypatch):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"),
        str(workdir.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv(delivery.LOCK_TIMEOUT_ENV, "1")
        started = time.monotonic()
        result = CliRunner().invoke(main, ["report", "--month", MONTH, "--workdir", str(workdir.root),
                                           "--territory", str(territory.source_file)])
        assert result.exit_code == 1 and f"locked by PID {holder.pid}" in result.output
        assert 0.9 < time.monotonic() - started < 20
    finally:
        holder.kill()
        holder.wait()
    assert not (workdir.reports / MONTH / "report.html").exists()
