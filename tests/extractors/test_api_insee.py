"""INSEE API Sirene: curseur pagination, 404 = zero rows, key in header only, 401 (T08, T27), 429 (T01),
schema drift (T21), bad rows (T22)."""

from __future__ import annotations

import logging

import pytest

from extractors import insee_sirene
from extractors.http import AuthError, HostPolicy, HttpClient, RetryPolicy, UnexpectedContent
from tests.fakes import insee_fake
from tests.fakes.http_server import FakeClock, FakeServer, Reply

CANARY = "SECRET-CANARY-7f3a"


def _client(key: str | None = CANARY, clock: FakeClock | None = None) -> HttpClient:
    kw = {"clock": clock, "sleep": clock.sleep, "wallclock": clock.wall} if clock else {}
    return HttpClient(host_policies={"127.0.0.1": HostPolicy(1000.0)}, retry=RetryPolicy(max_attempts=4),
                      secret_headers={insee_sirene.KEY_HEADER: key} if key else None, **kw)


def _rows(n: int, processed: str = "2026-10-01T10:00:00.000") -> list[dict]:
    return [insee_fake.etablissement(insee_fake.valid_siren(i), processed) for i in range(n)]


def test_cursor_pagination_until_the_cursor_stops_moving():
    with FakeServer() as srv:
        insee_fake.serve(srv, _rows(5), key=CANARY)
        with _client() as client:
            pages = list(insee_sirene.iter_delta_pages(client, "2026-10-01", ["92040"], base_url=srv.url(""),
                                                       page_size=2))
        reqs = srv.requests_for("/siret")
    sirets = [e["siret"] for p in pages for e in p.data["etablissements"]]
    assert len(sirets) == 5 == len(set(sirets)) and sirets == sorted(sirets)
    assert reqs[0].query["curseur"] == "*" and len(reqs) == 4  # the last one answers curseurSuivant == curseur
    assert all(r.headers["x-insee-api-key-integration"] == CANARY for r in reqs)
    assert all(CANARY not in r.path and CANARY not in str(r.query) for r in reqs)
    assert all(CANARY not in p.url and CANARY not in str(p.params) for p in pages)
    assert "dateDernierTraitementEtablissement:[2026-10-01 TO *]" in reqs[0].query["q"]


def test_404_means_zero_rows():
    with FakeServer() as srv:
        insee_fake.serve(srv, [], key=CANARY)
        with _client() as client:
            assert list(insee_sirene.iter_delta_pages(client, "2026-10-01", ["92040"], base_url=srv.url(""))) == []


def test_401_is_terminal_and_never_shows_the_key(caplog, log_redaction):  # T08 + T27
    caplog.set_level(logging.DEBUG)
    with FakeServer() as srv:
        insee_fake.serve(srv, _rows(2), key="the-right-key")
        with _client() as client, pytest.raises(AuthError) as err:
            list(insee_sirene.iter_delta_pages(client, "2026-10-01", ["92040"], base_url=srv.url("")))
        assert len(srv.requests) == 1
    assert "authentication failed for INSEE API" in str(err.value)
    assert CANARY not in str(err.value) and CANARY not in repr(err.value) and CANARY not in caplog.text


def test_429_on_page_two_waits_and_loses_nothing():  # T01
    clock = FakeClock()
    throttled = Reply.json({"header": {"statut": 429}}, 429, {"Retry-After": "3"})
    with FakeServer(clock=clock) as srv:
        insee_fake.serve(srv, _rows(4), key=CANARY, faults={2: throttled, 3: throttled})
        with _client(clock=clock) as client:
            pages = list(insee_sirene.iter_delta_pages(client, "2026-10-01", ["92040"], base_url=srv.url(""),
                                                       page_size=2))
        times = [r.t for r in srv.requests]
    assert sum(len(p.data["etablissements"]) for p in pages) == 4
    assert times[2] - times[1] >= 3 and times[3] - times[2] >= 3
    assert len(srv.requests) == 5  # p1, 429, 429, p2, p3 (empty cursor move)


def test_missing_header_is_an_error_not_an_empty_page():  # T06
    with FakeServer() as srv:
        srv.route("/siret", Reply.json({"etablissements": []}))
        with _client() as client, pytest.raises(UnexpectedContent):
            list(insee_sirene.iter_delta_pages(client, "2026-10-01", ["92040"], base_url=srv.url("")))


