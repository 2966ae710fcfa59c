"""The data checks (warehouse/sql/checks/*.sql): each finds the rows breaking its rule on a real warehouse, and a
load that would break one is rolled back whole."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.feather as feather
import pytest

from radar.config import Workdir, load_territory
from steps import common
from steps import sirene_month as steps
from tests.oracles import table_hashes
from tests.warehouse.months import load, write_months
from warehouse.checks import DataCheckFailed, check_names, failed_checks, run_checks

# One way to break each rule, inside a transaction that is rolled back.
VIOLATIONS = {
    "unique_siret_per_month": "INSERT INTO core.establishment_monthly SELECT * FROM core.establishment_monthly LIMIT 1",
    "unique_siren_per_month": "INSERT INTO core.company_monthly SELECT * FROM core.company_monthly LIMIT 1",
    "unique_current_state": "INSERT INTO core.company SELECT * FROM core.company LIMIT 1",
    "unique_event_ids": "INSERT INTO core.event SELECT * FROM core.event LIMIT 1",
    "allowed_event_kinds": "UPDATE core.event SET kind = 'moved' WHERE event_id = (SELECT min(event_id) FROM core.event)",
    "rows_reconcile": """UPDATE meta.run SET counts = '{"establishments": {"rows_in": 10, "loaded": 5,
                         "quarantined": 1, "deduplicated": 1}}' WHERE status = 'success'""",
    "published_columns_commented": "CREATE VIEW pub.undocumented AS SELECT 1 AS x",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Workdir:
    root = tmp_path_factory.mktemp("checks")
    workdir = Workdir(root / "wd")
    for month, files in sorted(write_months(root).items()):
        load(workdir, *files, month)
    return workdir


def test_every_check_has_a_violation_here():
    assert sorted(VIOLATIONS) == check_names()


def test_a_loaded_warehouse_breaks_no_rule(loaded):
    with duckdb.connect(str(loaded.warehouse), read_only=True) as con:
        assert failed_checks(con) == {}


@pytest.mark.parametrize("check", sorted(VIOLATIONS))
def test_each_check_finds_the_rows_that_break_it(loaded, check):
    with duckdb.connect(str(loaded.warehouse)) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(VIOLATIONS[check])
            assert list(failed_checks(con)) == [check]
            with pytest.raises(DataCheckFailed, match=check):
                run_checks(con)
        finally:
            con.execute("ROLLBACK")


def test_a_load_that_breaks_a_rule_is_rolled_back_and_the_snapshot_kept(tmp_path):
    stock = write_months(tmp_path)
    workdir, territory = Workdir(tmp_path / "wd"), load_territory()
    load(workdir, *stock["2024-10"], "2024-10")
    before, snapshot = table_hashes(workdir.warehouse), hashlib.sha256(workdir.published.read_bytes()).digest()

    etab = steps.resolve_stock(str(stock["2024-11"][0]), "etablissements", workdir)
    ul = steps.resolve_stock(str(stock["2024-11"][1]), "unites_legales", workdir)
    staged = steps.transform_month(steps.land_month(workdir, territory, etab, ul, "2024-11"), territory)
    path = staged["staged"]["establishments"]
    table = feather.read_table(path)
    feather.write_feather(pa.concat_tables([table, table.slice(0, 1)]), path, compression="uncompressed")
    with pytest.raises(DataCheckFailed, match="unique_siret_per_month"):
        steps.load_month(workdir, territory, staged, etab, ul, common.new_run_id(), datetime.now(UTC))

    assert table_hashes(workdir.warehouse) == before
    assert hashlib.sha256(workdir.published.read_bytes()).digest() == snapshot
