"""The steps of a monthly SIRENE load, as plain functions the flow composes (and tests call directly).

Steps exchange paths and small dicts, never connections or big frames: resolve the two stock files (local or
downloaded to the cache), land the territory's rows, clean them into staged Arrow files, load those in one
transaction, publish the snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

from extractors.sirene_stock import StockFile, describe_stock, scan_territory, sha256_file
from extractors.stock_month import gather_evidence, settle_month
from radar.config import Territory, Workdir
from steps.common import SCANNING_PREFIX, InputError, committed_but_unfinished, new_run_id, write_json
from transforms.sirene import clean_etablissements, clean_unites_legales
from warehouse.db import connect_writer
from warehouse.disk import check_free_space
from warehouse.load_sirene import StockProvenance, load_stock_month, loaded_stock
from warehouse.reference import reference_sets

# Stable data.gouv.fr URLs that always redirect to the latest Parquet stock of each file.
DEFAULT_ETABLISSEMENTS_URL = "https://www.data.gouv.fr/datasets/r/a29c1297-1f92-4e2a-8f6b-8c902ce96c5f"
DEFAULT_UNITES_LEGALES_URL = "https://www.data.gouv.fr/datasets/r/350182c9-148a-46e0-8389-76c2ec1374a3"


def resolve_stock(source: str, kind: str, workdir: Workdir, *, progress: bool = False) -> dict:
    """A local path as it is, or a URL downloaded (resumable, cached, skipped when unchanged)."""
    if "://" in source:
        from extractors.download import fetch_to_cache, print_progress
        from extractors.http import client_from_env

        with client_from_env() as client:
            cached = fetch_to_cache(client, source, workdir.cache / "downloads", source="SIRENE stock",
                                    progress=print_progress(kind) if progress else None)
        path = Path(cached.path)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{kind} stock file not found: {source}")
    # The hash is computed in the background: with_hashes() waits for it where it is needed.
    stock = describe_stock(path, kind, workdir.cache / "hashes.json", wait_for_hash=False)
    return {"path": str(stock.path), "kind": kind, "fmt": stock.fmt, "sha256": stock.sha256, "size": stock.size,
            "source": source}


def with_hashes(workdir: Workdir, *stocks: dict) -> tuple[dict, ...]:
    return tuple(d if d["sha256"] else {**d, "sha256": sha256_file(Path(d["path"]), workdir.cache / "hashes.json")}
                 for d in stocks)


def stock_file(d: dict) -> StockFile:
    """A resolved stock (a step's dict) as the extractor's StockFile."""
    return StockFile(Path(d["path"]), d["kind"], d["fmt"], d["sha256"], d["size"])


def check_unchanged(workdir: Workdir, month: str, etab: dict, ul: dict) -> bool:
    """Same content hashes as the month already loaded; files of other sizes cannot be, and are not hashed yet."""
    with connect_writer(workdir.warehouse) as con:
        loaded = loaded_stock(con, month)
    if loaded is None or (loaded.etablissements_bytes, loaded.unites_legales_bytes) != (etab["size"], ul["size"]):
        return False
    etab, ul = with_hashes(workdir, etab, ul)
    return (loaded.etablissements_sha256, loaded.unites_legales_sha256) == (etab["sha256"], ul["sha256"])


def land_month(workdir: Workdir, territory: Territory, etab: dict, ul: dict, month: str | None,
               *, progress: bool = False, force_month: bool = False) -> dict:
    """Scan the files into `landing/sirene/<month>/<time>-<scan id>/`; returns the stock dicts as given.

    The month is checked against the files' own evidence (their names, their latest processing date), or inferred
    from it; `force_month` keeps a declared month the evidence contradicts, and says so in the ledger.
    Their hashes are not waited for here: hashing competes with DuckDB for the cores during the scan, so it
    runs at low priority in the background and the load waits for it (and completes the manifest)."""
    scan_id = uuid.uuid4().hex[:12]
    scanning = workdir.landing / "sirene" / f"{SCANNING_PREFIX}{scan_id}"
    landed_at = datetime.now(UTC)
    sources = {d["kind"]: (Path(d["path"]), d["fmt"]) for d in (etab, ul)}
    # Before the scan (minutes on a national file): the names, and the Parquet files' statistics.
    evidence = gather_evidence(sources)
    declared = month
    month, notes = settle_month(declared, evidence, force=force_month)
    try:
        scan = scan_territory(
            stock_file(etab), stock_file(ul), scanning,
            commune_codes=territory.commune_codes,
            excluded_sirens=sorted(territory.excluded_sirens), scratch_dir=workdir.cache / "scratch",
            progress=progress,
        )
        if evidence.latest_processed is None:  # CSV: the territory's rows are the data's evidence
            evidence = gather_evidence(sources, {"etablissements": scan.etablissements_path,
                                                 "unites_legales": scan.unites_legales_path})
            month, notes = settle_month(declared, evidence, force=force_month)
        if month is None:
            raise InputError("cannot infer the stock month from the files: pass --month YYYY-MM")
        out_dir = workdir.landing / "sirene" / month / f"{landed_at:%Y%m%dT%H%M%SZ}-{scan_id}"
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scanning, out_dir)
    finally:
        shutil.rmtree(scanning, ignore_errors=True)
    manifest = {"month": month, "etablissements": etab, "unites_legales": ul,
                "rows": {"etablissements": scan.etablissements_rows, "unites_legales": scan.unites_legales_rows},
                "extra_columns": scan.extra_columns, "landed_at": landed_at.isoformat(), "notes": notes}
    write_json(out_dir / "manifest.json", manifest)
    return {"month": month, "dir": str(out_dir), "rows": manifest["rows"], "etablissements": etab,
            "unites_legales": ul, "notes": notes}


def _complete_manifest(landing_dir: Path, etab: dict, ul: dict) -> None:
    """The landing manifest with the files' hashes, once they are known."""
    path = landing_dir / "manifest.json"
    write_json(path, {**json.loads(path.read_text()), "etablissements": etab, "unites_legales": ul})


def transform_month(landing: dict, territory: Territory) -> dict:
    """Clean the landed rows into staged Arrow files next to them (uncompressed: they live for one run, and are
    read back by memory mapping); returns their paths and the counts."""
    src = Path(landing["dir"])
    ref = reference_sets()
    etabs = clean_etablissements(pq.read_table(src / "etablissements.parquet"), ref, territory.commune_codes)
    units = clean_unites_legales(pq.read_table(src / "unites_legales.parquet"), ref)
    staged = src / "staged"
    staged.mkdir(exist_ok=True)
    quarantine = pd.concat([etabs.quarantine.assign(entity="establishment"),
                            units.quarantine.assign(entity="company")], ignore_index=True)
    paths = {}
    for name, table in (("establishments", etabs.table), ("companies", units.table),
                        ("quarantine", pa.Table.from_pandas(quarantine, preserve_index=False))):
        path = staged / f"{name}.arrow"
        tmp = path.with_name(path.name + ".tmp")
        feather.write_feather(table, tmp, compression="uncompressed")
        os.replace(tmp, path)
        paths[name] = str(path)
    in_territory = etabs.table["in_territory"]
    active = pc.and_(in_territory, pc.equal(etabs.table["state"], "A"))
    counts = {"establishments": etabs.counts, "companies": units.counts,
              "in_territory": int(pc.sum(in_territory).as_py() or 0),
              "active_in_territory": int(pc.sum(active).as_py() or 0)}
    return {"month": landing["month"], "landing_dir": landing["dir"], "staged": paths, "counts": counts,
            "notes": landing.get("notes", [])}


def load_month(workdir: Workdir, territory: Territory, staged: dict, etab: dict, ul: dict, run_id: str,
               started_at: datetime, *, accept_drop: bool = False) -> dict:
    def provenance() -> StockProvenance:
        """Asked for inside the transaction, after the monthly rows are in: the background hashing has had that
        much longer to finish."""
        hashed_etab, hashed_ul = with_hashes(workdir, etab, ul)
        _complete_manifest(Path(staged["landing_dir"]), hashed_etab, hashed_ul)
        return StockProvenance(Path(etab["path"]).name, hashed_etab["sha256"], etab["size"],
                               Path(ul["path"]).name, hashed_ul["sha256"], ul["size"])

    tables = {name: feather.read_table(path, memory_map=True) for name, path in staged["staged"].items()}
    check_free_space(workdir.root)
    try:
        with connect_writer(workdir.warehouse) as con:
            load_stock_month(
                con, month=staged["month"], run_id=run_id, started_at=started_at, territory=territory,
                establishments=tables["establishments"], companies=tables["companies"],
                quarantine=tables["quarantine"], provenance=provenance, counts=staged["counts"],
                accept_drop=accept_drop, notes=staged.get("notes", []),
            )
    except Exception as exc:  # after the COMMIT (closing checkpoints the WAL), the data is safe: say so
        raise committed_but_unfinished(workdir, run_id, f"the stock of {staged['month']}", exc) from exc
    return staged["counts"]


def prune_landing(workdir: Workdir, retention_days: int) -> int:
    cutoff = time.time() - retention_days * 86400
    removed = 0
    for manifest in (workdir.landing / "sirene").glob("*/*/manifest.json"):
        if manifest.stat().st_mtime < cutoff:
            shutil.rmtree(manifest.parent, ignore_errors=True)
            removed += 1
    return removed


def load_files(workdir: Workdir, territory: Territory, etablissements: str, unites_legales: str,
               month: str | None, *, accept_drop: bool = False) -> dict:
    """The steps of one month in a row, without Prefect, the unchanged check or a publish: for re-recording the
    demo's API responses, benchmarks and test builders that need a warehouse as the flow leaves it."""
    etab = resolve_stock(str(etablissements), "etablissements", workdir)
    ul = resolve_stock(str(unites_legales), "unites_legales", workdir)
    staged = transform_month(land_month(workdir, territory, etab, ul, month), territory)
    return load_month(workdir, territory, staged, etab, ul, new_run_id(), datetime.now(UTC), accept_drop=accept_drop)
