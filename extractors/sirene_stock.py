"""Read a SIRENE stock file (Parquet, CSV or zipped CSV) and keep only the territory's rows.

The national files are tens of millions of rows: DuckDB streams and filters them, and only the territory's rows
(thousands) are written to the landing zone as text columns, so that what follows never depends on how the source
typed them. DuckDB is used here as a file reader, nothing is loaded into the warehouse from this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from extractors.sirene_hint import guess_followed_sirens
from radar.errors import RadarError
from radar.sirene_schema import (
    ETABLISSEMENT_COLUMNS,
    REQUIRED_ETABLISSEMENT,
    REQUIRED_UNITE_LEGALE,
    UNITE_LEGALE_COLUMNS,
)


class StockFormatError(RadarError, ValueError):
    """A stock file that cannot be read as SIRENE: the message names the file and what is wrong."""


@dataclass(frozen=True)
class StockFile:
    path: Path
    kind: str  # "etablissements" or "unites_legales"
    fmt: str  # "parquet", "csv" or "zip"
    sha256: str | None
    size: int


def detect_format(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1":
        return "parquet"
    if head == b"PK\x03\x04":
        return "zip"
    return "csv"


# Hashing a national file takes about a second per GB on one core: it runs in the background, at the lowest CPU
# priority so that it takes only what the scan leaves idle, and is waited for only where the hash is needed (the
# no-op check when a file of the same size is loaded for the month, and the load).
_HASH_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stock-sha256")
_PENDING: dict[str, Future] = {}
_CACHE_LOCK = threading.Lock()


def _identity(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def _read_cache(cache_file: Path | None) -> dict:
    if cache_file and cache_file.is_file():
        try:
            return json.loads(cache_file.read_text())
        except ValueError:
            return {}
    return {}


def cached_sha256(path: Path, cache_file: Path | None = None) -> str | None:
    """The hash remembered for this (path, size, mtime), so an unchanged multi-GB file is hashed once."""
    with _CACHE_LOCK:
        return _read_cache(cache_file).get(_identity(path))


def _compute_sha256(path: Path, key: str, cache_file: Path | None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(4 << 20), b""):
            digest.update(block)  # releases the GIL: the scan goes on meanwhile
    value = digest.hexdigest()
    if cache_file:
        with _CACHE_LOCK:
            cache = _read_cache(cache_file)
            cache[key] = value
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(cache, indent=0))
            os.replace(tmp, cache_file)
    return value


def _background_sha256(path: Path, key: str, cache_file: Path | None) -> str:
    try:  # Linux schedules threads one by one: this lowers the hashing thread only.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass
    return _compute_sha256(path, key, cache_file)


def start_sha256(path: Path, cache_file: Path | None = None) -> str | None:
    """The cached hash, or None after starting to compute it in the background (see sha256_file)."""
    known = cached_sha256(path, cache_file)
    if known is None:
        key = _identity(path)
        with _CACHE_LOCK:
            if key not in _PENDING:
                _PENDING[key] = _HASH_POOL.submit(_background_sha256, path, key, cache_file)
    return known


def sha256_file(path: Path, cache_file: Path | None = None) -> str:
    """Content hash of the file: cached, or the background computation waited for, or computed now."""
    known = cached_sha256(path, cache_file)
    if known is not None:
        return known
    key = _identity(path)
    with _CACHE_LOCK:
        pending = _PENDING.get(key)
    return pending.result() if pending is not None else _compute_sha256(path, key, cache_file)


def describe_stock(path: Path, kind: str, hash_cache: Path | None = None, *, wait_for_hash: bool = True
                   ) -> StockFile:
    """With wait_for_hash=False, `sha256` may be None: it is being computed, sha256_file() gives it."""
    if not path.is_file():
        raise StockFormatError(f"{path}: file not found")
    digest = sha256_file(path, hash_cache) if wait_for_hash else start_sha256(path, hash_cache)
    return StockFile(path, kind, detect_format(path), digest, path.stat().st_size)


def extract_zip_member(path: Path, dest_dir: Path) -> Path:
    """Stream the CSV out of a zip to a temporary file (faster for DuckDB than reading through a pipe)."""
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
        if len(members) != 1:
            raise StockFormatError(f"{path}: expected one .csv inside the zip, found {len(members)}")
        dest_dir.mkdir(parents=True, exist_ok=True)
        out = dest_dir / Path(members[0].filename).name
        tmp = out.with_suffix(".csv.tmp")
        with zf.open(members[0]) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 8 << 20)
        os.replace(tmp, out)
    return out


def reader_sql(path: Path, fmt: str) -> str:
    quoted = str(path).replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{quoted}')"
    return (f"read_csv('{quoted}', header = true, delim = ',', quote = '\"', escape = '\"', "
            f"all_varchar = true, encoding = 'utf-8')")


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """DuckDB's errors about what it reads (a truncated Parquet file, a CSV line with too few fields) as one line
    naming the file and, for a CSV, the line; never the line's content (it may be a person's) nor our SQL."""
    try:
        yield
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        kept = [line.strip() for line in str(exc).splitlines()[:4]
                if line.strip() and not line.strip().startswith(("Original Line", "LINE ", "^", "Possible fixes"))]
        raise StockFormatError(f"{path}: cannot be read as a SIRENE stock ({' '.join(kept)})") from None


def file_columns(con: duckdb.DuckDBPyConnection, reader: str, path: Path) -> dict[str, str]:
    with reading(path):
        rows = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    return {name: dtype for name, dtype, *_ in rows}


def check_columns(columns: dict[str, str], required: tuple[str, ...], path: Path) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise StockFormatError(f"{path}: missing required column '{missing[0]}'"
                               + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))


# Drift that converts without loss (T37): identifiers and codes typed as integers lose their leading zeros, which
# padding restores; a date typed as TIMESTAMP is that date. What cannot be converted is left to the cleaning, which
# quarantines it, and to the plausibility gate, which refuses a stock with too much of it.
_PADDED = {"siren": 9, "siret": 14, "nic": 5, "nicSiegeUniteLegale": 5, "codeCommuneEtablissement": 5,
           "codePostalEtablissement": 5}
_DATE_ONLY = frozenset({"dateCreationEtablissement", "dateCreationUniteLegale", "dateDebut"})
_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                            "UINTEGER", "UBIGINT", "UHUGEINT"})


def text_expr(column: str, dtype: str | None) -> str:
    """The column as text in the CSV convention, whatever type the source gave it."""
    if dtype is None:
        return "CAST(NULL AS VARCHAR)"
    q = f'"{column}"'
    if dtype in _INTEGER_TYPES and column in _PADDED:
        return f"lpad(CAST({q} AS VARCHAR), {_PADDED[column]}, '0')"
    if dtype.startswith("TIMESTAMP"):
        return f"strftime({q}, '{'%Y-%m-%d' if column in _DATE_ONLY else '%Y-%m-%dT%H:%M:%S'}')"
    if dtype == "BOOLEAN":
        return f"CASE WHEN {q} THEN 'true' WHEN NOT {q} THEN 'false' END"
    return f"CAST({q} AS VARCHAR)"


def _as_text(column: str, dtype: str | None) -> str:
    return f'{text_expr(column, dtype)} AS "{column}"'


def projection(columns: dict[str, str], official: tuple[str, ...]) -> str:
    return ", ".join(_as_text(c, columns.get(c)) for c in official)


@dataclass(frozen=True)
class ScanResult:
    etablissements_path: Path
    unites_legales_path: Path
    etablissements_rows: int
    unites_legales_rows: int
    extra_columns: dict[str, list[str]]


def scan_territory(
    etab: StockFile,
    ul: StockFile,
    out_dir: Path,
    *,
    commune_codes: list[str],
    excluded_sirens: list[str],
    scratch_dir: Path,
    threads: int | None = None,
    memory_limit: str = "2GB",
    progress: bool = False,
    guess_followed: Callable[[Path, list[str]], pa.Array | list[str] | None] = guess_followed_sirens,
) -> ScanResult:
    """Write to `out_dir`, as Parquet with text columns: every establishment of the companies that have at
    least one establishment (open or closed) in the territory in this file, and those companies' legal units.

    Closed establishments stay in the stock forever, so a company that moved out is still followed and its
    new address is seen; and what is kept depends on this file only, never on the order months are loaded.

    For a CSV file, `guess_followed` names those companies quickly; a wrong or partial guess costs time, never
    rows (see extractors.sirene_hint).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for f in (etab, ul):
        paths[f.kind] = extract_zip_member(f.path, zip_scratch(scratch_dir, f)) if f.fmt == "zip" else f.path
    fmts = {f.kind: ("csv" if f.fmt == "zip" else f.fmt) for f in (etab, ul)}
    con = scan_connection(scratch_dir, threads=threads, memory_limit=memory_limit, progress=progress)
    try:
        e_reader = reader_sql(paths["etablissements"], fmts["etablissements"])
        u_reader = reader_sql(paths["unites_legales"], fmts["unites_legales"])
        e_cols = file_columns(con, e_reader, etab.path)
        u_cols = file_columns(con, u_reader, ul.path)
        check_columns(e_cols, REQUIRED_ETABLISSEMENT, etab.path)
        check_columns(u_cols, REQUIRED_UNITE_LEGALE, ul.path)

        con.execute("CREATE TEMP TABLE excluded AS SELECT unnest(?::VARCHAR[]) AS siren", [excluded_sirens])
        communes = ", ".join("'" + c.replace("'", "") + "'" for c in commune_codes)
        e_out = out_dir / "etablissements.parquet"
        u_out = out_dir / "unites_legales.parquet"
        in_territory = f'{text_expr("codeCommuneEtablissement", e_cols["codeCommuneEtablissement"])} IN ({communes})'
        e_siren, u_siren = text_expr("siren", e_cols["siren"]), text_expr("siren", u_cols["siren"])
        e_columns = projection(e_cols, ETABLISSEMENT_COLUMNS)
        guess = None
        if fmts["etablissements"] == "csv":
            if progress:  # DuckDB's bar shows the passes, not this step (written, not printed: flows log prints)
                sys.stderr.write(f"{etab.path.name}: finding the territory's companies (Polars)...\n")
                sys.stderr.flush()
            guess = guess_followed(paths["etablissements"], commune_codes)
        with reading(etab.path):
            if guess is None:  # two passes: the first reads two columns only (cheap in Parquet)
                con.execute(
                    f"""CREATE TEMP TABLE followed AS
                        SELECT DISTINCT {e_siren} AS siren FROM {e_reader}
                        WHERE {in_territory} AND {e_siren} NOT IN (SELECT siren FROM excluded)"""
                )
                rows = f"SELECT {e_columns} FROM {e_reader} WHERE {e_siren} IN (SELECT siren FROM followed)"
            else:
                keep_guessed(con, guess, e_reader, e_columns, in_territory)
                rows = "SELECT * FROM kept WHERE siren IN (SELECT siren FROM followed)"
            con.execute(f"COPY ({rows}) TO '{_tmp(e_out)}' (FORMAT parquet)")
        os.replace(_tmp(e_out), e_out)
        with reading(ul.path):
            con.execute(
                f"""COPY (
                    SELECT {projection(u_cols, UNITE_LEGALE_COLUMNS)} FROM {u_reader}
                    WHERE {u_siren} IN (SELECT siren FROM followed)
                ) TO '{_tmp(u_out)}' (FORMAT parquet)"""
            )
        os.replace(_tmp(u_out), u_out)
        e_rows = con.execute(f"SELECT count(*) FROM read_parquet('{e_out}')").fetchone()[0]
        u_rows = con.execute(f"SELECT count(*) FROM read_parquet('{u_out}')").fetchone()[0]
    finally:
        con.close()
        for f in (etab, ul):
            if f.fmt == "zip":
                shutil.rmtree(zip_scratch(scratch_dir, f), ignore_errors=True)
    extra = {"etablissements": sorted(set(e_cols) - set(ETABLISSEMENT_COLUMNS)),
             "unites_legales": sorted(set(u_cols) - set(UNITE_LEGALE_COLUMNS))}
    return ScanResult(e_out, u_out, e_rows, u_rows, extra)


