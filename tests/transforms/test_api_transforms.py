"""API transforms: explicit dtypes, and duplicate keys within a batch resolved the same way whatever the input
order (T23)."""

from __future__ import annotations

import random

from transforms.bodacc import clean_notices
from transforms.enrichment import clean_deltas, clean_enrichment


def _versions():
    return [
        {"siren": "552100554", "date_mise_a_jour": "2025-01-01T00:00:00", "categorie_entreprise": "PME",
         "officer_sirens": ["356000000"]},
        {"siren": "552100554", "date_mise_a_jour": "2026-03-01T00:00:00", "categorie_entreprise": "ETI",
         "officer_sirens": []},
        {"siren": "552100554", "date_mise_a_jour": "2026-03-01T00:00:00", "categorie_entreprise": "GE",
         "officer_sirens": []},  # same version, other content: content breaks the tie
        {"siren": "443061841", "date_mise_a_jour": None, "categorie_entreprise": None},
    ]


def test_latest_version_wins_whatever_the_order():
    outcomes = set()
    for seed in range(10):
        rows = _versions()
        random.Random(seed).shuffle(rows)
        frame, dupes = clean_enrichment(rows)
        assert dupes == 2 and len(frame) == 2
        outcomes.add(tuple(frame.sort_values("siren")["categorie_entreprise"].fillna("-")))
    assert len(outcomes) == 1
    assert outcomes.pop()[1] in ("ETI", "GE")


def test_deltas_keep_the_latest_processing_and_types():
    rows = [{"siret": "55210055400013", "siren": "552100554", "last_processed_at": "2026-10-01T10:00:00.000",
             "state": "A"},
            {"siret": "55210055400013", "siren": "552100554", "last_processed_at": "2026-10-02T10:00:00.000",
             "state": "F"}]
    for order in (rows, rows[::-1]):
        frame, dupes = clean_deltas(order)
        assert dupes == 1 and frame["state"].tolist() == ["F"]
    assert "UTC" in str(frame["last_processed_at"].dtype)
    assert str(frame["siren"].dtype) == "string"


def test_notices_dedupe_on_id_and_types():
    rows = [{"notice_id": "A1", "published_on": "2026-10-01", "family": "dpc", "strike_off": None},
            {"notice_id": "A1", "published_on": "2026-10-01", "family": "dpc", "strike_off": None}]
    frame, dupes = clean_notices(rows)
    assert dupes == 1 and len(frame) == 1
    assert str(frame["family"].dtype) == "string" and str(frame["strike_off"].dtype) == "boolean"