def test_parse_pads_integer_sirens_and_quarantines_bad_rows():  # T21 + T22
    good = insee_fake.etablissement("005520135", "2026-10-01T00:00:00")
    drifted = dict(good, siren=5520135, siret=int(good["siret"]))
    bad_state = insee_fake.etablissement(insee_fake.valid_siren(1), "2026-10-01T00:00:00", state="Z")
    renamed = insee_fake.etablissement(insee_fake.valid_siren(2), "2026-10-01T00:00:00")
    renamed["dateDernierTraitement"] = renamed.pop("dateDernierTraitementEtablissement")
    null_siren = insee_fake.etablissement(insee_fake.valid_siren(3), "2026-10-01T00:00:00")
    null_siren["siren"] = None
    rows, rejects = insee_sirene.parse_establishments({"etablissements": [drifted, bad_state, renamed, null_siren]})
    assert [r["siren"] for r in rows] == ["005520135"] and rows[0]["siret"] == good["siret"]
    assert sorted(r["rule"] for r in rejects) == ["last_processed_missing", "siren_invalid",
                                                          "state_invalid"]


def test_key_only_from_the_environment():
    assert insee_sirene.api_key_headers({}) is None
    assert insee_sirene.api_key_headers({"INSEE_API_KEY": " k-123 "}) == {insee_sirene.KEY_HEADER: "k-123"}


def test_company_query_returns_that_company_anywhere_and_parses_the_full_record():
    from tests.builders import etab_row, siret, ul_row

    s = insee_fake.valid_siren(70)
    other = insee_fake.valid_siren(71)
    records = [insee_fake.from_stock(etab_row(siret(s, 1), commune="75108", x="651000.0", y="6864000.0",
                                              codePostalEtablissement="75008"), ul_row(s, name="SIGMA")),
               insee_fake.from_stock(etab_row(siret(s, 2), head=False), ul_row(s, name="SIGMA")),
               insee_fake.from_stock(etab_row(siret(other, 1)), ul_row(other))]
    with FakeServer() as srv:
        insee_fake.serve(srv, records, key=CANARY)
        with _client() as client:
            pages = list(insee_sirene.iter_company_pages(client, s, base_url=srv.url("")))
        queries = [r.query["q"] for r in srv.requests_for("/siret")]
    assert set(queries) == {f"siren:{s}"}
    rows, rejects = insee_sirene.parse_establishments(pages[0].data)
    assert not rejects and [r["siret"] for r in rows] == [siret(s, 1), siret(s, 2)]
    head = rows[0]
    assert (head["commune_code"], head["postcode"], head["street_name"], head["lambert_x"], head["is_head_office"],
            head["naf_nomenclature"], head["period_count"]) == ("75108", "75008", "RUE DU TEST", "651000.0", True,
                                                                "NAFRev2", 1)
    assert head["unite_legale"]["denomination"] == "SIGMA" and head["unite_legale"]["siren"] == s


def test_landing_masks_withheld_units_as_the_stock_does():
    from tests.builders import etab_row, siret, ul_row

    s = insee_fake.valid_siren(72)
    record = insee_fake.from_stock(etab_row(siret(s), status="P", street="RUE SECRETE",
                                            enseigne1Etablissement="CHEZ LEA"),
                                   ul_row(s, legal_form="1000", status="P", name="", nomUniteLegale="MARTIN",
                                          prenom1UniteLegale="LEA"))
    kept = insee_sirene.strip_personal({"header": {}, "etablissements": [record]})["etablissements"][0]
    assert kept["adresseEtablissement"]["libelleVoieEtablissement"] == "[ND]"
    assert kept["adresseEtablissement"]["coordonneeLambertAbscisseEtablissement"] == "[ND]"
    assert kept["periodesEtablissement"][0]["enseigne1Etablissement"] == "[ND]"
    assert kept["uniteLegale"]["nomUniteLegale"] == "[ND]" and kept["uniteLegale"]["prenom1UniteLegale"] == "[ND]"
    assert kept["adresseEtablissement"]["codeCommuneEtablissement"] == "92040" and kept["siren"] == s
    assert record["adresseEtablissement"]["libelleVoieEtablissement"] == "RUE SECRETE"  # the input is not mutated
