"""A first stock (2024-10) with establishments whose past is in a small StockEtablissementHistorique, and the
steps of a reconstruction run without Prefect (the flow composes these same steps)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from radar.config import Workdir, load_territory
from steps import common, sirene_history, sirene_month
from tests.builders import etab_row, history_row, siren, siret, ul_row, write_history
from tests.warehouse.months import A, B, C, F, G, P, base_month, head, next_month

H, I, J, K = (siren(i) for i in range(11, 15))
# Columns that name the run or its clock: they differ between any two runs, interrupted or not.
RUN_COLUMNS = ("run_id", "loaded_at", "applied_at", "started_at", "ended_at")


def _extra() -> tuple[list[dict], list[dict]]:
    """H created in August 2024; I closed in July 2024; J transferred its head office from Paris to Issy in August
    2024 (a move the historical file cannot show); K created in October 2024 (the first stock's own event)."""
    etabs = [
        etab_row(siret(H, 1), created="2024-08-05"),
        etab_row(siret(I, 1), created="2019-05-01", state="F", period_start="2024-07-10"),
        etab_row(siret(J, 1), commune="75115", created="2016-02-01", state="F", period_start="2024-08-01", head=False),
        etab_row(siret(J, 2), created="2024-08-01"),
        etab_row(siret(K, 1), created="2024-10-03"),
    ]
    units = [
        ul_row(H, name="HOTEL DATA", created="2024-08-05", head_nic=head(H)),
        ul_row(I, name="INDIA SOFT", created="2019-05-01", state="C", head_nic=head(I)),
        ul_row(J, name="JULIETT IA", created="2016-02-01", head_nic=head(J, 2)),
        ul_row(K, name="KILO CLOUD", created="2024-10-03", head_nic=head(K)),
    ]
    return etabs, units


def _with_extra(etabs: list[dict], units: list[dict]) -> tuple[list[dict], list[dict]]:
    extra_e, extra_u = _extra()
    for e in etabs:
        if e["siret"] == siret(B, 1):  # the bakery is older than NAF rev. 2
            e["dateCreationEtablissement"] = "2003-04-01"
    return etabs + extra_e, units + extra_u


def first_stock() -> tuple[list[dict], list[dict]]:
    return _with_extra(*base_month())


def second_stock() -> tuple[list[dict], list[dict]]:
    return _with_extra(*next_month())


def history_rows() -> list[dict]:
    """The periods of the followed SIRETs, consistent with the first stock at 2024-09-30 (G 2 has none)."""
    return [
        # A: computer consultancy until 19 July 2024, then software publishing (activity change in July).
        history_row(siret(A, 1), "2020-01-15", "2024-07-19", naf="62.02A"),
        history_row(siret(A, 1), "2024-07-20"),
        # B: an old NAFRev1 period before 2008, then NAF rev.2.
        history_row(siret(B, 1), "2003-04-01", "2007-12-31", naf="52.1A", nomenclature="NAFRev1"),
        history_row(siret(B, 1), "2008-01-01", naf="47.11F"),
        # C: INSEE's 1900-01-01 stands for a missing start.
        history_row(siret(C, 1), "1900-01-01"),
        history_row(siret(P, 1), "2020-01-15", sign="[ND]"),
        history_row(siret(F, 1), "2015-03-01"),
        history_row(siret(G, 1), "2020-01-15"),
        history_row(siret(G, 1), "2024-13-45", sign="LABO SECRET"),  # unreadable date: quarantined
        history_row(siret(H, 1), "2024-08-05"),
        history_row(siret(I, 1), "2019-05-01", "2024-07-09"),
        history_row(siret(I, 1), "2024-07-10", state="F"),
        history_row(siret(J, 1), "2016-02-01", "2024-07-31"),
        history_row(siret(J, 1), "2024-08-01", state="F"),
        history_row(siret(J, 2), "2024-08-01"),
        history_row(siret(K, 1), "2024-10-03"),
        # A SIRET nobody follows: never landed.
        history_row(siret(siren(99), 1), "2010-01-01"),
    ]


def write_history_file(root: Path, fmt: str = "csv", rows: list[dict] | None = None) -> Path:
    return write_history(root / "historique" / "StockEtablissementHistorique_utf8", rows or history_rows(), fmt)


def reconstruct(workdir: Workdir, source: str | Path, months: list[str], territory=None) -> dict:
    """The flow's steps: plan, resolve, unchanged check, land, load, publish."""
    territory = territory or load_territory()
    common.prepare_warehouse(workdir)
    run_id, started = common.new_run_id(), datetime.now(UTC)
    planned = sirene_history.plan_history(workdir, months)
    hist = sirene_month.resolve_stock(str(source), "historique", workdir)
    if sirene_history.check_history_unchanged(workdir, planned["months"], hist):
        common.record_outcome(workdir, run_id, "sirene_historique", started, "unchanged",
                                    month=planned["months"][-1])
        return {"status": "unchanged", **planned}
    try:
        landing = sirene_history.land_history(workdir, hist, planned["base_month"])
        counts = sirene_history.load_history(workdir, territory, landing, hist, planned["months"], run_id, started)
    except Exception as exc:
        common.record_outcome(workdir, run_id, "sirene_historique", started, "failed",
                                    month=planned["months"][-1], message=str(exc))
        raise
    common.publish(workdir, territory)
    return {"status": "reconstructed", "counts": counts, **planned}


def contents(db_path: Path) -> dict[str, tuple[int, str]]:
    """Every table but the run ledger, without the columns that identify a run: what two runs must agree on."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = {}
        for (schema, table) in con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                                              WHERE NOT internal AND (schema_name, table_name) <> ('meta', 'run')
                                              ORDER BY ALL""").fetchall():
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, table]).fetchall() if c not in RUN_COLUMNS]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {schema}.{table} ORDER BY ALL").fetchall()
            out[f"{schema}.{table}"] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()
