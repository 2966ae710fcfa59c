import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from radar.config import Workdir, load_territory
from steps import common
from tests.builders import etab_row, siret, ul_row
from tests.warehouse.months import A, P, base_month, head, load, write_months
from warehouse.db import connect_snapshot

PERSONAL = ["RUE PRIVEE DU SECRET", "DUPONT", "MARIE", "MADO", "SECRETSIGLE", "RUE DES CONFIDENCES", "QUAI OPAQUE",
            "ENSEIGNE PRIVEE", "646111.1"]


def personal_months():
    """A P individual whose names leaked into the file anyway, a P legal person hiding its address, and a
    unit that is O in the first month and P in the second."""
    etabs, units = base_month()
    etabs = [e for e in etabs if e["siren"] != P] + [
        etab_row(siret(P, 1), status="P", street="RUE PRIVEE DU SECRET", x="646111.1", y="6857111.1",
                 enseigne1Etablissement="ENSEIGNE PRIVEE"),
    ]
    units = [u for u in units if u["siren"] != P] + [
        ul_row(P, legal_form="1000", status="P", nomUniteLegale="DUPONT", prenom1UniteLegale="MARIE",
               prenomUsuelUniteLegale="MARIE", pseudonymeUniteLegale="MADO", sigleUniteLegale="SECRETSIGLE",
               head_nic=head(P)),
    ]
    by = {e["siret"]: e for e in etabs}
    by[siret(A, 1)].update(statutDiffusionEtablissement="P", libelleVoieEtablissement="QUAI OPAQUE")
    month1 = (list(by.values()), units)
    # Month 2: a legal person (A) keeps hiding its address; a new individual is O then turns P.
    from tests.builders import siren
    q = siren(77)
    e1 = month1[0] + [etab_row(siret(q, 1), street="RUE DES CONFIDENCES")]
    u1 = month1[1] + [ul_row(q, legal_form="1000", nomUniteLegale="DURAND", prenom1UniteLegale="LEA",
                             head_nic=head(q))]
    e2 = [e if e["siren"] != q else {**e, "statutDiffusionEtablissement": "P", "libelleVoieEtablissement": "[ND]"}
          for e in e1]
    u2 = [u if u["siren"] != q else {**u, "statutDiffusionUniteLegale": "P", "nomUniteLegale": "[ND]",
                                     "prenom1UniteLegale": "[ND]"} for u in u1]
    return {"2024-10": lambda: (e1, u1), "2024-11": lambda: (e2, u2)}, q


@pytest.fixture
def published(tmp_path):
    months, q = personal_months()
    stock = write_months(tmp_path, months=months)
    wd = Workdir(tmp_path / "wd")
    for m in sorted(stock):
        load(wd, *stock[m], m)
    return wd, q


def all_text_values(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        values = []
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for row in con.execute(f"SELECT * FROM {table}").fetchall():
                values += [str(v) for v in row if v is not None]
        return values
    finally:
        con.close()


def test_no_personal_value_of_p_units_anywhere_in_the_snapshot(published):
    wd, q = published
    values = all_text_values(wd.published)
    blob = "\n".join(values)
    for secret in PERSONAL + ["DURAND", "LEA"]:
        assert secret not in blob, secret
    assert "[ND]" not in blob
    # The unit that became P: its first month's rows are masked too (current status rules).
    con = connect_snapshot(wd.published)
    rows = con.execute("SELECT name, latitude FROM establishment_monthly WHERE siren = ?", [q]).fetchall()
    assert len(rows) == 2 and all(r == (None, None) for r in rows)
    # Public facts of P units stay: SIRET, commune, activity, headcount band, state.
    p_row = con.execute("SELECT siret, commune_code, naf_code, headcount_band, state, name, street_address "
                        "FROM establishment WHERE siren = ?", [P]).fetchone()
    assert p_row == (siret(P, 1), "92040", "62.01Z", "01", "A", None, None)
    # A legal person that hides its address keeps its name.
    a_row = con.execute("SELECT name, street_address, latitude FROM establishment WHERE siret = ?",
                        [siret(A, 1)]).fetchone()
    assert a_row == ("ALPHA LOGICIELS", None, None)
    con.close()


def test_snapshot_holds_only_published_tables_with_a_dictionary(published):
    wd, _ = published
    con = connect_snapshot(wd.published)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"company", "establishment", "establishment_monthly", "event", "snapshot_info"} <= tables
    assert not {t for t in tables if t.endswith("_monthly") and t.startswith("core")}
    schemas = {r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {"main"}
    undocumented = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL "
                               "AND table_name IN ('company', 'establishment', 'event', 'establishment_monthly')"
                               ).fetchall()
    assert undocumented == []
    info = con.execute("SELECT strftime(latest_month, '%Y-%m'), months_loaded, contract_version "
                       "FROM snapshot_info").fetchone()
    assert info[:2] == ("2024-11", 2) and info[2]
    con.close()


