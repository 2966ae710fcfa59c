"""The monthly SIRENE flow: resolve the stock files, land the territory's rows, clean, load, publish."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from radar import sirene_month as steps
from radar.config import Workdir, load_territory

# Retries live in the HTTP client; a task retry here would multiply them.
_task = task(cache_policy=NO_CACHE, retries=0)

prepare = _task(steps.prepare_warehouse, name="prepare-warehouse")
resolve = _task(steps.resolve_stock, name="resolve-stock", task_run_name="resolve-{kind}")
unchanged = _task(steps.check_unchanged, name="check-unchanged")
land = _task(steps.land_month, name="land-territory-rows")
transform = _task(steps.transform_month, name="clean-validate-dedupe")
load = _task(steps.load_month, name="load-month")
publish = _task(steps.publish, name="publish-snapshot")


def _run_month(workdir: Workdir, territory, etab_source: str, ul_source: str, month: str | None,
               progress: bool) -> dict:
    run_id, started = steps.new_run_id(), datetime.now(timezone.utc)
    try:
        etab = resolve(etab_source, "etablissements", workdir, progress=progress)
        ul = resolve(ul_source, "unites_legales", workdir, progress=progress)
        if month and unchanged(workdir, month, etab, ul):
            steps.record_outcome(workdir, run_id, "sirene_month", started, "unchanged", month=month)
            return {"month": month, "status": "unchanged", "run_id": run_id}
        landing = land(workdir, territory, etab, ul, month, progress=progress)
        month, etab, ul = landing["month"], landing["etablissements"], landing["unites_legales"]
        if unchanged(workdir, month, etab, ul):
            steps.record_outcome(workdir, run_id, "sirene_month", started, "unchanged", month=month)
            return {"month": month, "status": "unchanged", "run_id": run_id}
        staged = transform(landing, territory)
        counts = load(workdir, territory, staged, etab, ul, run_id, started)
    except Exception as exc:
        steps.record_outcome(workdir, run_id, "sirene_month", started, "failed", month=month,
                             message=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return {"month": month, "status": "loaded", "run_id": run_id, "counts": counts}


@flow(name="sirene-monthly", log_prints=True)
def sirene_monthly(etablissements: str = steps.DEFAULT_ETABLISSEMENTS_URL,
                   unites_legales: str = steps.DEFAULT_UNITES_LEGALES_URL, month: str | None = None,
                   territory_file: str | None = None, workdir: str = "radar-data",
                   progress: bool = False) -> dict:
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    result = _run_month(wd, territory, etablissements, unites_legales, month, progress)
    # Even an unchanged month adds to the run ledger, which the snapshot shows.
    result["snapshot"] = publish(wd, territory)
    steps.prune_landing(wd, territory.landing_retention_days)
    return result
