"""The news flow under the Prefect harness: demo feeds on loopback, load, publish; a re-run is a no-op."""

from pathlib import Path

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


def test_radar_news_fails_in_one_line_when_every_feed_fails(prefect_harness, tmp_path):
    """Feeds on a loopback address are refused by the address guard (live runs allow public hosts only): the
    command says so on one line of stderr, exits 1, and the run is recorded as failed."""
    import tomllib

    from click.testing import CliRunner

    from cli.main import main
    from tests.fakes.http_server import FakeServer, Reply

    with FakeServer() as srv:
        srv.route("/feed", Reply(200, b"<rss version='2.0'><channel><title>t</title></channel></rss>"))
        # The default territory's communes and settings, with two feeds of its own instead of its list.
        base = Path("territories/gpso.toml").read_text(encoding="utf-8").split("\n[[feeds]]", 1)[0]
        feeds = "".join(f'\n[[feeds]]\nname = "Flux {i}"\nurl = "{srv.url(f"/feed?n={i}")}"\n' for i in range(2))
        territory = tmp_path / "t.toml"
        territory.write_text(base + feeds, encoding="utf-8")
        assert len(tomllib.loads(territory.read_text(encoding="utf-8"))["feeds"]) == 2
        wd = tmp_path / "wd"
        result = CliRunner().invoke(main, ["news", "--workdir", str(wd), "--territory", str(territory), "--no-pages"])
        assert srv.hits == 0
    assert result.exit_code == 1
    # The harness shows Prefect's logs on stderr too; the command's own words are its one closing line.
    ours = [line for line in result.stderr.strip().splitlines() if line.startswith("radar:")]
    assert len(ours) == 1 and result.stderr.strip().endswith(ours[0])
    assert ours[0].startswith("radar: error: every feed failed (2): Flux 0: refused URL")
    assert "non-public address" in ours[0] and "robots" not in ours[0]
    con = duckdb.connect(str(Workdir(wd).warehouse), read_only=True)
    try:
        assert con.execute("SELECT status FROM meta.run WHERE flow = 'news'").fetchall() == [("failed",)]
    finally:
        con.close()
