"""The api-sources flow: each source isolated (T03: BODACC failing with 503 does not stop the others), snapshot
published with the new tables, the key never in results, landing or snapshot (T27)."""

from __future__ import annotations

import json

import duckdb
import pytest

from extractors import insee_sirene
from radar.config import Workdir
from tests.fakes import bodacc_fake, insee_fake, recherche_fake
from tests.fakes.http_server import FakeServer, Reply

pytestmark = pytest.mark.flow
CANARY = "SECRET-CANARY-7f3a"


def test_one_failing_source_does_not_stop_the_others(prefect_harness, tmp_path, monkeypatch):
    from flows.api_sources import api_sources

    monkeypatch.setenv("INSEE_API_KEY", CANARY)
    monkeypatch.setattr(insee_sirene, "PAGE_SIZE", 2)
    with FakeServer() as srv:
        recherche_fake.serve(srv, [recherche_fake.company("552100554", ["92040"])])
        insee_fake.serve(srv, [insee_fake.etablissement(insee_fake.valid_siren(i), "2026-10-01T00:00:00.000")
                               for i in range(3)], key=CANARY)
        bodacc_fake.serve(srv, [], faults={i: Reply(503, b"busy") for i in range(1, 10)})
        result = api_sources(sources=["recherche", "insee", "bodacc"], since="2026-09-01",
                             workdir=str(tmp_path / "wd"),
                             endpoints={"recherche": srv.url(""), "insee": srv.url(""),
                                        "bodacc": bodacc_fake.base_url(srv)},
                             policies={"127.0.0.1": 1000.0})
    status = {r["source"]: r["status"] for r in result["sources"]}
    assert status == {"recherche": "loaded", "insee": "loaded", "bodacc": "failed"}
    error = next(r["error"] for r in result["sources"] if r["source"] == "bodacc")
    assert "BODACC failed after 4 attempts: 503" in error
    wd = Workdir(tmp_path / "wd")
    snap = duckdb.connect(str(wd.published), read_only=True)
    try:
        tables = {r[0] for r in snap.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert {"notice", "company_in_difficulty", "company_enrichment"} <= tables
        assert snap.execute("SELECT siren, dirigeants_count FROM company_enrichment").fetchall() == [("552100554", 2)]
        comments = snap.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'notice' "
                                "AND comment IS NULL").fetchone()[0]
        assert comments == 0
    finally:
        snap.close()
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    try:
        runs = dict(con.execute("SELECT flow, status FROM meta.run WHERE flow LIKE 'api_%'").fetchall())
    finally:
        con.close()
    assert runs == {"api_recherche": "success", "api_insee": "success", "api_bodacc": "failed"}
    everything = json.dumps(result, default=str) + "".join(p.read_text() for p in wd.landing.rglob("*.json"))
    assert CANARY not in everything and CANARY.encode() not in wd.published.read_bytes()


def test_radar_api_command_reports_each_source_and_fails_when_one_does(prefect_harness, tmp_path):
    from click.testing import CliRunner

    from cli.main import main

    wd = tmp_path / "wd"
    with FakeServer() as srv:
        recherche_fake.serve(srv, [recherche_fake.company("552100554", ["92040"])])
        bodacc_fake.serve(srv, [], faults={i: Reply(503, b"busy") for i in range(1, 10)})
        common = ["--workdir", str(wd), "--since", "2026-09-01", "--rate", "127.0.0.1=1000",
                  "--endpoint", f"recherche={srv.url('')}", "--endpoint", f"bodacc={bodacc_fake.base_url(srv)}"]
        ok = CliRunner().invoke(main, ["api", "--source", "recherche", *common])
        failing = CliRunner().invoke(main, ["api", "--source", "bodacc", *common])
        bad = CliRunner().invoke(main, ["api", "--since", "hier", *common[:2]])
    assert ok.exit_code == 0, ok.output
    assert "recherche  loaded   1 loaded" in ok.output
    assert failing.exit_code == 1
    assert "bodacc     failed" in failing.output and "radar: error: source(s) failed: bodacc" in failing.output
    assert bad.exit_code == 1 and "bad --since 'hier'" in bad.output
    assert Workdir(wd).published.is_file()
