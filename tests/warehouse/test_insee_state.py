"""INSEE deltas in the current state and head-office transfers, through the real steps: a real stock month loaded,
then the INSEE source run against the loopback fake (API 3.11 records built from the same rows a later stock
shows), then that later stock: provisional events give way to the monthly comparison, nothing counted twice."""

from __future__ import annotations

import json

import duckdb
import pytest

from cli.summary import _lines as summary_lines
from radar.config import Workdir, load_territory
from steps import api_sources
from steps.common import publish
from tests.builders import etab_row, siren, siret, ul_row, write_stock
from tests.fakes import insee_fake
from tests.fakes.http_server import FakeServer
from tests.oracles import table_hashes
from tests.warehouse.months import load

KEY = "SECRET-CANARY-insee"
SKIP = ("meta.run", "meta.source_state")
K, M, U, X, W, N, O = (siren(i) for i in range(21, 28))
SEPT = "2026-09-10T10:00:00"


def _nic(s: str, i: int = 1) -> str:
    return siret(s, i)[9:]


def september() -> tuple[list[dict], list[dict]]:
    """K tech head office in Issy; M head office in Paris with a branch in Boulogne; X head office in Issy;
    W head office in Boulogne. U, N and O are not followed yet."""
    p = {"processed": SEPT}
    etabs = [
        etab_row(siret(K), band="01", **p),
        etab_row(siret(M), commune="75115", **p), etab_row(siret(M, 2), commune="92012", head=False, **p),
        etab_row(siret(X), **p),
        etab_row(siret(W), commune="92012", **p),
    ]
    units = [ul_row(s, name=f"SOCIETE {s}", head_nic=_nic(s), processed=SEPT) for s in (K, M, X, W)]
    return etabs, units


# What happened in October, as INSEE processed it (day, facts); the October stock shows exactly these rows.
def october() -> tuple[list[dict], list[dict], list[dict]]:
    """(establishments, legal units, rows changed in October). K grows and changes activity and street; M moves
    its head office from Paris into Issy; U (not followed) moves its head office from Paris into Sèvres; X moves
    its head office from Issy to Paris 8e; W moves its head office within the territory; N, a withheld natural
    person, and O, a company, are created."""
    etabs, units = september()
    by = {e["siret"]: e for e in etabs}
    stamp = lambda day: f"2026-10-{day:02d}T10:00:00"
    by[siret(K)].update(trancheEffectifsEtablissement="11", activitePrincipaleEtablissement="62.02A",
                        libelleVoieEtablissement="AVENUE NOUVELLE", dateDernierTraitementEtablissement=stamp(2))
    by[siret(M)].update(etatAdministratifEtablissement="F", dateDebut="2026-10-03", etablissementSiege="false",
                        dateDernierTraitementEtablissement=stamp(3))
    by[siret(X)].update(etatAdministratifEtablissement="F", dateDebut="2026-10-06", etablissementSiege="false",
                        dateDernierTraitementEtablissement=stamp(6))
    by[siret(W)].update(etatAdministratifEtablissement="F", dateDebut="2026-10-07", etablissementSiege="false",
                        dateDernierTraitementEtablissement=stamp(7))
    new = [
        etab_row(siret(M, 3), created="2026-10-03", processed=stamp(3)),
        etab_row(siret(U), commune="75115", state="F", period_start="2026-10-04", head=False, created="2012-05-01",
                 processed=stamp(4)),
        etab_row(siret(U, 2), commune="92072", created="2026-10-04", processed=stamp(4)),
        etab_row(siret(X, 2), commune="75108", created="2026-10-06", processed=stamp(6)),
        etab_row(siret(W, 2), commune="92040", created="2026-10-07", processed=stamp(7)),
        etab_row(siret(N), status="P", street="RUE SECRETE", naf="62.01Z", created="2026-10-08",
                 enseigne1Etablissement="CHEZ MARIE", processed=stamp(8)),
        etab_row(siret(O), commune="92048", naf="58.29C", band="02", street="RUE DES ETANGS", created="2026-10-09",
                 x="643000.0", y="6854000.0", codePostalEtablissement="92190", libelleCommuneEtablissement="MEUDON",
                 processed=stamp(9)),
    ]
    changed_units = {
        M: ul_row(M, name=f"SOCIETE {M}", head_nic=_nic(M, 3), processed=stamp(3)),
        U: ul_row(U, name="URANUS DATA", head_nic=_nic(U, 2), created="2012-05-01", processed=stamp(4)),
        X: ul_row(X, name=f"SOCIETE {X}", head_nic=_nic(X, 2), processed=stamp(6)),
        W: ul_row(W, name=f"SOCIETE {W}", head_nic=_nic(W, 2), processed=stamp(7)),
        N: ul_row(N, name="", legal_form="1000", status="P", nomUniteLegale="DUPONT", prenom1UniteLegale="MARIE",
                  prenomUsuelUniteLegale="MARIE", created="2026-10-08", head_nic=_nic(N), processed=stamp(8)),
        O: ul_row(O, name="OMEGA EDITIONS", naf="58.29C", legal_form="5710", created="2026-10-09", head_nic=_nic(O),
                  processed=stamp(9)),
    }
    units = [changed_units.get(u["siren"], u) for u in units] + [
        changed_units[s] for s in (U, N, O)]
    changed = [by[siret(s)] for s in (K, M, X, W)] + new
    return list(by.values()) + new, units, changed


