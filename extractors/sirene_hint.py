"""A fast first guess at the companies a CSV stock file makes us follow.

DuckDB tokenises every column of a CSV row even when a query needs two of them: finding the companies with an
establishment in the territory costs most of a full parse of the national file. Polars' reader skips the columns
it is not asked for and does it in well under half the time. Its answer is only a guess: the scan keeps, in its
one DuckDB pass, every row of the guessed companies *and* every row in the territory, so a company the guess
missed is seen there and fetched by a second pass. What is kept never depends on Polars parsing the file the same
way as DuckDB.
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

import pyarrow as pa

log = logging.getLogger(__name__)


@functools.cache
def _polars():
    """Polars, or None where it cannot run: on a CPU without the instructions its build needs, it only warns at
    import, then crashes the process instead of raising."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import polars
        except ImportError:
            return None
    if any("CPU features" in str(w.message) for w in caught):
        log.info("Polars cannot run on this CPU: CSV stocks are scanned without its guess (slower, same rows)")
        return None
    return polars


def guess_followed_sirens(path: Path, commune_codes: list[str]) -> pa.Array | None:
    """The SIRENs of the rows whose commune is in `commune_codes`, or None when Polars cannot run here or read
    the file (the caller then finds them with DuckDB)."""
    pl = _polars()
    if pl is None:
        return None
    try:
        frame = (
            pl.scan_csv(path, infer_schema=False, truncate_ragged_lines=True)
            .select("siren", "codeCommuneEtablissement")
            .filter(pl.col("codeCommuneEtablissement").is_in(commune_codes) & pl.col("siren").is_not_null())
            .select(pl.col("siren").unique())
            .collect()
        )
    except Exception as exc:  # noqa: BLE001 - any failure only means the slower exact path is taken
        log.debug("no Polars guess for %s: %s", path, str(exc).splitlines()[0] if str(exc) else type(exc))
        return None
    return frame["siren"].to_arrow()
