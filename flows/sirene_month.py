"""The monthly SIRENE flow (`radar run`): resolve the stock files, land the territory's rows, clean, load,
publish. Its steps are steps/sirene_month.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from prefect import flow

from flows.common import prepare, publish, step_task
from radar.config import Workdir, load_territory
from radar.months import validate_month
from steps import common
from steps import sirene_month as steps
from steps.common import new_run_id, record_failure, record_outcome

# The month's steps as Prefect tasks, each shown in the run; and as plain calls, for one territory's month inside
# its single task of a multi-territory run (flows/sirene_territories.py), where seven task runs and a sub-flow per
# territory cost more CPU than the territory's own work.
AS_TASKS = SimpleNamespace(
    prepare=prepare, publish=publish,
    resolve=step_task(steps.resolve_stock, name="resolve-stock", task_run_name="resolve-{kind}"),
    unchanged=step_task(steps.check_unchanged, name="check-unchanged"),
    land=step_task(steps.land_month, name="land-territory-rows"),
    transform=step_task(steps.transform_month, name="clean-validate-dedupe"),
    load=step_task(steps.load_month, name="load-month"))
AS_CALLS = SimpleNamespace(prepare=common.prepare_warehouse, publish=common.publish, resolve=steps.resolve_stock,
                           unchanged=steps.check_unchanged, land=steps.land_month, transform=steps.transform_month,
                           load=steps.load_month)
resolve = AS_TASKS.resolve


def run_month(workdir: Workdir, territory, etab_source: str, ul_source: str, month: str | None,
              progress: bool, *, scanned: dict | None = None, accept_drop: bool = False,
              force_month: bool = False, do=AS_TASKS) -> dict:
    """One month, loaded or found unchanged; any failure recorded in the ledger, then raised."""
    run_id, started = new_run_id(), datetime.now(UTC)
    try:
        month = validate_month(month)
        etab = do.resolve(etab_source, "etablissements", workdir, progress=progress)
        ul = do.resolve(ul_source, "unites_legales", workdir, progress=progress)
        if month and do.unchanged(workdir, month, etab, ul):
            record_outcome(workdir, run_id, "sirene_month", started, "unchanged", month=month)
            return {"month": month, "status": "unchanged", "run_id": run_id}
        landing = do.land(workdir, territory, etab, ul, month, progress=progress, scanned=scanned,
                          force_month=force_month)
        month, etab, ul = landing["month"], landing["etablissements"], landing["unites_legales"]
        if do.unchanged(workdir, month, etab, ul):
            record_outcome(workdir, run_id, "sirene_month", started, "unchanged", month=month)
            return {"month": month, "status": "unchanged", "run_id": run_id}
        staged = do.transform(landing, territory)
        counts = do.load(workdir, territory, staged, etab, ul, run_id, started, accept_drop=accept_drop)
    except Exception as exc:
        record_failure(workdir, run_id, "sirene_month", started, exc, month=month)
        raise
    return {"month": month, "status": "loaded", "run_id": run_id, "counts": counts}


def month_and_publish(etablissements: str, unites_legales: str, month: str | None, territory_file: str | None,
                      workdir: str, progress: bool = False, accept_drop: bool = False, force_month: bool = False,
                      scanned: dict | None = None, do=AS_TASKS) -> dict:
    """The flow's body: prepare, the month, publish, prune the landing zone (`do`: as tasks or as plain calls)."""
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    do.prepare(wd)
    result = run_month(wd, territory, etablissements, unites_legales, month, progress, scanned=scanned,
                       accept_drop=accept_drop, force_month=force_month, do=do)
    # Even an unchanged month adds to the run ledger, which the snapshot shows.
    result["snapshot"] = do.publish(wd, territory)
    steps.prune_landing(wd, territory.landing_retention_days)
    return result


@flow(name="sirene-monthly", log_prints=True)
def sirene_month(etablissements: str = steps.DEFAULT_ETABLISSEMENTS_URL,
                 unites_legales: str = steps.DEFAULT_UNITES_LEGALES_URL, month: str | None = None,
                 territory_file: str | None = None, workdir: str = "radar-data", progress: bool = False,
                 accept_drop: bool = False, force_month: bool = False, scanned: dict | None = None) -> dict:
    """`accept_drop` lets a real collapse of the territory through the plausibility gate; `force_month` keeps a
    `month` the files contradict (both are said in the ledger). `scanned`: the territory's rows, already scanned
    from these files with other territories' (a multi-territory run, flows/sirene_territories.py)."""
    return month_and_publish(etablissements, unites_legales, month, territory_file, workdir, progress=progress,
                             accept_drop=accept_drop, force_month=force_month, scanned=scanned)