def test_contract_columns(published):
    wd, _ = published
    con = connect_snapshot(wd.published)
    cols = lambda t: [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [t]).fetchall()]
    assert {"siret", "siren", "name", "commune_code", "naf_code", "is_tech", "headcount_band", "is_head_office",
            "state", "created_on", "closed_on", "latitude", "longitude"} <= set(cols("establishment"))
    assert {"siren", "name", "legal_form", "naf_code", "is_tech", "headcount_band", "state", "created_on",
            "closed_on"} <= set(cols("company"))
    assert {"month", "event_date", "kind", "siren", "siret", "source", "details"} <= set(cols("event"))
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'event'"
                             ).fetchall())
    assert types["month"] == "DATE" and types["siren"] == "VARCHAR"
    assert con.execute("SELECT DISTINCT day(month) FROM establishment_monthly").fetchall() == [(1,)]
    con.close()


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/radar-test-attach.db' AS x",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "COPY company TO '/tmp/radar-out.csv'",
    "DROP TABLE company",
])
def test_snapshot_connection_is_a_sandbox(published, statement):
    wd, _ = published
    con = connect_snapshot(wd.published)
    with pytest.raises(duckdb.Error):
        con.execute(statement)
    assert con.execute("SELECT count(*) FROM company").fetchone()[0] > 0
    con.close()


def test_reader_of_the_old_snapshot_is_never_disturbed(published, tmp_path):
    wd, _ = published
    territory = load_territory()
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(wd.published)!r}, read_only=True)
            first = con.execute("SELECT count(*), max(published_at) FROM snapshot_info, company").fetchone()
            print("OPEN", flush=True)
            sys.stdin.readline()
            again = con.execute("SELECT count(*), max(published_at) FROM snapshot_info, company").fetchone()
            print("SAME" if again == first else "CHANGED", flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "OPEN"
    # The writer publishes twice while the reader holds the old file: never blocked.
    before = os.stat(wd.published).st_ino
    common.publish(wd, territory)
    common.publish(wd, territory)
    assert os.stat(wd.published).st_ino != before
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "SAME"
    reader.wait(timeout=30)
    con = connect_snapshot(wd.published)
    assert con.execute("SELECT count(*) FROM snapshot_info").fetchone()[0] == 1
    con.close()


def test_an_interrupted_publication_keeps_the_previous_snapshot(published, monkeypatch):
    wd, _ = published
    before = wd.published.read_bytes()
    monkeypatch.setenv("RADAR_FAIL_AT", "publish_copy")
    with pytest.raises(Exception, match="injected"):
        common.publish(wd, load_territory())
    monkeypatch.delenv("RADAR_FAIL_AT")
    assert wd.published.read_bytes() == before
    common.prepare_warehouse(wd)  # the next run removes the leftover temporary file
    assert not list(wd.published.parent.glob("*.tmp*"))
