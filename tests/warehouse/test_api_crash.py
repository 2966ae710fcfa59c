"""kill -9 during an API source's run (T12, T14), a real child process against the INSEE fake on loopback: killed
before COMMIT, the deltas and the cursor are as they were; killed while landing a page, only a `*.tmp` is left,
which the next run removes; either way one normal run converges to what a run without a fault gives."""

from __future__ import annotations

import json

import duckdb
import pytest

from radar.config import Workdir, load_territory
from steps import api_sources
from steps.common import prepare_warehouse
from tests.fakes import insee_fake
from tests.fakes.http_server import FakeServer
from tests.oracles import table_hashes
from tests.warehouse.kill import kill_at

KEY = "test-key"
RUN = ("import sys; from pathlib import Path; from radar.config import Workdir, load_territory; "
       "from steps import api_sources; api_sources.run_source(Workdir(Path(sys.argv[1])), load_territory(), 'insee', "
       "endpoints={'insee': sys.argv[2]}, policies={'127.0.0.1': 1000.0}, since='2026-10-01')")
RECORDS = [insee_fake.etablissement(insee_fake.valid_siren(i), f"2026-10-0{1 + i % 3}T10:00:00.000") for i in range(5)]


def loaded(wd: Workdir) -> tuple:
    """The deltas and the cursor (the rows' run ids and load times differ from run to run)."""
    with duckdb.connect(str(wd.warehouse), read_only=True) as con:
        return (con.execute("SELECT siret, last_processed_at, state FROM api.insee_establishment_delta "
                            "ORDER BY siret").fetchall(),
                con.execute("SELECT key, value FROM meta.source_state WHERE source = 'insee'").fetchall(),
                con.execute("SELECT kind, siret FROM core.event ORDER BY ALL").fetchall())


def run_insee(wd: Workdir, url: str) -> dict:
    return api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": url},
                                  policies={"127.0.0.1": 1000.0}, since="2026-10-01")


@pytest.fixture
def insee(monkeypatch):
    monkeypatch.setenv("INSEE_API_KEY", KEY)
    with FakeServer() as srv:
        insee_fake.serve(srv, RECORDS, key=KEY)
        yield srv.url("")


@pytest.fixture
def fault_free(tmp_path, insee) -> Workdir:
    wd = Workdir(tmp_path / "clean")
    prepare_warehouse(wd)
    assert run_insee(wd, insee)["status"] == "loaded"
    return wd


@pytest.mark.parametrize("point", ["before_commit", "raw_write"])
def test_an_api_run_killed_leaves_data_and_cursor_as_they_were_then_converges(tmp_path, insee, fault_free, point):
    wd = Workdir(tmp_path / "wd")
    prepare_warehouse(wd)
    before = table_hashes(wd.warehouse, skip=())
    kill_at(point, RUN, str(wd.root), insee, what="the INSEE run")
    assert table_hashes(wd.warehouse, skip=()) == before  # no delta, no cursor, no ledger row
    landed = list(wd.landing.rglob("*"))
    if point == "raw_write":
        assert [p.suffix for p in landed if p.is_file()] == [".tmp"]  # the first page: never a partial final name
    for page in (p for p in landed if p.suffix == ".json"):
        json.loads(page.read_text(encoding="utf-8"))  # what has a final name is complete
    prepare_warehouse(wd)  # as the next run's flow does first
    assert not list(wd.landing.rglob("*.tmp"))
    assert run_insee(wd, insee)["status"] == "loaded"
    assert loaded(wd) == loaded(fault_free) and len(loaded(fault_free)[0]) == len(RECORDS)
