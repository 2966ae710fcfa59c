"""The demo's recorded API responses: real-shaped for the extractors, and exactly what re-recording from the demo
generator gives (a drift guard: change the generator, the loaders or the data sets' builder, and this test says
the bundled responses must be re-recorded with `python -m steps.demo`)."""

from __future__ import annotations

from demo.api import build
from extractors import bodacc, insee_sirene, recherche_entreprises
from radar.config import load_territory
from steps.demo import record


def test_recorded_responses_are_what_the_generator_records(tmp_path):
    fresh = record(tmp_path / "recorded", tmp_path)
    assert [p.name for p in fresh] == [f"{s}.json.gz" for s in build.SOURCES]
    for path in fresh:
        committed = build.RECORDED / path.name
        assert committed.is_file(), f"{committed} is missing: run python -m steps.demo"
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed.name} drifted from the generator: run python -m steps.demo")


def test_recorded_responses_parse_without_rejects_through_the_extractors():
    data = build.read_recorded()
    assert data is not None
    rows, rejects = insee_sirene.parse_establishments({"etablissements": data["insee"]})
    assert rows and not rejects
    assert all(r["unite_legale"]["siren"] == r["siren"] for r in rows)
    communes = load_territory().commune_codes
    results = [{k: v for k, v in c.items() if not k.startswith("_")} | {"matching_etablissements": c["_etablissements"]}
               for c in data["recherche"]]
    found, bad = recherche_entreprises.parse_search_results({"results": results}, communes)
    assert found and not bad
    notices, bad = bodacc.parse_records({"results": data["bodacc"]})
    assert notices and not bad
