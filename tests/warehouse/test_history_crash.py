"""kill -9 at named points of a reconstruction from the historical file (like test_crash.py for a stock month):
the warehouse reopens holding either nothing of the reconstruction or all of it, and a re-run ends with the same
tables as a reconstruction that was never interrupted."""

from pathlib import Path

import duckdb
import pytest

from radar.config import Workdir, load_territory
from steps import common
from tests.builders import write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.history_months import contents, first_stock, reconstruct, write_history_file
from tests.warehouse.kill import kill_at as run_and_kill
from tests.warehouse.months import load

RANGE = ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10"]
RECONSTRUCT = ("import sys; from pathlib import Path; from radar.config import Workdir; "
               "from tests.warehouse.history_months import reconstruct; "
               "reconstruct(Workdir(Path(sys.argv[1])), Path(sys.argv[2]), sys.argv[3].split(','))")


def kill_at(point: str, workdir: Workdir, history: Path) -> None:
    run_and_kill(point, RECONSTRUCT, str(workdir.root), str(history), ",".join(RANGE), what="the reconstruction")


@pytest.fixture
def setup(tmp_path):
    stock = write_stock(tmp_path / "stock" / "2024-10", *first_stock())
    history = write_history_file(tmp_path)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock, "2024-10")
    # The same reconstruction, never interrupted: what a re-run after any kill must end with.
    reference = Workdir(tmp_path / "reference")
    load(reference, *stock, "2024-10")
    assert reconstruct(reference, history, RANGE)["status"] == "reconstructed"
    return wd, history, contents(reference.warehouse)


def test_kill_before_commit_leaves_the_warehouse_as_it_was(setup):
    wd, history, expected = setup
    before = table_hashes(wd.warehouse)
    kill_at("before_commit", wd, history)
    assert table_hashes(wd.warehouse) == before
    assert [s for s, *_ in ledger(wd.warehouse)] == ["success"]
    assert reconstruct(wd, history, RANGE)["status"] == "reconstructed"
    assert contents(wd.warehouse) == expected


def test_kill_in_the_middle_of_the_months_leaves_the_warehouse_as_it_was(setup):
    wd, history, expected = setup
    before = table_hashes(wd.warehouse)
    kill_at("mid_load_history", wd, history)
    assert table_hashes(wd.warehouse) == before
    assert reconstruct(wd, history, RANGE)["status"] == "reconstructed"
    assert contents(wd.warehouse) == expected


def test_kill_after_commit_keeps_all_months_with_their_ledger_row(setup):
    wd, history, expected = setup
    kill_at("after_commit", wd, history)
    assert [(s, m, f) for s, m, f in ledger(wd.warehouse)] == [
        ("success", "2024-10", "sirene_month"), ("success", "2024-09", "sirene_historique")]
    assert contents(wd.warehouse) == expected  # fully loaded, though not yet published
    # The re-run recognises every month and changes nothing.
    before = table_hashes(wd.warehouse)
    assert reconstruct(wd, history, RANGE)["status"] == "unchanged"
    assert table_hashes(wd.warehouse) == before


def test_kill_during_publication_keeps_the_previous_snapshot(setup):
    wd, history, expected = setup
    previous = wd.published.read_bytes()
    kill_at("publish_copy", wd, history)
    assert wd.published.read_bytes() == previous
    assert list(wd.published.parent.glob("*.tmp*"))  # the partial file has a temporary name only
    assert contents(wd.warehouse) == expected  # the load had committed before the publication began
    assert reconstruct(wd, history, RANGE)["status"] == "unchanged"
    common.publish(wd, load_territory())  # what the flow does after an unchanged check
    assert not list(wd.published.parent.glob("*.tmp*"))
    con = duckdb.connect(str(wd.published), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM territory_monthly WHERE is_reconstructed").fetchone()[0] > 0
    finally:
        con.close()
