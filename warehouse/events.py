"""Registry events (core.event, source 'sirene'): derived by comparing each loaded month with the one before."""

from __future__ import annotations

from datetime import date

import duckdb

from warehouse.sql import execute_sql


def derive_events(con: duckdb.DuckDBPyConnection, *changed: date) -> list[date]:
    """Re-derive the registry events of the `changed` months and of the loaded month after each (its comparison
    base changed). Reconstructed months (meta.stock_month.source = 'historique', written before this is called)
    get the reduced comparison, creations, closures, activity changes, all in one statement."""
    months = [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM core.establishment_monthly ORDER BY month").fetchall()]
    reconstructed = {r[0] for r in con.execute(
        "SELECT month FROM meta.stock_month WHERE source = 'historique'").fetchall()}
    targets = set(changed)
    for month in changed:
        targets.update([m for m in months if m > month][:1])
    targets = sorted(targets)
    con.execute("DELETE FROM core.event WHERE source = 'sirene' AND month IN (SELECT unnest(?::DATE[]))", [targets])
    pairs = [(max(earlier), cur) for cur in targets if (earlier := [m for m in months if m < cur])]
    rebuilt = [(prev, cur) for prev, cur in pairs if cur in reconstructed]
    if rebuilt:
        # Months reconstructed from StockEtablissementHistorique have no addresses nor headcounts of their own.
        execute_sql(con, "events_historique.sql", prev=[p for p, _ in rebuilt], cur=[c for _, c in rebuilt])
    for prev, cur in pairs:
        if cur not in reconstructed:
            execute_sql(con, "events_sirene.sql", prev=prev, cur=cur)
    return targets
