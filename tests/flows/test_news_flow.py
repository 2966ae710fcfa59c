"""The news flow under the Prefect harness: demo feeds on loopback, load, publish; a re-run is a no-op."""

import duckdb
import pytest

from radar.config import Workdir
from tests.oracles import table_hashes

pytestmark = pytest.mark.flow


def test_news_flow_demo_loads_publishes_and_second_run_is_conditional(prefect_harness, tmp_path):
    from flows.news import news

    wd = tmp_path / "wd"
    first = news(workdir=str(wd), demo=True)
    assert first["status"] == "loaded" and first["counts"]["new_stories"] > 0
    assert {f["status"] for f in first["feeds"]} == {"ok"}
    con = duckdb.connect(first["snapshot"], read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == first["counts"]["new_stories"]
    finally:
        con.close()
    before = table_hashes(Workdir(wd).warehouse)
    second = news(workdir=str(wd), demo=True)
    assert {f["status"] for f in second["feeds"]} == {"not_modified"}
    assert table_hashes(Workdir(wd).warehouse) == before
    con = duckdb.connect(str(Workdir(wd).warehouse), read_only=True)
    try:
        assert [r[0] for r in con.execute("SELECT status FROM meta.run WHERE flow = 'news' ORDER BY started_at")
                .fetchall()] == ["success", "success"]
    finally:
        con.close()
