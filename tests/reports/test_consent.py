"""T39: a unit named in November (its consent given: statutDiffusion O) becomes partially diffusible (P) in
December. After December's load, November's report rendered and sent again, December's report and the snapshot
name it nowhere: the reasons of the « mises en relation » are written from the masked names when published, never
stored as sentences (tests/consent.py tells the months)."""

from __future__ import annotations

import duckdb

from tests.consent import MONTHS, PERSON, SECRETS


def _leaks(texts: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, secret) for name, text in texts.items() for secret in SECRETS if secret in text]


def test_the_unit_was_named_while_it_was_public(consent):
    """The test can fail: November's outputs, made while the unit was public, did name it (its reason too)."""
    leaks = _leaks(consent.before)
    assert {"report.html", "report.pdf", "annexes.xlsx", "annexe-mises-en-relation.csv"} <= {n for n, _ in leaks}
    assert any(name.startswith("e-mail") for name, _ in leaks)


def test_no_output_names_it_after_it_withdrew_its_consent(consent):
    for month, texts in consent.after.items():
        assert not _leaks(texts), (month, _leaks(texts))
        assert {"report.html", "report.pdf", "annexes.xlsx", "annexe-mises-en-relation.csv"} <= set(texts)
    november = consent.after[MONTHS[1]]
    assert "(nom non diffusible) vient de se créer" in november["annexe-mises-en-relation.csv"]
    assert PERSON in november["annexe-mises-en-relation.csv"]  # the pair stays, its SIREN with it


def test_the_snapshot_and_the_warehouse_keep_no_sentence_with_its_name(consent):
    con = duckdb.connect(str(consent.workdir.published), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND data_type IN "
                              "('VARCHAR', 'JSON', 'VARCHAR[]')").fetchall()
        for table, column in columns:
            for secret in SECRETS:
                (found,), = con.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) '
                                        f"LIKE '%' || ? || '%'", [secret]).fetchall()
                assert not found, (table, column, secret)
    finally:
        con.close()
    con = duckdb.connect(str(consent.workdir.warehouse), read_only=True)
    try:
        stored = con.execute("SELECT CAST(facts AS VARCHAR) FROM core.introduction").fetchall()
        assert stored and not [f for (f,) in stored if any(s in f for s in SECRETS)]
    finally:
        con.close()
