"""One scan of the national stock files for many territories.

Scanning the national files once per territory would read tens of GB for each: instead the files are scanned
once, by the single-territory scan (extractors/sirene_stock.py), for the union of the territories' communes, and
that union (the territories' companies only: a few percent of the file for a few territories) is split into one
folder per territory. The split applies each territory's own rule, so a territory gets exactly the rows a scan
for it alone keeps: a company is followed by a territory when one of its establishments is in the territory's
communes and the territory does not exclude it; every company followed by some territory is in the union
(only a SIREN every territory excludes is left out of it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from extractors.sirene_hint import guess_followed_sirens
from extractors.sirene_stock import ScanResult, StockFile, scan_connection, scan_territory


@dataclass(frozen=True)
class Selection:
    """What one territory keeps: its communes (INSEE codes) and the SIRENs it excludes."""

    commune_codes: tuple[str, ...]
    excluded_sirens: tuple[str, ...] = ()


def union_selection(selections: dict[str, Selection]) -> Selection:
    communes = sorted({c for s in selections.values() for c in s.commune_codes})
    excluded = set.intersection(*(set(s.excluded_sirens) for s in selections.values())) if selections else set()
    return Selection(tuple(communes), tuple(sorted(excluded)))


def scan_territories(
    etab: StockFile,
    ul: StockFile,
    out_dir: Path,
    selections: dict[str, Selection],
    *,
    scratch_dir: Path,
    threads: int | None = None,
    memory_limit: str = "2GB",
    progress: bool = False,
    guess_followed: Callable[[Path, list[str]], pa.Array | list[str] | None] = guess_followed_sirens,
) -> dict[str, ScanResult]:
    """Write `out_dir/<slug>/etablissements.parquet` and `unites_legales.parquet` for every territory (slug ->
    Selection), as `scan_territory` would for that territory alone, reading each national file once."""
    union = union_selection(selections)
    whole = scan_territory(etab, ul, out_dir / ".union", commune_codes=list(union.commune_codes),
                           excluded_sirens=list(union.excluded_sirens), scratch_dir=scratch_dir, threads=threads,
                           memory_limit=memory_limit, progress=progress, guess_followed=guess_followed)
    try:
        return split_union(whole, out_dir, selections, scratch_dir=scratch_dir, threads=threads,
                           memory_limit=memory_limit)
    finally:
        shutil.rmtree(out_dir / ".union", ignore_errors=True)


def split_union(whole: ScanResult, out_dir: Path, selections: dict[str, Selection], *, scratch_dir: Path,
                threads: int | None, memory_limit: str) -> dict[str, ScanResult]:
    """Each territory's rows of the union, in one pass per file: DuckDB writes one partition per territory."""
    con = scan_connection(scratch_dir, threads=threads, memory_limit=memory_limit)
    parts = out_dir / ".parts"
    parts.mkdir(parents=True, exist_ok=True)
    try:
        con.register("communes", pa.table({
            "slug": [slug for slug, s in selections.items() for _ in s.commune_codes],
            "code": [c for s in selections.values() for c in s.commune_codes]}))
        con.register("excluded", pa.table({
            "slug": [slug for slug, s in selections.items() for _ in s.excluded_sirens],
            "siren": [x for s in selections.values() for x in s.excluded_sirens]}))
        e_union, u_union = (str(p).replace("'", "''") for p in (whole.etablissements_path, whole.unites_legales_path))
        # The same rule as scan_territory's, per territory (rows without a SIREN follow no company).
        con.execute(f"""CREATE TEMP TABLE followed AS
            SELECT DISTINCT c.slug, e.siren FROM read_parquet('{e_union}') e
            JOIN communes c ON e.codeCommuneEtablissement = c.code
            WHERE e.siren IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.slug = c.slug AND x.siren = e.siren)""")
        results = {}
        for name, source in (("etablissements", e_union), ("unites_legales", u_union)):
            folder = parts / name
            con.execute(f"""COPY (SELECT f.slug, s.* FROM read_parquet('{source}') s JOIN followed f USING (siren))
                            TO '{str(folder).replace("'", "''")}' (FORMAT parquet, PARTITION_BY (slug))""")
            for slug in selections:
                target = out_dir / slug / f"{name}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                _gather_partition(con, folder / f"slug={slug}", target, empty_like=source)
                results.setdefault(slug, {})[name] = target
        return {slug: ScanResult(p["etablissements"], p["unites_legales"], _rows(con, p["etablissements"]),
                                 _rows(con, p["unites_legales"]), whole.extra_columns)
                for slug, p in results.items()}
    finally:
        con.close()
        shutil.rmtree(parts, ignore_errors=True)


def _gather_partition(con, folder: Path, target: Path, *, empty_like: str) -> None:
    """A territory's partition as one file: moved when DuckDB wrote one (the usual case), else merged; a
    territory without any row gets an empty file with the columns of the union."""
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if len(files) == 1:
        os.replace(files[0], target)
        return
    tmp = target.with_name(target.name + ".tmp")
    source = (f"read_parquet('{str(folder).replace(chr(39), chr(39) * 2)}/*.parquet', hive_partitioning = false)"
              if files
              else f"(SELECT * FROM read_parquet('{empty_like}') LIMIT 0)")
    con.execute(f"COPY (SELECT * FROM {source}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
    os.replace(tmp, target)


def _rows(con, path: Path) -> int:
    return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
