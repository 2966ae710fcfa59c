"""Recherche d'entreprises: parsing of real-shaped results and edge cases, partitioning under the 10,000 cap,
retries at source level (T01, T06), rate compliance (T09), personal data never landed."""

from __future__ import annotations

import json

import pytest

from extractors import recherche_entreprises as re_api
from extractors.http import HostPolicy, HttpClient, RetryPolicy, UnexpectedContent
from tests.fakes import recherche_fake
from tests.fakes.http_server import FakeClock, FakeServer, Reply

GPSO = ["92012", "92040"]
S1, S2, S3 = "552100554", "356000000", "005520135"  # all pass Luhn


def _client(clock: FakeClock | None = None, rate: float = 1000.0, server: FakeServer | None = None) -> HttpClient:
    kw = {"clock": clock, "sleep": clock.sleep, "wallclock": clock.wall} if clock else {}
    return HttpClient(host_policies={"127.0.0.1": HostPolicy(rate)}, retry=RetryPolicy(max_attempts=4), **kw)


def _page(*items, total=None) -> dict:
    results = [{k: v for k, v in i.items() if not k.startswith("_")} | {"matching_etablissements": i["_etablissements"]}
               for i in items]
    return {"results": results, "total_results": total or len(results), "page": 1, "per_page": 25, "total_pages": 1}


def test_parse_keeps_only_territory_establishments_and_no_officer_names():
    inside = recherche_fake.company(S1, ["92040", "75108"])
    outside = recherche_fake.company(S2, ["75108"])
    rows, rejects = re_api.parse_search_results(_page(inside, outside), GPSO)
    assert rejects == [] and [r["siren"] for r in rows] == [S1]
    row = rows[0]
    assert row["matching_sirets"] == [f"{S1}00001"]
    assert row["dirigeants_count"] == 2 and row["officer_sirens"] == ["356000000"]
    assert (row["finances_year"], row["chiffre_affaires"], row["resultat_net"]) == (2023, 26888000000, 776000000)
    assert row["est_societe_mission"] is True and row["est_ess"] is False and row["est_bio"] is None
    assert "DUPONT" not in json.dumps(rows) and "1970" not in json.dumps(rows)


def test_parse_tolerates_missing_keys_nulls_and_integer_sirens():
    older = recherche_fake.company(S1, ["92040"], etat_administratif="C", date_fermeture=None, finances=None,
                                   complements=None, dirigeants=None)
    del older["activite_principale_naf25"], older["categorie_entreprise"]
    drifted = recherche_fake.company(S3, ["92012"])
    drifted["siren"] = 5520135  # a JSON integer lost its leading zeros (T21)
    bad = recherche_fake.company("552100555", ["92012"])  # bad Luhn (T22)
    rows, rejects = re_api.parse_search_results(_page(older, drifted, bad), GPSO)
    by_siren = {r["siren"]: r for r in rows}
    assert set(by_siren) == {S1, S3}
    assert by_siren[S1]["naf25"] is None and by_siren[S1]["finances_year"] is None
    assert by_siren[S1]["dirigeants_count"] == 0 and by_siren[S1]["etat_administratif"] == "C"
    assert [(r["rule"], r["key"]) for r in rejects] == [("siren_invalid", "552100555")]
    assert "DUPONT" not in json.dumps(rejects)


def test_landed_payload_has_no_natural_person_fields():
    data = _page(recherche_fake.company(S1, ["92040"]),
                 recherche_fake.company(S2, ["92040"], complements={"est_entrepreneur_individuel": True},
                                        nom_complet="JEAN MARTIN"))
    text = json.dumps(re_api.strip_personal(data), ensure_ascii=False)
    for personal in ("DUPONT", "Marie", "1970-03", "JEAN MARTIN"):
        assert personal not in text
    assert "LA POSTE" in text and "Président" in text


def test_partitions_split_when_the_cap_is_reached(monkeypatch):
    monkeypatch.setattr(re_api, "RESULT_CAP", 2)  # a tiny cap stands for 10,000
    companies = [recherche_fake.company(s, ["92040"], tranche_effectif_salarie=band)
                 for s, band in ((S1, "11"), (S2, "12"), (S3, "NN"))]
    companies += [recherche_fake.company("443061841", ["92012"], naf="62.02A")]
    with FakeServer() as srv:
        route = recherche_fake.serve(srv, companies, cap=2)
        stats: dict = {}
        with _client() as client:
            pages = list(re_api.iter_territory_pages(client, GPSO, ["62.01Z", "62.02A"], base_url=srv.url(""),
                                                     stats=stats))
    found = [r["siren"] for p in pages for r in p.data["results"]]
    assert sorted(found) == sorted(["443061841", S1, S2, S3])  # each once: no page of a capped query kept
    assert stats["splits"] == 1 and "capped" not in stats
    assert all(int(r.query["per_page"]) == 25 for r in srv.requests)
    assert route.count == len(srv.requests)


def test_429_retry_after_is_honoured_without_duplicates():  # T01 at source level
    companies = [recherche_fake.company(f"{s}", ["92040"]) for s in (S1, S2, S3)]
    clock = FakeClock()
    with FakeServer(clock=clock) as srv:
        recherche_fake.serve(srv, companies, faults={1: Reply.json({"erreur": "x"}, 429, {"Retry-After": "3"}),
                                                     2: Reply.json({"erreur": "x"}, 429, {"Retry-After": "3"})})
        with _client(clock) as client:
            pages = list(re_api.iter_search_pages(client, {"code_commune": "92040", "activite_principale": "62.01Z"},
                                                  base_url=srv.url("")))
        times = [r.t for r in srv.requests]
    assert [r["siren"] for r in pages[0].data["results"]] == sorted([S1, S2, S3])
    assert len(times) == 3 and times[1] - times[0] >= 3 and times[2] - times[1] >= 3


def test_html_maintenance_page_and_wrong_json_are_errors():  # T06 at source level
    with FakeServer() as srv:
        srv.route("/search", Reply.html("<html>Maintenance</html>"), Reply.json({"resultats": []}))
        with _client() as client:
            with pytest.raises(UnexpectedContent) as html:
                next(re_api.iter_search_pages(client, {"code_commune": "92040"}, base_url=srv.url("")))
            with pytest.raises(UnexpectedContent) as wrong:
                next(re_api.iter_search_pages(client, {"code_commune": "92040"}, base_url=srv.url("")))
    assert b"Maintenance" in html.value.body
    assert "expected keys" in str(wrong.value) and b"resultats" in wrong.value.body


def test_enrichment_stays_under_the_real_limit():  # T09: 7 req/s on the fake, 5 req/s in the client, fake time
    clock = FakeClock()
    companies = [recherche_fake.company(f"{S1}", ["92040"])]
    with FakeServer(clock=clock) as srv:
        recherche_fake.serve(srv, companies, per_second=7, clock=clock)
        with _client(clock, rate=5.0) as client:
            list(re_api.iter_territory_pages(client, GPSO, ["62.01Z", "62.02A", "63.11Z"], base_url=srv.url("")))
        times = [r.t for r in srv.requests]
        agents = {r.headers["user-agent"] for r in srv.requests}
    assert len(times) == 6
    assert all(b - a >= 0.2 - 1e-9 for a, b in zip(times, times[1:]))
    assert all(a.startswith("EcosystemRadar/") for a in agents)
