"""kill -9 at named points of a load (T12, T13, T14): the warehouse reopens, and holds either all of the
batch with its ledger row or none of it."""

from pathlib import Path

import pytest

from radar.config import Workdir
from tests.oracles import ledger, table_hashes
from tests.warehouse.kill import kill_at as run_and_kill
from tests.warehouse.months import load, write_months

LOAD = "from pathlib import Path; from radar.config import Workdir; from tests.warehouse.months import load; " \
       "import sys; load(Workdir(Path(sys.argv[1])), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])"


def kill_at(point: str, workdir: Workdir, etab: Path, ul: Path, month: str) -> None:
    run_and_kill(point, LOAD, str(workdir.root), str(etab), str(ul), month)


@pytest.fixture
def loaded(tmp_path):
    stock = write_months(tmp_path)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    return wd, stock


def test_kill_before_commit_leaves_the_warehouse_as_it_was(loaded):
    wd, stock = loaded
    before = table_hashes(wd.warehouse)
    kill_at("before_commit", wd, *stock["2024-11"], "2024-11")
    assert table_hashes(wd.warehouse) == before
    assert [s for s, *_ in ledger(wd.warehouse)] == ["success"]
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "loaded"


def test_kill_after_commit_keeps_data_and_ledger_together(loaded):
    wd, stock = loaded
    kill_at("after_commit", wd, *stock["2024-11"], "2024-11")
    # The batch is in the WAL, not yet checkpointed: reopening replays it (T13).
    assert wd.warehouse.with_name(wd.warehouse.name + ".wal").stat().st_size > 0
    assert [s for s, m, _ in ledger(wd.warehouse)] == ["success", "success"]
    # The month is there with its provenance: the re-run recognises it and changes nothing.
    before = table_hashes(wd.warehouse)
    assert load(wd, *stock["2024-11"], "2024-11")["status"] == "unchanged"
    assert table_hashes(wd.warehouse) == before


def test_kill_during_publication_keeps_the_previous_snapshot(loaded):
    wd, stock = loaded
    previous = wd.published.read_bytes()
    kill_at("publish_copy", wd, *stock["2024-11"], "2024-11")
    assert wd.published.read_bytes() == previous
    assert list(wd.published.parent.glob("*.tmp*"))  # the partial file has a temporary name only
    load(wd, *stock["2024-12"], "2024-12")
    assert not list(wd.published.parent.glob("*.tmp*"))
    assert wd.published.read_bytes() != previous
