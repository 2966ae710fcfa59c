"""Two runs at once (T17) and an analyst holding the warehouse (T19), as real processes: one holds the writer role,
the other waits, or fails naming the holder's PID after its lock timeout; nothing is half written and the final
state is what the same loads give one after the other."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from radar.config import Workdir
from tests.oracles import ledger, table_hashes
from tests.warehouse.kill import ROOT
from tests.warehouse.months import load, write_months

SKIP = ("meta.run", "meta.stock_month", "meta.schema_migrations", "quarantine.sirene")
LOAD = "from pathlib import Path; from radar.config import Workdir; from tests.warehouse.months import load; " \
       "import sys; load(Workdir(Path(sys.argv[1])), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])"


def start_load(wd: Workdir, stock, month: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LOAD, str(wd.root), *map(str, stock[month]), month], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_reached(proc: subprocess.Popen, point: str) -> None:
    for line in proc.stdout:
        if line.strip() == f"REACHED {point}":
            return
    pytest.fail(f"never reached {point}: {proc.stderr.read()[-2000:]}")


@pytest.fixture
def stock(tmp_path):
    return write_months(tmp_path)


@pytest.fixture
def one_after_the_other(tmp_path, stock) -> Workdir:
    wd = Workdir(tmp_path / "sequential")
    for month in ("2024-10", "2024-11"):
        load(wd, *stock[month], month)
    return wd


def test_two_runs_at_once_one_waits_for_the_other_and_the_result_converges(tmp_path, stock, one_after_the_other):
    wd = Workdir(tmp_path / "wd")
    first = start_load(wd, stock, "2024-10", RADAR_PAUSE_AT="before_commit:5")
    wait_until_reached(first, "before_commit")  # inside its transaction, holding the writer role
    started = time.monotonic()
    second = start_load(wd, stock, "2024-11")
    assert second.wait(timeout=300) == 0, second.stderr.read()[-2000:]
    assert first.wait(timeout=300) == 0, first.stderr.read()[-2000:]
    assert time.monotonic() - started > 3  # it waited for the writer role
    assert [(s, m) for s, m, _ in ledger(wd.warehouse)] == [("success", "2024-10"), ("success", "2024-11")]
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(one_after_the_other.warehouse, skip=SKIP)


def test_a_run_that_waited_too_long_names_the_holders_pid_then_converges(tmp_path, stock, one_after_the_other):
    wd = Workdir(tmp_path / "wd")
    first = start_load(wd, stock, "2024-10", RADAR_PAUSE_AT="before_commit:6")
    wait_until_reached(first, "before_commit")
    second = start_load(wd, stock, "2024-11", RADAR_WRITER_LOCK_TIMEOUT="1")
    assert second.wait(timeout=300) != 0
    assert f"is locked by PID {first.pid}; another run or a client holds it (waited 1 s)" in second.stderr.read()
    assert first.wait(timeout=300) == 0
    assert [s for s, *_ in ledger(wd.warehouse)] == ["success"]
    load(wd, *stock["2024-11"], "2024-11")  # the refused run, run again
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(one_after_the_other.warehouse, skip=SKIP)


@pytest.mark.parametrize("read_only", [True, False])
def test_an_analyst_holding_the_warehouse_makes_a_load_fail_clearly_and_change_nothing(tmp_path, stock, read_only):
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    before = table_hashes(wd.warehouse)
    analyst = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(wd.warehouse)!r}, read_only={read_only})
        print("OPEN", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "OPEN"
        load_run = start_load(wd, stock, "2024-11", RADAR_WRITER_LOCK_TIMEOUT="1")
        assert load_run.wait(timeout=300) != 0
        assert f"is locked by PID {analyst.pid}" in load_run.stderr.read()
    finally:
        analyst.communicate("\n", timeout=30)
    assert table_hashes(wd.warehouse) == before
