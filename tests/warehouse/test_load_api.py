"""API sources loaded through the real steps against loopback fakes, into real DuckDB files: one transaction per
source, interruption + restart (T07), equal-cursor late arrivals (T10), quarantine (T22), cancellations, events,
companies in difficulty, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from extractors import insee_sirene
from radar.config import Workdir, load_territory
from steps import api_sources
from steps.common import prepare_warehouse
from tests.fakes import bodacc_fake, insee_fake, recherche_fake
from tests.fakes.http_server import FakeServer, Reply
from tests.oracles import table_hashes

CANARY = "SECRET-CANARY-7f3a"
SKIP = ("meta.run", "meta.source_state")
S1, S2, S3 = "552100554", "443061841", "356000000"


@pytest.fixture
def wd(tmp_path) -> Workdir:
    w = Workdir(tmp_path / "wd")
    prepare_warehouse(w)
    con = duckdb.connect(str(w.warehouse))
    for siren, naf in ((S1, "62.01Z"), (S2, "47.11A")):
        con.execute("INSERT INTO core.company (siren, denomination, naf_code, state, legal_form, head_office_nic, "
                    "statut_diffusion) VALUES (?, ?, ?, 'A', '5710', '00011', 'O')", [siren, f"SOC {siren}", naf])
        con.execute("INSERT INTO core.establishment (siret, siren, nic, commune_code, in_territory, state) "
                    "VALUES (?, ?, '00011', '92040', true, 'A')", [siren + "00011", siren])
    con.close()
    return w


def _query(w: Workdir, sql: str) -> list[tuple]:
    con = duckdb.connect(str(w.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _policies(srv: FakeServer) -> dict:
    return {"127.0.0.1": 1000.0}


def test_insee_interruption_then_restart_converges(wd, monkeypatch):  # T07
    monkeypatch.setenv("INSEE_API_KEY", CANARY)
    monkeypatch.setattr(insee_sirene, "PAGE_SIZE", 2)
    rows = [insee_fake.etablissement(insee_fake.valid_siren(i), f"2026-10-0{1 + i % 3}T10:00:00.000")
            for i in range(7)]
    before = table_hashes(wd.warehouse, skip=SKIP)
    with FakeServer() as srv:
        insee_fake.serve(srv, rows, key=CANARY, faults={3: Reply.json({"header": {"statut": 400}}, 400)})
        failed = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                        policies=_policies(srv), since="2026-10-01")
        assert failed["status"] == "failed" and CANARY not in json.dumps(failed)
        assert table_hashes(wd.warehouse, skip=SKIP) == before  # UNCHANGED
        assert _query(wd, "SELECT count(*) FROM meta.source_state WHERE source = 'insee'") == [(0,)]
        ok = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                    policies=_policies(srv), since="2026-10-01")
    assert ok["status"] == "loaded"
    assert _query(wd, "SELECT count(*), count(DISTINCT siret) FROM api.insee_establishment_delta") == [(7, 7)]
    assert _query(wd, "SELECT status FROM meta.run WHERE flow = 'api_insee' ORDER BY started_at") == [
        ("failed",), ("success",)]
    assert _query(wd, "SELECT value FROM meta.source_state WHERE source = 'insee'") == [("2026-10-03T10:00:00.000",)]
    landed = "".join(p.read_text() for p in wd.landing.rglob("*.json"))
    assert CANARY not in landed


def test_a_maintenance_page_instead_of_json_is_kept_for_reading_and_changes_nothing(wd, monkeypatch):  # T06
    monkeypatch.setenv("INSEE_API_KEY", CANARY)
    rows = [insee_fake.etablissement(insee_fake.valid_siren(i), "2026-10-01T10:00:00.000") for i in range(3)]
    page = f"<html><body>Maintenance en cours ({CANARY})</body></html>"
    before = table_hashes(wd.warehouse, skip=SKIP)
    with FakeServer() as srv:
        insee_fake.serve(srv, rows, key=CANARY, faults={1: Reply.html(page)})
        out = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                     policies=_policies(srv), since="2026-10-01")
    assert out["status"] == "failed" and table_hashes(wd.warehouse, skip=SKIP) == before
    kept = Path(out["rejected"])
    assert kept.read_bytes().startswith(b"<html><body>Maintenance en cours (")
    assert CANARY.encode() not in kept.read_bytes()  # the key the fake echoed is redacted
    meta = json.loads(kept.with_name("rejected.json").read_text())
    assert meta["status"] == 200 and meta["content_type"].startswith("text/html") and CANARY not in json.dumps(meta)
    [(message,)] = _query(wd, "SELECT message FROM meta.run WHERE flow = 'api_insee'")
    assert message.endswith(f"(the response is kept in {kept})")


def test_insee_equal_cursor_late_arrivals_are_loaded_once(wd, monkeypatch):  # T10
    monkeypatch.setenv("INSEE_API_KEY", CANARY)
    stamp = "2026-10-05T08:00:00.000"
    rows = [insee_fake.etablissement(insee_fake.valid_siren(i), stamp) for i in range(3)]
    with FakeServer() as srv:
        insee_fake.serve(srv, rows, key=CANARY)
        kw = {"endpoints": {"insee": srv.url("")}, "policies": _policies(srv)}
        assert api_sources.run_source(wd, load_territory(), "insee", since="2026-10-01", **kw)["status"] == "loaded"
        rows += [insee_fake.etablissement(insee_fake.valid_siren(10 + i), stamp) for i in range(2)]  # same stamp
        second = api_sources.run_source(wd, load_territory(), "insee", **kw)  # from the stored cursor
    assert second["counts"]["since"] == stamp and second["counts"]["loaded"] == 5
    assert _query(wd, "SELECT count(*), count(DISTINCT siret) FROM api.insee_establishment_delta") == [(5, 5)]


def test_insee_without_key_is_skipped(wd, monkeypatch):
    monkeypatch.delenv("INSEE_API_KEY", raising=False)
    out = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": "http://127.0.0.1:9"})
    assert out["status"] == "skipped"
    assert _query(wd, "SELECT status FROM meta.run WHERE flow = 'api_insee'") == [("skipped",)]


def _notices() -> list[dict]:
    opening = {"type": "initial", "famille": "Jugement d'ouverture", "date": "2026-09-20",
               "nature": "Jugement d'ouverture d'une procédure de redressement judiciaire"}
    return [
        bodacc_fake.notice(1, S1, "2026-09-25", "collective", jugement=opening),
        bodacc_fake.notice(2, S2, "2026-09-10", "collective", jugement={**opening, "date": "2026-09-01",
                           "nature": "Jugement d'ouverture d'une procédure de liquidation judiciaire"}),
        bodacc_fake.notice(3, S2, "2026-10-10", "collective", jugement={**opening, "date": "2026-10-01",
                           "nature": "Jugement de clôture pour insuffisance d'actif"}),
        bodacc_fake.notice(4, S1, "2026-09-26", "dpc", depot={"dateCloture": "2025-12-31"}),
        bodacc_fake.notice(5, S1, "2026-10-02", "dpc", typeavis="annulation",
                           previous={"nomPublication": "BODACC A", "numeroParution": "20260100", "numeroAnnonce": "4"}),
        bodacc_fake.notice(6, S2, "2026-10-03", "radiation", person="pp", radiationaurcs={"radiationPM": "O"}),
        bodacc_fake.notice(7, S2, "2026-10-04", "vente"),
    ]


def _run_bodacc(wd: Workdir, srv: FakeServer, **kw) -> dict:
    return api_sources.run_source(wd, load_territory(), "bodacc", endpoints={"bodacc": bodacc_fake.base_url(srv)},
                                  policies=_policies(srv), today="2026-10-31", **kw)


def test_bodacc_cancellations_events_difficulty_and_idempotence(wd):
    with FakeServer() as srv:
        bodacc_fake.serve(srv, _notices())
        assert _run_bodacc(wd, srv, since="2026-09-01")["status"] == "loaded"
        first = table_hashes(wd.warehouse, skip=SKIP)
        again = _run_bodacc(wd, srv)  # incremental: cursor 2026-10-10 minus the look-back
    assert again["counts"]["window"][0] == "2026-10-03"
    assert table_hashes(wd.warehouse, skip=SKIP) == first  # nothing loaded twice
    assert _query(wd, "SELECT notice_id, is_cancelled FROM api.bodacc_notice WHERE family = 'dpc' ORDER BY 1") == [
        ("A202601004", True), ("A202601005", True)]
    kinds = _query(wd, "SELECT kind, siren, details->>'procedure' FROM core.event WHERE source = 'bodacc' "
                       "ORDER BY 1, 2")
    assert kinds == [("insolvency", S2, "liquidation"), ("insolvency", S1, "redressement"),
                     ("sale", S2, None), ("strike_off", S2, None)]
    con = duckdb.connect(str(wd.warehouse))
    try:
        from warehouse.load_sirene import create_views
        create_views(con)
        difficulty = con.execute("SELECT siren, procedure, notice_id FROM pub.company_in_difficulty").fetchall()
        text = json.dumps(con.execute("SELECT * FROM pub.notice").df().astype(str).to_dict("records"))
    finally:
        con.close()
    assert difficulty == [(S1, "redressement", "A202601001")]  # S2's procedure was closed
    assert "DURAND" not in text and "Paul" not in text
    assert _query(wd, "SELECT value FROM meta.source_state WHERE source = 'bodacc'") == [("2026-10-10",)]


def test_bodacc_failure_mid_load_leaves_the_warehouse_unchanged(wd, monkeypatch):
    before = table_hashes(wd.warehouse, skip=SKIP)
    monkeypatch.setenv("RADAR_FAIL_AT", "before_commit")
    with FakeServer() as srv:
        bodacc_fake.serve(srv, _notices())
        out = _run_bodacc(wd, srv, since="2026-09-01")
    assert out["status"] == "failed" and "injected failure" in out["error"]
    assert table_hashes(wd.warehouse, skip=SKIP) == before


def test_recherche_quarantine_below_and_above_the_threshold(wd):  # T22
    good = [recherche_fake.company(insee_fake.valid_siren(i), ["92040"]) for i in range(39)]
    bad = recherche_fake.company("552100555", ["92040"])
    with FakeServer() as srv:
        route = recherche_fake.serve(srv, good + [bad])
        kw = {"endpoints": {"recherche": srv.url("")}, "policies": _policies(srv), "naf_codes": ["62.01Z"]}
        t = load_territory()
        out = api_sources.run_source(wd, t, "recherche", **kw)
        assert out["status"] == "loaded"
        c = out["counts"]
        assert (c["loaded"], c["quarantined"]) == (39, 1)
        assert c["rows_in"] == c["loaded"] + c["quarantined"] + c["deduplicated"] + c["out_of_territory"]
        assert _query(wd, "SELECT rule, key FROM quarantine.api") == [("siren_invalid", "552100555")]
        before = table_hashes(wd.warehouse, skip=SKIP)
        route.emulator.companies += [recherche_fake.company(f"55210055{i}", ["92040"]) for i in range(5, 9)]
        worse = api_sources.run_source(wd, t, "recherche", **kw)
    assert worse["status"] == "failed" and "QuarantineExceeded" in worse["error"]
    assert table_hashes(wd.warehouse, skip=SKIP) == before
    officers = _query(wd, "SELECT officer_sirens, dirigeants_count FROM api.company_enrichment LIMIT 1")
    assert officers == [(["356000000"], 2)]
    assert "DUPONT" not in "".join(p.read_text() for p in wd.landing.rglob("*.json"))


def test_insee_deltas_raise_provisional_events_until_the_next_stock(wd, monkeypatch):
    from warehouse.current_state import apply_insee_deltas
    from warehouse.reference import load_reference

    monkeypatch.setenv("INSEE_API_KEY", CANARY)
    s3 = insee_fake.valid_siren(50)
    a, b, c = (insee_fake.siret_of(s) for s in (S1, S2, s3))
    con = duckdb.connect(str(wd.warehouse))
    load_reference(con, load_territory())
    for siret, siren in ((a, S1), (b, S2)):
        con.execute("""INSERT INTO core.establishment_monthly (month, siret, siren, nic, commune_code, in_territory,
                       state, headcount_band, naf_code, naf_nomenclature, last_processed_at)
                       VALUES ('2026-09-01', ?, ?, ?, '92040', true, 'A', '00', '62.01Z', 'NAFRev2',
                               '2026-09-15 00:00:00')""", [siret, siren, siret[9:]])
        con.execute("""INSERT INTO core.establishment (siret, siren, nic, commune_code, in_territory, state,
                       headcount_band, naf_code, last_processed_at)
                       VALUES (?, ?, ?, '92040', true, 'A', '00', '62.01Z', '2026-09-15 00:00:00')""",
                    [siret, siren, siret[9:]])
    con.close()
    deltas = [insee_fake.etablissement(S1, "2026-10-05T10:00:00.000", state="F"),
              insee_fake.etablissement(S2, "2026-10-06T10:00:00.000", trancheEffectifsEtablissement="11"),
              insee_fake.etablissement(s3, "2026-10-07T10:00:00.000")]
    with FakeServer() as srv:
        insee_fake.serve(srv, deltas, key=CANARY)
        out = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                     policies=_policies(srv), since="2026-10-01")
    assert out["status"] == "loaded", out
    events = _query(wd, "SELECT kind, siren, strftime(month, '%Y-%m') FROM core.event WHERE source = 'insee' "
                        "ORDER BY siren")
    assert events == [("creation", s3, "2026-10"), ("headcount_change", S2, "2026-10"), ("closure", S1, "2026-10")]
    assert _query(wd, f"SELECT state FROM core.establishment WHERE siret = '{a}'") == [("F",)]
    # The October stock arrives with the same changes: the provisional events give way (no double counting).
    con = duckdb.connect(str(wd.warehouse))
    for siret, siren, state, band, stamp in ((a, S1, "F", "00", "2026-10-05 10:00:00"),
                                             (b, S2, "A", "11", "2026-10-06 10:00:00"),
                                             (c, s3, "A", "NN", "2026-10-07 10:00:00")):
        con.execute("""INSERT INTO core.establishment_monthly (month, siret, siren, nic, commune_code, in_territory,
                       state, headcount_band, naf_code, naf_nomenclature, last_processed_at)
                       VALUES ('2026-10-01', ?, ?, ?, '92040', true, ?, ?, '62.01Z', 'NAFRev2', ?)""",
                    [siret, siren, siret[9:], state, band, stamp])
    apply_insee_deltas(con)
    remaining = con.execute("SELECT count(*) FROM core.event WHERE source = 'insee'").fetchone()[0]
    con.close()
    assert remaining == 0
