"""BODACC: nested JSON strings, registre -> SIREN, names removed, rectificatif/annulation references, the
10,000 window (halving, /exports), persistent 503 (T03), bad rows (T22)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from extractors import bodacc
from extractors.http import HostPolicy, HttpClient, RetryExhausted, RetryPolicy
from tests.fakes import bodacc_fake
from tests.fakes.http_server import FakeClock, FakeServer, Reply

S1, S2 = "552100554", "443061841"


def _client(clock: FakeClock | None = None) -> HttpClient:
    kw = {"clock": clock, "sleep": clock.sleep, "wallclock": clock.wall} if clock else {}
    return HttpClient(host_policies={"127.0.0.1": HostPolicy(1000.0)}, retry=RetryPolicy(max_attempts=4), **kw)


def test_parse_nested_blocks_registre_and_no_names():
    recs = [
        bodacc_fake.notice(1, S1, "2026-10-02", "collective", jugement={
            "type": "initial", "famille": "Jugement d'ouverture",
            "nature": "Jugement d'ouverture d'une procédure de redressement judiciaire", "date": "25 septembre 2026"}),
        bodacc_fake.notice(2, S2, "2026-10-03", "radiation", person="pp", radiationaurcs={"radiationPM": "O"}),
        bodacc_fake.notice(3, S1, "2026-10-04", "dpc", typeavis="rectificatif", depot={
            "dateCloture": "2025-12-31", "typeDepot": "Comptes annuels"},
            previous={"nomPublication": "BODACC C", "numeroParution": "20260050", "numeroAnnonce": "12"}),
    ]
    recs[1]["registre"] = [443061841]  # an integer: leading zeros would be lost (none here), still a SIREN
    rows, rejects = bodacc.parse_records({"results": recs})
    assert rejects == []
    a, b, c = rows
    assert (a["siren"], a["procedure"], a["judgment_date"]) == (S1, "redressement", "2026-09-25")
    assert (b["siren"], b["family"], b["strike_off"]) == (S2, "radiation", True)
    assert (c["notice_type"], c["previous_notice_id"], c["accounts_closing_date"]) == (
        "rectificatif", "C2026005012", "2025-12-31")
    landed = json.dumps(bodacc.strip_personal({"results": recs}), ensure_ascii=False)
    assert "DURAND" not in landed and "Paul" not in landed and "DURAND" not in json.dumps(rows)
    assert f"SOCIETE {S1}" in landed  # a legal person's name is public


def test_integer_siren_with_lost_zeros_is_padded():  # T21
    assert bodacc.siren_from_registre([5520135]) == "005520135"
    assert bodacc.siren_from_registre(["005 520 135"]) == "005520135"
    assert bodacc.siren_from_registre(["123"]) is None


def test_unknown_family_and_bad_date_are_quarantined():  # T22
    recs = [bodacc_fake.notice(1, S1, "2026-10-02", "dpc"), bodacc_fake.notice(2, S1, "2026-10-02", "dpc"),
            bodacc_fake.notice(3, S1, "2024-02-30", "dpc")]
    recs[1]["familleavis"] = "inconnue"
    rows, rejects = bodacc.parse_records({"results": recs})
    assert len(rows) == 1 and sorted(r["rule"] for r in rejects) == ["family_unknown", "published_on_invalid"]


def test_records_pages_windows_and_export(monkeypatch):
    monkeypatch.setattr(bodacc, "WINDOW_CAP", 30)  # stands for 10,000
    monkeypatch.setattr(bodacc, "LIMIT", 10)
    recs = [bodacc_fake.notice(i, S1, f"2026-10-{1 + i % 4:02d}") for i in range(60)]  # 15 a day, 4 days
    recs += [bodacc_fake.notice(100 + i, S1, "2026-10-09") for i in range(40)]  # one day above the window
    recs += [bodacc_fake.notice(200, S1, "2026-10-05", cp="75008")]  # outside the territory
    with FakeServer() as srv:
        routes = bodacc_fake.serve(srv, recs)
        stats: dict = {}
        with _client() as client:
            pages = list(bodacc.iter_record_pages(client, ["92130"], date(2026, 10, 1), date(2026, 10, 11),
                                                  base_url=bodacc_fake.base_url(srv), stats=stats))
        records_q = [r.query for r in srv.requests if r.path.endswith("/records")]
    ids = [r["id"] for p in pages for r in p.data["results"]]
    assert len(ids) == 100 == len(set(ids))
    assert stats["exports"] == 1 and stats["splits"] >= 1 and routes["/exports/json"].count == 1
    assert all(int(q["offset"]) + int(q["limit"]) <= 30 for q in records_q)


def test_persistent_503_fails_clearly_after_n_attempts():  # T03
    clock = FakeClock()
    with FakeServer(clock=clock) as srv:
        bodacc_fake.serve(srv, [], faults={i: Reply(503, b"busy") for i in range(1, 20)})
        with _client(clock) as client, pytest.raises(RetryExhausted) as err:
            list(bodacc.iter_record_pages(client, ["92130"], date(2026, 10, 1), date(2026, 10, 2),
                                          base_url=bodacc_fake.base_url(srv)))
        assert len(srv.requests) == 4
    assert "BODACC failed after 4 attempts: 503" in str(err.value)
    assert clock.sleeps[0] >= 1 and clock.sleeps[1] >= 2 and clock.sleeps[2] >= 4  # exponential backoff


def test_incremental_window_looks_back():
    assert bodacc.incremental_window("2026-10-20", date(2026, 10, 31), lookback_days=7) == (
        date(2026, 10, 13), date(2026, 11, 1))
    assert bodacc.incremental_window(None, date(2026, 10, 31))[0] == date(2026, 8, 2)
