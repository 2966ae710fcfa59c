"""A full disk (T15) and a damaged write-ahead log (T16), on real DuckDB files.

A full disk is injected as the OSError it gives at named points (RADAR_FAIL_AT=point:ENOSPC: a small tmpfs needs
privileges this machine lacks), and made real with a file size limit (RLIMIT_FSIZE) in a child process, where
DuckDB's own write fails. The WAL is cut or corrupted after a child was killed right after COMMIT."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from radar.config import Workdir, load_territory
from steps import common
from steps.common import CommittedButUnfinished, SnapshotNotRefreshed
from tests.oracles import ledger, table_hashes
from tests.warehouse.kill import ROOT, kill_at
from tests.warehouse.months import load, write_months
from warehouse.db import WarehouseDamaged
from warehouse.disk import DiskSpaceLow

SKIP = ("meta.run", "meta.stock_month", "meta.schema_migrations", "quarantine.sirene")
LOAD = "from pathlib import Path; from radar.config import Workdir; from tests.warehouse.months import load; " \
       "import sys; load(Workdir(Path(sys.argv[1])), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])"


@pytest.fixture
def october(tmp_path):
    stock = write_months(tmp_path)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    return wd, stock


@pytest.fixture
def fault_free(tmp_path) -> Workdir:
    """October and November loaded without any fault: what every recovery must converge to."""
    stock = write_months(tmp_path / "clean")
    wd = Workdir(tmp_path / "clean" / "wd")
    for month in ("2024-10", "2024-11"):
        load(wd, *stock[month], month)
    return wd


def statuses(wd: Workdir) -> list[str]:
    return [s for s, *_ in ledger(wd.warehouse)]


def test_too_little_free_space_refuses_before_anything_is_written(october, monkeypatch):
    wd, stock = october
    before = table_hashes(wd.warehouse)
    monkeypatch.setenv("RADAR_MIN_FREE_MB", str(10**9))
    with pytest.raises(DiskSpaceLow, match=rf"only [\d,]+ MB free for {wd.root} \(RADAR_MIN_FREE_MB asks for "
                                           r"1,000,000,000 MB\): nothing was written"):
        load(wd, *stock["2024-11"], "2024-11")
    assert table_hashes(wd.warehouse) == before and statuses(wd) == ["success"]


@pytest.mark.parametrize("point", ["mid_load", "before_commit"])
def test_a_full_disk_during_the_load_is_clear_and_leaves_the_warehouse_as_it_was(october, fault_free, monkeypatch,
                                                                               point):
    wd, stock = october
    before, snapshot = table_hashes(wd.warehouse), wd.published.read_bytes()
    monkeypatch.setenv("RADAR_FAIL_AT", f"{point}:ENOSPC")
    with pytest.raises(OSError, match="No space left on device"):
        load(wd, *stock["2024-11"], "2024-11")
    monkeypatch.delenv("RADAR_FAIL_AT")
    assert table_hashes(wd.warehouse) == before and wd.published.read_bytes() == snapshot
    assert statuses(wd) == ["success", "failed"]
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "loaded"  # space freed: it converges
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(fault_free.warehouse, skip=SKIP)


def test_a_failure_after_commit_says_the_data_is_committed_not_that_the_run_failed(october, monkeypatch):
    wd, stock = october
    monkeypatch.setenv("RADAR_FAIL_AT", "after_commit:ENOSPC")
    with pytest.raises(CommittedButUnfinished) as caught:
        load(wd, *stock["2024-11"], "2024-11")
    monkeypatch.delenv("RADAR_FAIL_AT")
    assert str(caught.value).startswith(
        "the stock of 2024-11 is loaded and committed (the ledger says success), but then: OSError: [Errno 28] No "
        "space left on device. The snapshot was not refreshed. To finish, fix the cause (free disk space) and run "
        "the same command again")
    assert statuses(wd) == ["success", "success"]  # no 'failed' row contradicting the committed load
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "unchanged"  # the same command finishes the job


def test_a_full_disk_while_publishing_keeps_the_previous_snapshot_and_no_partial_file(october, monkeypatch):
    wd, _ = october
    snapshot = wd.published.read_bytes()
    monkeypatch.setenv("RADAR_FAIL_AT", "publish_copy:ENOSPC")
    with pytest.raises(SnapshotNotRefreshed, match=r"the snapshot was not refreshed \(OSError: \[Errno 28\] No space "
                                                   r"left on device\); what this run committed stays"):
        common.publish(wd, load_territory())
    assert wd.published.read_bytes() == snapshot
    assert sorted(p.name for p in wd.published.parent.iterdir()) == ["radar.duckdb"]


def load_with_file_size_limit(wd: Workdir, etab: Path, ul: Path, month: str, limit: int):
    """The load in a child process that may not write any file past `limit` bytes: DuckDB's own writes fail
    there, as they do on a full disk (with EFBIG instead of ENOSPC)."""
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); " + LOAD)
    return subprocess.run([sys.executable, "-c", code, str(wd.root), str(etab), str(ul), month], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_a_real_write_failure_at_commit_rolls_the_load_back(october, fault_free):
    wd, stock = october
    before, snapshot = table_hashes(wd.warehouse), wd.published.read_bytes()
    proc = load_with_file_size_limit(wd, *stock["2024-11"], "2024-11", 64 << 10)  # the WAL cannot take the batch
    assert proc.returncode != 0
    assert 'Failed to commit: Could not write file' in proc.stderr and "warehouse.duckdb.wal\": File too large" \
        in proc.stderr
    assert table_hashes(wd.warehouse) == before and wd.published.read_bytes() == snapshot
    assert statuses(wd) == ["success", "failed"]
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "loaded"
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(fault_free.warehouse, skip=SKIP)


def test_a_real_write_failure_while_publishing_keeps_the_committed_load_and_the_old_snapshot(october):
    wd, stock = october
    snapshot = wd.published.read_bytes()
    proc = load_with_file_size_limit(wd, *stock["2024-11"], "2024-11", 2 << 20)  # WAL fits, ~5 MB snapshot does not
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("steps.common.SnapshotNotRefreshed: the snapshot was not refreshed (") and \
        "File too large" in proc.stderr
    assert statuses(wd) == ["success", "success"] and wd.published.read_bytes() == snapshot
    assert sorted(p.name for p in wd.published.parent.iterdir()) == ["radar.duckdb"]
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "unchanged"  # the same command, as the flow runs it:
    common.publish(wd, load_territory())  # the load is a no-op, then the snapshot is published
    assert wd.published.read_bytes() != snapshot


@pytest.fixture
def november_in_the_wal(october):
    """November committed by a process killed right after COMMIT: its batch is in the WAL only."""
    wd, stock = october
    kill_at("after_commit", LOAD, str(wd.root), *map(str, stock["2024-11"]), "2024-11")
    wal = wd.warehouse.with_name(wd.warehouse.name + ".wal")
    assert wal.stat().st_size > 0  # the batch is replayed from the WAL, not from a checkpoint (T13)
    return wd, stock, wal


def test_a_cut_wal_is_noticed_named_and_converges(november_in_the_wal, fault_free, capsys):
    wd, stock, wal = november_in_the_wal
    with open(wal, "r+b") as fh:
        fh.truncate(wal.stat().st_size - 64)  # DuckDB now opens without the last batch, and says nothing
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "loaded"
    warning = capsys.readouterr().err
    assert "radar: warning: the warehouse lost a committed load: sirene_month of 2024-11 (run " in warning
    assert [(s, m) for s, m, _ in ledger(wd.warehouse)] == [("success", "2024-10"), ("lost", "2024-11"),
                                                            ("success", "2024-11")]
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(fault_free.warehouse, skip=SKIP)
    load(wd, *stock["2024-12"], "2024-12")
    assert "lost" not in capsys.readouterr().err  # said once


def test_a_corrupt_wal_is_set_aside_never_deleted_and_nothing_is_published(november_in_the_wal, fault_free):
    wd, stock, wal = november_in_the_wal
    data = bytearray(wal.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wal.write_bytes(bytes(data))
    damaged = (wd.warehouse.read_bytes(), wal.read_bytes())
    snapshot = wd.published.read_bytes()
    for _ in range(2):
        with pytest.raises(WarehouseDamaged) as caught:
            load(wd, *stock["2024-12"], "2024-12")
    message = str(caught.value)
    assert "\n" not in message and "its write-ahead log is damaged (" in message and "Nothing was loaded" in message
    (aside,) = (wd.root / "quarantine").iterdir()  # set aside once, however many runs meet it
    assert f"Copies of the warehouse and its WAL are in {aside}" in message
    assert ((aside / wd.warehouse.name).read_bytes(), (aside / wal.name).read_bytes()) == damaged
    assert wal.read_bytes() == damaged[1] and wd.published.read_bytes() == snapshot
    # The recovery the message gives: the WAL moved away, run again; November is named lost, then reloaded.
    shutil.move(wal, wd.root / "quarantine" / "moved.wal")
    load(wd, *stock["2024-11"], "2024-11")
    assert [(s, m) for s, m, _ in ledger(wd.warehouse)] == [("success", "2024-10"), ("lost", "2024-11"),
                                                            ("success", "2024-11")]
    assert table_hashes(wd.warehouse, skip=SKIP) == table_hashes(fault_free.warehouse, skip=SKIP)


def test_the_journal_of_a_run_killed_before_commit_names_nothing(october):
    wd, stock = october
    kill_at("before_commit", LOAD, str(wd.root), *map(str, stock["2024-11"]), "2024-11")
    journal = Path(str(wd.warehouse) + ".commits").read_text().splitlines()
    assert len(journal) == 1 and '"month": "2024-10"' in journal[0]
    with duckdb.connect(str(wd.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.run").fetchone() == (1,)
