"""The synthetic SIRENE generator: official layout, determinism, and the cases the loader must handle."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from demo.generator import Place, generate_demo, main, write_scale_stock
from radar.config import load_territory
from radar.identifiers import is_valid_siren, is_valid_siret
from radar.sirene_schema import (
    ETABLISSEMENT_COLUMNS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_COLUMNS,
)

NEIGHBOURS = {"92023", "92076", "92062", "75115", "75116", "92049"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    # 14 months from 2024-11: covers the diffusion change of month 13 and NAF 2025 from 2025-12.
    return generate_demo(tmp_path_factory.mktemp("demo"), months=14, companies=150, seed=7)


_DB = duckdb.connect()


def read(path: Path) -> list[dict]:
    rel = _DB.sql(f"SELECT * FROM '{path}'")
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def latest_by_siret(rows: list[dict]) -> dict[str, dict]:
    """What a loader keeps: one row per SIRET, the most recently processed."""
    out: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: r["dateDernierTraitementEtablissement"]):
        out[row["siret"]] = row
    return out


def test_each_month_has_both_files_with_the_official_columns(demo):
    assert [m["month"] for m in demo][:2] == ["2024-11", "2024-12"]
    for month in demo:
        for key, columns in (("etablissements", ETABLISSEMENT_COLUMNS), ("unites_legales", UNITE_LEGALE_COLUMNS)):
            path = month[key]
            assert path.parent.name == month["month"] and path.is_file()
            assert tuple(_DB.sql(f"SELECT * FROM '{path}' LIMIT 0").columns) == columns
    described = _DB.sql(f"DESCRIBE SELECT * FROM '{demo[0]['etablissements']}'").fetchall()
    types = {name: kind for name, kind, *_ in described}
    assert types["dateCreationEtablissement"] == types["dateDebut"] == "DATE"
    assert types["etablissementSiege"] == "BOOLEAN"
    assert types["dateDernierTraitementEtablissement"] == "TIMESTAMP"
    assert types["siren"] == types["trancheEffectifsEtablissement"] == "VARCHAR"
    assert not list(demo[0]["etablissements"].parent.glob("*.tmp"))


@pytest.mark.parametrize("fmt", ["parquet", "zip"])
def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path, fmt):
    runs = [generate_demo(tmp_path / name, months=2, companies=60, seed=seed, fmt=fmt)
            for name, seed in (("a", 3), ("b", 3), ("c", 4))]
    for key in ("etablissements", "unites_legales"):
        a, b, c = (run[-1][key].read_bytes() for run in runs)
        assert a == b
        assert a != c


def test_identifiers_pass_luhn_except_the_deliberately_invalid_rows(demo):
    for month in demo:
        ets, uls = read(month["etablissements"]), read(month["unites_legales"])
        assert all(is_valid_siren(r["siren"]) and len(r["siren"]) == 9 for r in ets)
        assert all(r["siret"] == r["siren"] + r["nic"] and len(r["siret"]) == 14 for r in ets)
        assert sum(not is_valid_siret(r["siret"]) for r in ets) == month["events"]["invalid_siret"] >= 1
        assert sum(not is_valid_siren(r["siren"]) for r in uls) == month["events"]["invalid_siren_ul"] >= 1


def test_territory_and_neighbouring_communes_are_both_present(demo):
    gpso = set(load_territory().commune_codes)
    communes = [r["codeCommuneEtablissement"] for r in read(demo[-1]["etablissements"])]
    assert gpso & set(communes) and NEIGHBOURS & set(communes)
    assert set(communes) <= gpso | NEIGHBOURS
    assert 0.5 < sum(c in gpso for c in communes) / len(communes) < 0.8


def test_partially_diffusible_units_hide_names_and_addresses_but_not_commune_or_activity(demo):
    ets, uls = read(demo[-1]["etablissements"]), read(demo[-1]["unites_legales"])
    hidden = {u["siren"]: u for u in uls if u["statutDiffusionUniteLegale"] == "P"}
    people = [u for u in hidden.values() if u["categorieJuridiqueUniteLegale"] == "1000"]
    companies = [u for u in hidden.values() if u["categorieJuridiqueUniteLegale"] != "1000"]
    assert people and companies
    assert all(u[f] == "[ND]" for u in people for f in PERSONAL_UNITE_LEGALE)
    assert all(u["denominationUniteLegale"] not in (None, "[ND]") for u in companies)
    hidden_ets = [e for e in ets if e["siren"] in hidden]
    assert hidden_ets and all(e["statutDiffusionEtablissement"] == "P" for e in hidden_ets)
    for e in hidden_ets:
        assert all(e[f] == "[ND]" for f in PERSONAL_ETABLISSEMENT)
        for f in ("codeCommuneEtablissement", "codePostalEtablissement", "activitePrincipaleEtablissement"):
            assert e[f] not in (None, "[ND]")
    public = [e for e in ets if e["statutDiffusionEtablissement"] == "O"]
    assert not any("[ND]" in str(v) for e in public for v in e.values())


def test_an_individual_becomes_partially_diffusible_on_month_13(demo):
    def status(month):
        return {u["siren"]: u for u in read(month["unites_legales"])
                if u["categorieJuridiqueUniteLegale"] == "1000" and is_valid_siren(u["siren"])}

    before, after = status(demo[11]), status(demo[12])
    flipped = [s for s, u in before.items()
               if u["statutDiffusionUniteLegale"] == "O" and after[s]["statutDiffusionUniteLegale"] == "P"]
    assert len(flipped) == 1
    assert before[flipped[0]]["nomUniteLegale"] != "[ND]" and after[flipped[0]]["nomUniteLegale"] == "[ND]"


def test_head_office_transfers_open_a_new_siret_and_close_the_old_one(demo):
    transfers = 0
    for prev, cur in zip(demo, demo[1:]):
        old_hq = {u["siren"]: u["nicSiegeUniteLegale"] for u in read(prev["unites_legales"])}
        ets = latest_by_siret(read(cur["etablissements"]))
        for u in read(cur["unites_legales"]):
            siren, nic = u["siren"], u["nicSiegeUniteLegale"]
            if siren not in old_hq or old_hq[siren] == nic:
                continue
            old, new = ets[siren + old_hq[siren]], ets[siren + nic]
            assert (old["etatAdministratifEtablissement"], old["etablissementSiege"]) == ("F", False)
            assert (new["etatAdministratifEtablissement"], new["etablissementSiege"]) == ("A", True)
            assert new["dateCreationEtablissement"] >= old["dateCreationEtablissement"]
            transfers += 1
    # Fewer than the events when a company moved twice, or was created and moved, within a month.
    assert 3 <= transfers <= sum(m["events"]["transfers"] for m in demo[1:])


def test_history_is_coherent_from_month_to_month(demo):
    def valid(month):
        return {s: r for s, r in latest_by_siret(read(month["etablissements"])).items()
                if is_valid_siret(s) and r["etatAdministratifEtablissement"] in ("A", "F")
                and r["activitePrincipaleEtablissement"] != "62.99Q"}

    prev = valid(demo[0])
    for month in demo[1:]:
        cur = valid(month)
        assert set(prev) <= set(cur)  # the stock keeps closed units
        reopened = [s for s, r in prev.items()
                    if r["etatAdministratifEtablissement"] == "F" and cur[s]["etatAdministratifEtablissement"] == "A"]
        assert not reopened
        assert month["events"]["creations"] >= 1 and month["events"]["closures"] >= 1
        prev = cur


def test_old_nomenclatures_naf2025_and_noise_rows(demo):
    ets = read(demo[-1]["etablissements"])
    old = [r for r in ets if r["nomenclatureActivitePrincipaleEtablissement"] in ("NAFRev1", "NAF1993")]
    assert old and all(r["etatAdministratifEtablissement"] == "F" and r["dateDebut"].year < 2008 for r in old)
    assert all(re.fullmatch(r"\d\d\.\d[A-Z]", r["activitePrincipaleEtablissement"]) for r in old)
    assert any(r["activitePrincipaleEtablissement"] == "62.99Q" for r in ets)
    assert sum(r["etatAdministratifEtablissement"] == "Z" for r in ets) == demo[-1]["events"].get("invalid_etat", 0)
    keys = [tuple(r.values()) for r in ets]
    assert len(keys) - len(set(keys)) == demo[-1]["events"]["exact_duplicates"]
    sirets = [r["siret"] for r in ets]
    assert len(set(sirets)) < len(set(keys))  # a SIRET repeated with an older processing date
    naf25 = {m["month"]: [r for r in read(m["etablissements"]) if r["activitePrincipaleNAF25Etablissement"]]
             for m in demo}
    assert not naf25["2025-11"] and naf25["2025-12"]
    assert all(r["etatAdministratifEtablissement"] != "F" for r in naf25["2025-12"])


def test_csv_and_zip_formats_are_text_with_true_false_and_iso_dates(tmp_path):
    csv_path = generate_demo(tmp_path / "csv", months=1, companies=60, fmt="csv")[0]["etablissements"]
    zip_path = generate_demo(tmp_path / "zip", months=1, companies=60, fmt="zip")[0]["etablissements"]
    text = csv_path.read_text(encoding="utf-8")
    with zipfile.ZipFile(zip_path) as zf:
        assert zf.namelist() == ["StockEtablissement_utf8.csv"]
        assert zf.read("StockEtablissement_utf8.csv").decode("utf-8") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == ETABLISSEMENT_COLUMNS
    assert {r["etablissementSiege"] for r in rows} == {"true", "false"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r["dateCreationEtablissement"]) for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", r["dateDernierTraitementEtablissement"]) for r in rows)
    assert "" in {r["enseigne2Etablissement"] for r in rows}
    assert sum(r["dateCreationEtablissement"] == "2025-02-30" for r in rows) == 1  # only CSV can carry it


def test_scale_stock_has_the_requested_rows_and_official_columns(tmp_path, capsys):
    con = duckdb.connect()
    for fmt in ("parquet", "csv"):
        result = write_scale_stock(tmp_path / fmt, 20_000, fmt=fmt, territory_share=0.05)
        for table, key in (("et", "etablissements"), ("ul", "unites_legales")):
            source = (f"read_parquet('{result[key]}')" if fmt == "parquet"
                      else f"read_csv('{result[key]}', header = true, all_varchar = true)")
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {source}")
        assert tuple(con.sql("FROM et").columns) == ETABLISSEMENT_COLUMNS
        assert tuple(con.sql("FROM ul").columns) == UNITE_LEGALE_COLUMNS
        assert result["etablissement_rows"] == con.sql("SELECT count(*) FROM et").fetchall()[0][0] == 20_000
        assert result["unite_legale_rows"] == con.sql("SELECT count(*) FROM ul").fetchall()[0][0] == 13_600
        [(sirens, gpso)] = con.sql("SELECT count(DISTINCT siren), count(*) FILTER (WHERE codeCommuneEtablissement "
                                   "IN ('92012', '92040')) FROM et").fetchall()
        assert sirens == 13_600 and gpso > 0
        assert con.sql("SELECT count(*) FROM et ANTI JOIN ul USING (siren)").fetchall()[0][0] == 0
        # The files describe October 2026 (the bench loads them as that month): the latest processing dates fall
        # in it, in the whole file and in the territory's rows alike.
        for where in ("", "WHERE codeCommuneEtablissement IN ('92012', '92040')"):
            latest = con.sql(f"SELECT max(dateDernierTraitementEtablissement) FROM et {where}").fetchall()[0][0]
            assert str(latest)[:7] == "2026-10", (where, latest)
    assert "StockEtablissement" in capsys.readouterr().out


def test_scale_stock_in_other_places(tmp_path):
    """The territory's share of the establishments goes to the places given (the dashboard bench: Paris)."""
    places = (Place("75101", "PARIS 01", ("75001",), 651000, 6862500, 1.0, None, True),
              Place("75116", "PARIS 16", ("75016",), 646500, 6862500, 1.0, None, True))
    result = write_scale_stock(tmp_path, 4_000, territory_share=0.5, places=places)
    rows = duckdb.sql(f"SELECT codeCommuneEtablissement AS commune, codePostalEtablissement AS postcode, "
                      f"TRY_CAST(coordonneeLambertAbscisseEtablissement AS DOUBLE) AS x, "  # [ND] when withheld
                      f"TRY_CAST(coordonneeLambertOrdonneeEtablissement AS DOUBLE) AS y "
                      f"FROM read_parquet('{result['etablissements']}')").fetchall()
    inside = [r for r in rows if r[0] in ("75101", "75116")]
    assert 1_800 < len(inside) < 2_200 and {r[0] for r in inside} == {"75101", "75116"}
    for commune, postcode, x, y in inside:
        place = places[commune == "75116"]
        assert postcode == place.postcodes[0]
        assert x is None or (abs(x - place.x) <= 801 and abs(y - place.y) <= 801)
    assert not [r for r in rows if r[0].startswith("92")]  # none in the default territory


def test_command_line(tmp_path):
    assert main(["--out", str(tmp_path / "demo"), "--months", "2", "--companies", "40", "--format", "csv"]) == 0
    assert (tmp_path / "demo" / "2024-12" / "StockUniteLegale_utf8.csv").is_file()
    assert main(["scale", "--out", str(tmp_path / "scale"), "--rows", "500", "--format", "zip"]) == 0
    assert zipfile.ZipFile(tmp_path / "scale" / "StockEtablissement_utf8.zip").namelist() == [
        "StockEtablissement_utf8.csv"]
