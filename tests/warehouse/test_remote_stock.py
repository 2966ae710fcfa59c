"""A stock given by URL goes through the project's HTTP client into the cache; an unchanged remote file is not
downloaded again and the month is a no-op."""

import time

from radar.config import Workdir
from steps import sirene_month as steps
from tests.fakes.http_server import FakeServer, Reply, StaticFile
from tests.warehouse.months import load, write_months


def test_stock_files_by_url_are_cached_and_recognised(tmp_path):
    stock = write_months(tmp_path, fmt="parquet")
    etab, ul = stock["2024-10"]
    wd = Workdir(tmp_path / "wd")
    with FakeServer() as server:
        server.route("/datasets/r/etab", Reply.redirect("/files/StockEtablissement_utf8.parquet"))
        server.route("/datasets/r/ul", Reply.redirect("/files/StockUniteLegale_utf8.parquet"))
        server.route("/files/StockEtablissement_utf8.parquet", StaticFile(etab.read_bytes()))
        server.route("/files/StockUniteLegale_utf8.parquet", StaticFile(ul.read_bytes()))
        urls = server.url("/datasets/r/etab"), server.url("/datasets/r/ul")
        assert load(wd, *urls, "2024-10")["status"] == "loaded"
        sent = len(server.requests_for("/files/StockEtablissement_utf8.parquet"))
        again = load(wd, *urls, "2024-10")
        second = server.requests_for("/files/StockEtablissement_utf8.parquet")[sent:]
    assert again["status"] == "unchanged"
    # The second time, a conditional GET: the server answers 304 and no body is transferred.
    assert second and all(r.headers.get("if-none-match") for r in second)
    cached = list((wd.cache / "downloads").rglob("StockEtablissement_utf8.parquet"))
    assert len(cached) == 1 and cached[0].read_bytes() == etab.read_bytes()
    assert all("EcosystemRadar" in r.headers.get("user-agent", "") for r in server.requests_for("/datasets/r/etab"))


def test_old_landing_is_pruned_after_its_retention(tmp_path):
    stock = write_months(tmp_path)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    manifests = list((wd.landing / "sirene").glob("*/*/manifest.json"))
    assert len(manifests) == 1
    assert steps.prune_landing(wd, retention_days=400) == 0
    old = time.time() - 401 * 86400
    import os
    os.utime(manifests[0], (old, old))
    assert steps.prune_landing(wd, retention_days=400) == 1
    assert not manifests[0].parent.exists()
