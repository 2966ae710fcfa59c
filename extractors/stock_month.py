"""Which month a SIRENE stock describes, from the files' own evidence (T38).

INSEE publishes the stock of month M early in M+1: its latest processing date (`dateDernierTraitement*`) falls in
M or in the first days of M+1. A month or a publication date may also be written in the file's name or its
folder's. A month given by the user is checked against that evidence, so that October's files declared as January
cannot silently replace January; a month not given is inferred from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from radar.errors import RadarError
from radar.months import add_months, parse_month

# The stock of M may hold rows processed in the first days of M+1 (it is extracted on the 1st or a few days late).
GRACE_DAYS = 7
_MONTH_NAME = re.compile(r"(?<![0-9])(20[0-9]{2})-(0[1-9]|1[0-2])(?![0-9])")
_PUBLICATION_DATE = re.compile(r"(?<![0-9])(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_PROCESSED = {"etablissements": "dateDernierTraitementEtablissement",
              "unites_legales": "dateDernierTraitementUniteLegale"}


class MonthMismatch(RadarError, ValueError):
    """The declared month contradicts the files (or their names contradict their data)."""


@dataclass(frozen=True)
class MonthEvidence:
    named: dict[str, str]  # month -> what says so ("folder 2026-10", "file name ..._20261101.parquet")
    latest_processed: date | None
    processed_where: str  # "the national files' statistics" or "the territory's rows"

    def data_month(self) -> str | None:
        """The month the latest processing date points to (a date in the first days of a month is the end of
        the previous one's stock)."""
        if self.latest_processed is None:
            return None
        return f"{self.latest_processed - timedelta(days=GRACE_DAYS):%Y-%m}"


def months_in_names(path: Path) -> dict[str, str]:
    """Months written in the file's name or its folder's: `YYYY-MM`, or a publication date `YYYYMMDD` (the stock of
    the month before). Only those two names: a date elsewhere in the path (a backup folder) says nothing."""
    found = {}
    for label, name in (("folder", path.parent.name), ("file name", path.name)):
        for m in _MONTH_NAME.finditer(name):
            found.setdefault(f"{m.group(1)}-{m.group(2)}", f"{label} {name}")
    for m in _PUBLICATION_DATE.finditer(path.name):
        published = date(int(m.group(1)), int(m.group(2)), 1)
        found.setdefault(f"{add_months(published, -1):%Y-%m}", f"publication date in file name {path.name}")
    return found


def _as_date(text) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10]) if text is not None else None
    except ValueError:
        return None


def _parquet_max(con: duckdb.DuckDBPyConnection, path: Path, column: str) -> date | None:
    """The column's maximum from the Parquet footer's statistics: the whole national file, without a scan."""
    try:
        values = con.execute("SELECT stats_max_value FROM parquet_metadata(?) WHERE path_in_schema = ?",
                             [str(path), column]).fetchall()
    except duckdb.Error:
        return None
    dates = [_as_date(v) for (v,) in values]
    return None if not dates or None in dates else max(dates)


def _landed_max(con: duckdb.DuckDBPyConnection, landed: Path, column: str) -> date | None:
    value = con.execute(f'SELECT max("{column}") FROM read_parquet(?)', [str(landed)]).fetchone()[0]
    return _as_date(value)


def gather_evidence(sources: dict[str, tuple[Path, str]], landed: dict[str, Path] | None = None) -> MonthEvidence:
    """`sources`: kind -> (national file, format); `landed`: kind -> the territory's landed rows (Parquet, text).
    The national files' statistics when every file has them (Parquet), else the territory's rows (none before
    the scan)."""
    named: dict[str, str] = {}
    for path, _ in sources.values():
        for month, why in months_in_names(path).items():
            named.setdefault(month, why)
    con = duckdb.connect()
    try:
        national = [_parquet_max(con, path, _PROCESSED[kind]) if fmt == "parquet" else None
                    for kind, (path, fmt) in sources.items()]
        if national and None not in national:
            return MonthEvidence(named, max(national), "the national files' statistics")
        rows = [d for d in (_landed_max(con, path, _PROCESSED[kind]) for kind, path in (landed or {}).items()) if d]
        return MonthEvidence(named, max(rows) if rows else None, "the territory's rows")
    finally:
        con.close()


def infer_month(evidence: MonthEvidence) -> str | None:
    """A name's month when the names agree, else the data's."""
    if len(evidence.named) > 1:
        raise MonthMismatch("the files' names disagree on the month: "
                            + "; ".join(f"{why} says {m}" for m, why in sorted(evidence.named.items())))
    if evidence.named:
        return next(iter(evidence.named))
    return evidence.data_month()


def settle_month(declared: str | None, evidence: MonthEvidence, *, force: bool = False) -> tuple[str | None, list]:
    """(the month, notes for the ledger): `declared` checked against the evidence, or the month inferred from it
    (None while there is none). MonthMismatch when they disagree, unless `force` keeps a declared month."""
    month = declared or infer_month(evidence)
    if month is None:
        return None, []
    try:
        check_month(month, evidence, declared=declared is not None)
    except MonthMismatch as exc:
        if not (force and declared):
            raise
        return month, [f"month forced with --force-month ({exc})"]
    return month, []


def check_month(month: str, evidence: MonthEvidence, *, declared: bool) -> None:
    """Raise MonthMismatch when a name or the latest processing date contradicts `month` (given with --month when
    `declared`, else read from the names)."""
    said = f"--month {month}" if declared else f"the files' names say {month}"
    hint = (f"check the files, or pass --force-month if {month} is right" if declared
            else "check the files, or give the month with --month YYYY-MM")
    for other, why in evidence.named.items():
        if other != month:
            raise MonthMismatch(f"{said} but the {why} says {other}: {hint}")
    latest = evidence.latest_processed
    if latest is None:
        return
    start = parse_month(month)
    end = add_months(start, 1) + timedelta(days=GRACE_DAYS)
    if not start <= latest < end:
        raise MonthMismatch(
            f"{said} but the latest processing date in {evidence.processed_where} is {latest} (a stock of {month} "
            f"has one from {start} to {end - timedelta(days=1)}): these look like the files of "
            f"{evidence.data_month()}; {hint}")