def api_records(changed: list[dict], units: list[dict]) -> list[dict]:
    by_siren = {u["siren"]: u for u in units}
    return [insee_fake.from_stock(e, by_siren[e["siren"]]) for e in changed]


@pytest.fixture
def wd(tmp_path) -> Workdir:
    w = Workdir(tmp_path / "wd")
    etab, ul = write_stock(tmp_path / "stock" / "2026-09", *september())
    assert load(w, etab, ul, "2026-09")["status"] == "loaded"
    return w


def _run(w: Workdir, records: list[dict], **kw) -> dict:
    with FakeServer() as srv:
        insee_fake.serve(srv, records, key=KEY)
        out = api_sources.run_source(w, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                     policies={"127.0.0.1": 1000.0}, **kw)
        out["queries"] = [r.query["q"] for r in srv.requests_for("/siret")]
    return out


def _q(w: Workdir, sql: str) -> list[tuple]:
    con = duckdb.connect(str(w.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _events(w: Workdir, source: str) -> list[tuple]:
    return _q(w, f"""SELECT kind, siren, details->>'from_commune', details->>'to_commune' FROM core.event
                     WHERE source = '{source}' ORDER BY kind, siren""")


EXPECTED = sorted([
    ("creation", N, None, None), ("creation", O, None, None),
    ("headcount_change", K, None, None), ("sector_change", K, None, None),
    ("move_in", M, "75115", None), ("move_in", U, "75115", None), ("move_out", X, None, "75108"),
])


def test_deltas_update_the_current_state_and_raise_the_monthly_comparisons_events(wd, monkeypatch):
    monkeypatch.setenv("INSEE_API_KEY", KEY)
    _, units, changed = october()
    out = _run(wd, api_records(changed, units), since="2026-10-01")
    assert out["status"] == "loaded", out
    # The other side of the transfers is fetched by SIREN: X's and W's closed head offices, M's, U's and W's new
    # head offices (O and N are new head offices too: the lookup finds nothing else for them).
    lookups = sorted({q for q in out["queries"] if q.startswith("siren:")})
    assert lookups == sorted(f"siren:{s}" for s in (M, U, X, W, N, O))
    assert out["counts"]["siren_lookups"] == 6
    assert _events(wd, "insee") == EXPECTED  # W's transfer within the territory: no event at all

    # New establishments join the current state with the fields the API gives.
    row = _q(wd, f"""SELECT commune_code, commune_name, postcode, street_name, naf_code, state, headcount_band,
                            is_head_office, statut_diffusion, round(latitude, 3), round(longitude, 3), in_territory,
                            state_source, first_seen_month, last_seen_month
                     FROM core.establishment WHERE siret = '{siret(O)}'""")
    assert row == [("92048", "MEUDON", "92190", "RUE DES ETANGS", "58.29C", "A", "02", True, "O", 48.784, 2.224,
                    True, "insee", None, None)]
    assert _q(wd, f"SELECT denomination, legal_form, head_office_nic, naf_code, state_source FROM core.company "
                  f"WHERE siren = '{O}'") == [("OMEGA EDITIONS", "5710", _nic(O), "58.29C", "insee")]
    # An existing establishment takes the newer state.
    assert _q(wd, f"SELECT headcount_band, naf_code, street_name, state_source FROM core.establishment "
                  f"WHERE siret = '{siret(K)}'") == [("11", "62.02A", "AVENUE NOUVELLE", "insee")]
    # Transfers: the new head offices inside are followed, the one outside is not; companies point to them.
    assert _q(wd, f"SELECT siret FROM core.establishment WHERE siren IN ('{M}', '{U}', '{X}', '{W}') AND state = 'A'"
                  " AND in_territory ORDER BY 1") == sorted([(siret(M, 2),), (siret(M, 3),), (siret(U, 2),),
                                                             (siret(W, 2),)])
    assert _q(wd, f"SELECT head_office_nic FROM core.company WHERE siren = '{X}'") == [(_nic(X, 2),)]
    assert _q(wd, f"SELECT count(*) FROM core.establishment WHERE siret = '{siret(X, 2)}'") == [(0,)]
    # The cursor comes from the territory query only.
    assert _q(wd, "SELECT value FROM meta.source_state WHERE source = 'insee'") == [("2026-10-09T10:00:00",)]
    # The run's summary counts them apart from the registry's events.
    publish(wd, load_territory())
    lines = summary_lines(wd, 1.0)
    assert "events by kind:    none" in lines
    assert any(line.startswith(f"provisional:       {len(EXPECTED)} events from INSEE deltas") for line in lines)

    # The October stock arrives with the same facts: only the monthly comparison's events remain, once each.
    etabs, units, _ = october()
    etab, ul = write_stock(wd.root / "stock-oct", etabs, units)
    assert load(wd, etab, ul, "2026-10")["status"] == "loaded"
    assert _events(wd, "insee") == []
    assert _events(wd, "sirene") == EXPECTED
    assert _q(wd, "SELECT DISTINCT state_source FROM core.establishment") == [("sirene",)]
    lines = summary_lines(wd, 1.0)
    assert not any(line.startswith("provisional:") for line in lines)
    assert "creation 2" in next(line for line in lines if line.startswith("events by kind:"))
    assert _q(wd, f"SELECT first_seen_month::VARCHAR, round(latitude, 3), round(longitude, 3) FROM "
                  f"core.establishment WHERE siret = '{siret(O)}'") == [("2026-10-01", 48.784, 2.224)]


def test_a_withheld_unit_from_the_deltas_is_masked_like_a_stock_row(wd, monkeypatch):
    monkeypatch.setenv("INSEE_API_KEY", KEY)
    _, units, changed = october()
    records = [r for r in api_records(changed, units) if r["siren"] == N]
    # As if INSEE had not masked them: the product must not republish them anyway.
    assert records[0]["adresseEtablissement"]["libelleVoieEtablissement"] == "RUE SECRETE"
    assert records[0]["uniteLegale"]["nomUniteLegale"] == "DUPONT"
    assert _run(wd, records, since="2026-10-01")["status"] == "loaded"
    assert _q(wd, f"SELECT statut_diffusion, state_source FROM core.establishment WHERE siret = '{siret(N)}'") == [
        ("P", "insee")]
    assert _q(wd, f"SELECT statut_diffusion, legal_form FROM core.company WHERE siren = '{N}'") == [("P", "1000")]
    landed = "".join(p.read_text() for p in wd.landing.rglob("*.json"))
    assert N in landed and not any(s in landed for s in ("RUE SECRETE", "DUPONT", "MARIE", KEY))
    publish(wd, load_territory())
    con = duckdb.connect(str(wd.published), read_only=True)
    try:
        est = con.execute(f"SELECT name, sign, street_address, latitude, longitude, state_source "
                          f"FROM establishment WHERE siret = '{siret(N)}'").fetchall()
        company = con.execute(f"SELECT name, state_source FROM company WHERE siren = '{N}'").fetchall()
        dump = json.dumps([con.execute(f"SELECT * FROM {t}").fetchall() for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables()").fetchall()], default=str)
    finally:
        con.close()
    assert est == [(None, None, None, None, None, "insee")] and company == [(None, "insee")]
    assert not any(s in dump for s in ("RUE SECRETE", "DUPONT", "MARIE"))


def test_rerun_over_the_same_window_changes_nothing(wd, monkeypatch):
    monkeypatch.setenv("INSEE_API_KEY", KEY)
    _, units, changed = october()
    records = api_records(changed, units)
    assert _run(wd, records, since="2026-10-01")["status"] == "loaded"
    first = table_hashes(wd.warehouse, skip=SKIP)
    again = _run(wd, records)  # from the stored cursor: the ties at 2026-10-09T10:00:00 come back
    assert again["status"] == "loaded" and again["counts"]["since"] == "2026-10-09T10:00:00"
    assert again["counts"]["rows_in"] >= 1
    assert _run(wd, records, since="2026-10-01")["status"] == "loaded"  # the whole window again
    assert table_hashes(wd.warehouse, skip=SKIP) == first
    assert _events(wd, "insee") == EXPECTED


@pytest.mark.parametrize("point", ["mid_load", "before_commit"])
def test_a_failure_during_the_load_leaves_the_warehouse_unchanged(wd, monkeypatch, point):
    monkeypatch.setenv("INSEE_API_KEY", KEY)
    _, units, changed = october()
    before = table_hashes(wd.warehouse, skip=("meta.run",))
    monkeypatch.setenv("RADAR_FAIL_AT", point)
    out = _run(wd, api_records(changed, units), since="2026-10-01")
    assert out["status"] == "failed" and "injected failure" in out["error"]
    assert table_hashes(wd.warehouse, skip=("meta.run",)) == before
