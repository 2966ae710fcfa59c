"""The steps of a reconstruction from INSEE's historical establishment file, as plain functions the flow composes
(and tests call directly): resolve the file (local or downloaded to the cache), plan the months (those before the
first loaded stock), land the periods of the followed SIRETs, load them in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from extractors.sirene_history import scan_history
from radar.config import Territory, Workdir
from steps.common import InputError, committed_but_unfinished, write_json
from steps.sirene_month import stock_file, with_hashes
from warehouse.db import connect_writer
from warehouse.disk import check_free_space
from warehouse.load_history import (
    HistoryProvenance,
    base_provenance,
    first_stock_month,
    followed_sirets,
    history_unchanged,
    load_history_months,
)

# data.gouv.fr resource of StockEtablissementHistorique_utf8.zip (INSEE's historical establishment file).
DEFAULT_HISTORIQUE_URL = "https://www.data.gouv.fr/datasets/r/88fbb6b4-0320-443e-b739-b4376a012c32"


def plan_history(workdir: Workdir, months: list[str]) -> dict:
    """The months of `months` to reconstruct (before the first loaded stock) and that stock's month."""
    with connect_writer(workdir.warehouse) as con:
        base = first_stock_month(con)
    if base is None:
        raise InputError("no stock month is loaded yet: reconstruction from the historical file reuses the "
                         "addresses of the first stock; load one first (radar run, or backfill with stock files)")
    first = f"{base:%Y-%m}"
    return {"base_month": first, "months": [m for m in months if m < first]}


def check_history_unchanged(workdir: Workdir, months: list[str], hist: dict) -> bool:
    (hist,) = with_hashes(workdir, hist)
    with connect_writer(workdir.warehouse) as con:
        return history_unchanged(con, months, hist["sha256"])


def land_history(workdir: Workdir, hist: dict, base_month: str) -> dict:
    (hist,) = with_hashes(workdir, hist)
    with connect_writer(workdir.warehouse) as con:
        sirets = followed_sirets(con, datetime.strptime(base_month, "%Y-%m").date())
    # Kept with the monthly landings so the same retention prunes it.
    out_dir = workdir.landing / "sirene" / f"historique-{base_month}" / hist["sha256"][:12]
    scan = scan_history(stock_file(hist), sirets, out_dir / "periods.parquet", scratch_dir=workdir.cache / "scratch")
    manifest = {"base_month": base_month, "historique": hist, "followed_sirets": len(sirets),
                "rows": scan.rows, "sirets_found": scan.sirets_found,
                "landed_at": datetime.now(UTC).isoformat()}
    write_json(out_dir / "manifest.json", manifest)
    return {"base_month": base_month, "path": str(scan.path), "rows": scan.rows, "sirets_found": scan.sirets_found}


def load_history(workdir: Workdir, territory: Territory, landing: dict, hist: dict, months: list[str],
                 run_id: str, started_at: datetime) -> dict:
    base = datetime.strptime(landing["base_month"], "%Y-%m").date()
    (hist,) = with_hashes(workdir, hist)
    check_free_space(workdir.root)
    try:
        with connect_writer(workdir.warehouse) as con:
            ul = base_provenance(con, base)
            provenance = HistoryProvenance(Path(hist["path"]).name, hist["sha256"], hist["size"], base,
                                           ul["file"], ul["sha256"], ul["bytes"])
            return load_history_months(con, months=months, periods_path=landing["path"], provenance=provenance,
                                       run_id=run_id, started_at=started_at, territory=territory)
    except Exception as exc:  # after the COMMIT, the data is safe: say so
        raise committed_but_unfinished(workdir, run_id, f"the reconstruction of {', '.join(months)}", exc) from exc
