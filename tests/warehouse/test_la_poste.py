"""La Poste's head office, SIRET 35600000000048, follows the usual Luhn rule; only La Poste's other establishments
use a digit sum divisible by 5. Both are loaded, from a stock file and from an INSEE delta, never quarantined."""

from __future__ import annotations

import duckdb

from radar.config import Workdir, load_territory
from steps import api_sources
from steps.common import prepare_warehouse
from tests.builders import etab_row, ul_row, write_stock
from tests.fakes import insee_fake
from tests.fakes.http_server import FakeServer
from tests.warehouse.months import base_month, load

HEAD_OFFICE = "35600000000048"
# A post office: not Luhn, digit sum 35, as INSEE numbers La Poste's establishments.
POST_OFFICE = "35600000049008"


def _query(wd: Workdir, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_fixtures_are_what_they_claim():
    from stdnum import luhn

    assert luhn.is_valid(HEAD_OFFICE) and sum(map(int, HEAD_OFFICE)) % 5 != 0
    assert not luhn.is_valid(POST_OFFICE) and sum(map(int, POST_OFFICE)) % 5 == 0


def test_la_postes_head_office_and_a_post_office_from_a_stock_are_loaded(tmp_path):
    etabs, units = base_month()
    etabs += [etab_row(HEAD_OFFICE, naf="53.10Z", band="53"),
              etab_row(POST_OFFICE, naf="53.10Z", head=False, commune="92012")]
    units += [ul_row("356000000", name="LA POSTE", naf="53.10Z", legal_form="5510", band="53", head_nic="00048")]
    wd = Workdir(tmp_path / "wd")
    load(wd, *write_stock(tmp_path / "stock" / "2024-10", etabs, units), "2024-10")
    assert _query(wd, "SELECT siret FROM core.establishment WHERE siren = '356000000' ORDER BY 1") == [
        (HEAD_OFFICE,), (POST_OFFICE,)]
    assert _query(wd, "SELECT count(*) FROM quarantine.sirene") == [(0,)]


def test_la_postes_head_office_from_an_insee_delta_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("INSEE_API_KEY", "test-key")
    wd = Workdir(tmp_path / "wd")
    prepare_warehouse(wd)
    records = [insee_fake.etablissement("356000000", "2026-10-05T10:00:00.000", siret=siret, nic=siret[9:])
               for siret in (HEAD_OFFICE, POST_OFFICE)]
    with FakeServer() as srv:
        insee_fake.serve(srv, records, key="test-key")
        out = api_sources.run_source(wd, load_territory(), "insee", endpoints={"insee": srv.url("")},
                                     policies={"127.0.0.1": 1000.0}, since="2026-10-01")
    assert out["status"] == "loaded", out
    assert _query(wd, "SELECT siret FROM api.insee_establishment_delta ORDER BY 1") == [(HEAD_OFFICE,), (POST_OFFICE,)]
    assert _query(wd, "SELECT count(*) FROM quarantine.api") == [(0,)]