def keep_guessed(con: duckdb.DuckDBPyConnection, guess: pa.Array | list[str], e_reader: str, e_columns: str,
                 in_territory: str) -> None:
    """Fill the temp tables `kept` (a superset of the rows to keep) and `followed` from a guess of the companies
    to follow, checked by the same pass: it also keeps every row in the territory, so the companies of those
    rows that were not guessed are seen, and their other rows are fetched by a second pass."""
    con.register("guessed", pa.table({"siren": pa.array(guess, pa.string())}))
    con.execute(
        f"""CREATE TEMP TABLE kept AS SELECT {e_columns} FROM {e_reader}
            WHERE CAST(siren AS VARCHAR) IN (SELECT siren FROM guessed) OR {in_territory}"""
    )
    con.execute(
        f"""CREATE TEMP TABLE followed AS SELECT DISTINCT siren FROM kept
            WHERE coalesce({in_territory}, false) AND siren IS NOT NULL
              AND siren NOT IN (SELECT siren FROM excluded)"""
    )
    missed = "SELECT siren FROM followed EXCEPT SELECT siren FROM guessed"
    if con.execute(f"SELECT count(*) FROM ({missed})").fetchall()[0][0]:
        con.execute(
            f"""INSERT INTO kept SELECT {e_columns} FROM {e_reader}
                WHERE CAST(siren AS VARCHAR) IN ({missed}) AND NOT coalesce({in_territory}, false)"""
        )


def scan_connection(scratch_dir: Path, *, threads: int | None, memory_limit: str,
                    progress: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that streams a national file within a memory budget, spilling to the scratch dir."""
    scratch_dir.mkdir(parents=True, exist_ok=True)  # DuckDB makes only the last folder of its temp_directory
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": str(scratch_dir / "duckdb-tmp")})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    # DuckDB's progress bar is on by default and prints to stdout even when it is not a terminal.
    con.execute(f"SET enable_progress_bar = {str(bool(progress)).lower()}")
    return con


def zip_scratch(scratch_dir: Path, f: StockFile) -> Path:
    """Where a zipped CSV is extracted: named after the file, not its hash (which may still be computing)."""
    return scratch_dir / hashlib.sha256(f"{f.path.resolve()}|{f.size}".encode()).hexdigest()[:16]


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")
