"""The steps of a month loaded for several territories (`radar run --territory A --territory B ...`): the
territories recorded in a multi-territory working directory, the ones whose month is already loaded from these
very files, one scan of the national files for the others. Each territory is then loaded by the single-territory
flow, given its scanned rows (flows/sirene_territories.py)."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from pathlib import Path

from extractors.sirene_national import Selection, scan_territories
from extractors.stock_month import gather_evidence, settle_month
from radar.config import Workdir, load_territory
from radar.territories import record_territories, territory_file, territory_workdir
from steps.common import prepare_warehouse, record_failure
from steps.sirene_month import stock_file, with_hashes
from warehouse.db import connect_writer
from warehouse.load_sirene import loaded_stock


def open_territories(root: Path, files: list[str]) -> list[str]:
    """The territories' slugs, in the order given, once recorded in the working directory (their files copied
    into it, where the workers read them)."""
    territories = [load_territory(f) for f in files]
    record_territories(root, territories)
    return [t.slug for t in territories]


def scans_folder(root: Workdir) -> Path:
    return root.cache / "scan"


def clear_scans(root: Workdir) -> None:
    """What a killed run's national scan left (one multi-territory run at a time per working directory, as one
    writer per warehouse)."""
    shutil.rmtree(scans_folder(root), ignore_errors=True)


def loaded_files(root: Path, slug: str, month: str) -> dict:
    """The territory's warehouse made ready; `loaded`: the names, sizes and hashes of the files its month was
    loaded from, or None."""
    wd = territory_workdir(root, slug)
    prepare_warehouse(wd)
    with connect_writer(wd.warehouse) as con:
        loaded = loaded_stock(con, month)
    return {"loaded": dataclasses.asdict(loaded) if loaded else None}


def find_unchanged(root: Workdir, loaded: dict[str, dict | None], etab: dict, ul: dict) -> dict:
    """The territories whose month was loaded from these very files (they need no scan); the files' hashes are
    waited for only when some territory's sizes agree, as in the single-territory check."""
    same_size = [slug for slug, files in loaded.items() if files and
                 (files["etablissements_bytes"], files["unites_legales_bytes"]) == (etab["size"], ul["size"])]
    if same_size:
        etab, ul = with_hashes(root, etab, ul)
    unchanged = [slug for slug in same_size if (loaded[slug]["etablissements_sha256"],
                                                 loaded[slug]["unites_legales_sha256"]) == (etab["sha256"], ul["sha256"])]
    return {"unchanged": unchanged, "etablissements": etab, "unites_legales": ul}


def scan_national(root: Workdir, slugs: list[str], etab: dict, ul: dict, *, progress: bool = False) -> dict:
    """One scan of the national files for these territories: slug -> the folder of its rows and their counts
    (what land_month takes as `scanned`)."""
    selections = {}
    for slug in slugs:
        territory = load_territory(territory_file(root.root, slug))
        selections[slug] = Selection(tuple(territory.commune_codes), tuple(sorted(territory.excluded_sirens)))
    out = scans_folder(root) / uuid.uuid4().hex[:12]
    results = scan_territories(stock_file(etab), stock_file(ul), out, selections,
                               scratch_dir=root.cache / "scratch", progress=progress)
    return {slug: {"dir": str(r.etablissements_path.parent), "etablissements_rows": r.etablissements_rows,
                   "unites_legales_rows": r.unites_legales_rows, "extra_columns": r.extra_columns}
            for slug, r in results.items()}


def check_month(etab: dict, ul: dict, month: str | None, *, force: bool = False) -> None:
    """The month against the files' names and, for Parquet, their statistics, before the national scan (minutes):
    a contradiction stops every territory at once, as it would each single-territory run."""
    settle_month(month, gather_evidence({d["kind"]: (Path(d["path"]), d["fmt"]) for d in (etab, ul)}), force=force)


def record_failure_everywhere(root: Path, slugs: list[str], run_id: str, started_at, month: str | None,
                              exc: BaseException) -> None:
    """A failure before the territories' own loads (the national scan): in each territory's ledger, as a
    single-territory run records it."""
    for slug in slugs:
        record_failure(territory_workdir(root, slug), run_id, "sirene_month", started_at, exc, month=month)
