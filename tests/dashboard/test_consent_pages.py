"""T39 on the dashboard: after a unit named in November's « mises en relation » becomes partially diffusible in
December, no page shows its names, including the suggested contacts of the company it was paired with."""

from __future__ import annotations

from tests.consent import HOST, MONTHS, PERSON, SECRETS
from tests.dashboard.test_pages import all_text, run_page, tables_text


def test_no_page_names_a_unit_after_it_withdrew_its_consent(monkeypatch, consent):
    snapshot = consent.workdir.published
    pages = [("company", {"siren": HOST}), ("company", {"siren": PERSON}), ("companies", {"q": PERSON}),
             ("signals", {"mois": MONTHS[1]}), ("overview", {"mois": MONTHS[1]}), ("map", {})]
    for page, params in pages:
        at = run_page(monkeypatch, snapshot, page, **params)
        shown = all_text(at) + tables_text(at)
        assert not [s for s in SECRETS if s in shown], (page, params)
        if page == "company" and params["siren"] == HOST:
            contacts = at.dataframe[-1].value
            assert list(contacts["siren"]) == [PERSON]  # the pair is still suggested, its reason masked
            assert contacts["reason"].str.startswith("(nom non diffusible) vient de se créer").all()
