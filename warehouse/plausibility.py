"""The plausibility gate of a stock load (T37): run inside the load's transaction before anything is written, it
refuses a stock that would publish wrong data with exit 0.

- A 0-row, truncated or other territory's file: the territory's active establishments (or the followed companies)
  fall by more than `max_drop` against the loaded month just before this one (months load in any order), or there
  are none at all. `--accept-drop` lets a real collapse through, and the ledger says it was accepted.
- A column whose type drifted beyond what the scan converts (dates in another format, identifiers as decimals):
  more than `max_quarantine_ratio` of the landed rows of either file are quarantined.

It uses the counts the cleaning already has and the previous month's rows in the warehouse, never the national
file again. Thresholds come from the territory file's `[plausibility]` section.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from radar.config import ConfigError, Territory
from radar.errors import RadarError

ENTITY_LABELS = {"establishments": ("establishment", "establishment rows"), "companies": ("company", "legal unit rows")}


class ImplausibleStock(RadarError):
    """The stock contradicts the previous loaded month, or too much of it is quarantined: nothing was loaded."""


@dataclass(frozen=True)
class Thresholds:
    max_drop: float = 0.30
    max_quarantine_ratio: float = 0.05


def thresholds(territory: Territory) -> Thresholds:
    """`[plausibility] max_drop` and `max_quarantine_ratio` of the territory file, fractions between 0 and 1."""
    section = territory.raw.get("plausibility", {})
    where = territory.source_file or "territory"
    unknown = sorted(set(section) - {"max_drop", "max_quarantine_ratio"})
    if unknown:
        raise ConfigError(f"{where}: [plausibility] has unknown key(s) {', '.join(unknown)}; "
                          "known: max_drop, max_quarantine_ratio")
    values = {}
    for key, default in (("max_drop", Thresholds.max_drop), ("max_quarantine_ratio", Thresholds.max_quarantine_ratio)):
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{where}: [plausibility] {key} = {value!r}: expected a fraction from 0 to 1, "
                              f"e.g. {default}")
        values[key] = float(value)
    return Thresholds(**values)


def _previous(con: duckdb.DuckDBPyConnection, month: date) -> tuple[date, int, int] | None:
    """The loaded month just before `month`, its active establishments in the territory and its companies."""
    row = con.execute("SELECT max(month) FROM meta.stock_month WHERE month < ?", [month]).fetchone()
    if row[0] is None:
        return None
    previous = row[0]
    establishments = con.execute(
        "SELECT count(*) FROM core.establishment_monthly WHERE month = ? AND in_territory AND state = 'A'",
        [previous]).fetchone()[0]
    companies = con.execute("SELECT count(*) FROM core.company_monthly WHERE month = ?", [previous]).fetchone()[0]
    return previous, establishments, companies


def _top_rules(quarantine: pa.Table, entity: str) -> str:
    if quarantine.num_rows == 0:
        return ""
    rules = quarantine.filter(pc.equal(quarantine["entity"], entity))["rule"]
    counts = sorted(pc.value_counts(rules).to_pylist(), key=lambda c: -c["counts"])[:3]
    return "; rules: " + ", ".join(f"{c['values']} {c['counts']:,}" for c in counts) if counts else ""


def check_plausible(con: duckdb.DuckDBPyConnection, month: date, counts: dict, quarantine: pa.Table,
                    limits: Thresholds, *, accept_drop: bool = False) -> str | None:
    """Raise ImplausibleStock, or return what the ledger should say about a drop that was let through."""
    label = f"{month:%Y-%m}"
    nothing = "nothing was loaded and the snapshot is unchanged"
    for entity, (name, rows) in ENTITY_LABELS.items():
        c = counts[entity]
        ratio = c["quarantined"] / c["rows_in"] if c["rows_in"] else 0.0
        if ratio > limits.max_quarantine_ratio:
            raise ImplausibleStock(
                f"stock of {label} refused: {c['quarantined']:,} of {c['rows_in']:,} {rows} in the territory's "
                f"scan are quarantined ({ratio:.1%}, the limit is {limits.max_quarantine_ratio:.0%})"
                f"{_top_rules(quarantine, name)}; a column's type or format probably changed: {nothing} "
                f"([plausibility] max_quarantine_ratio in the territory file)")
    now = {"establishments": counts["active_in_territory"], "companies": counts["companies"]["loaded"]}
    previous = _previous(con, month)
    if previous is None:
        if now["establishments"] == 0:
            raise ImplausibleStock(f"stock of {label} refused: no active establishment in the territory (a 0-row "
                                   f"file, or another territory's?): {nothing}")
        return None
    before_month, *before = previous
    drops = []
    for (what, current), was in zip(
            (("active establishments in the territory", now["establishments"]),
             ("followed companies", now["companies"])), before):
        if was and (was - current) / was > limits.max_drop:
            drops.append(f"{current:,} {what} against {was:,} in {before_month:%Y-%m} (the previous loaded month), "
                         f"a drop of {(was - current) / was:.0%}")
    if not drops:
        return None
    if accept_drop:
        return f"drop accepted with --accept-drop: {'; '.join(drops)}"
    raise ImplausibleStock(
        f"stock of {label} refused: {'; '.join(drops)} (the limit is {limits.max_drop:.0%}; a truncated file, or "
        f"another territory's?): {nothing}. If the collapse is real, run again with --accept-drop")
