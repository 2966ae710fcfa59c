"""Months before the first stock, reconstructed from INSEE's historical establishment file: resolve the file, plan
the months, land the followed SIRETs' periods, load, publish."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from radar import sirene_history as steps
from radar import sirene_month
from radar.config import Workdir, load_territory

_task = task(cache_policy=NO_CACHE, retries=0)

prepare = _task(sirene_month.prepare_warehouse, name="prepare-warehouse")
resolve = _task(sirene_month.resolve_stock, name="resolve-historique")
plan = _task(steps.plan_history, name="plan-reconstructed-months")
unchanged = _task(steps.check_history_unchanged, name="check-unchanged")
land = _task(steps.land_history, name="land-followed-periods")
load = _task(steps.load_history, name="load-reconstructed-months")
publish = _task(sirene_month.publish, name="publish-snapshot")


@flow(name="sirene-historique", log_prints=True)
def sirene_historique(historique: str = steps.DEFAULT_HISTORIQUE_URL, months: list[str] | None = None,
                      territory_file: str | None = None, workdir: str = "radar-data") -> dict:
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    run_id, started = sirene_month.new_run_id(), datetime.now(timezone.utc)
    planned = plan(wd, months or [])
    todo = planned["months"]
    result = {"base_month": planned["base_month"], "months": todo, "run_id": run_id}
    if not todo:
        return dict(result, status="nothing to reconstruct")
    last = todo[-1]
    try:
        hist = resolve(historique, "historique", wd)
        if unchanged(wd, todo, hist):
            sirene_month.record_outcome(wd, run_id, "sirene_historique", started, "unchanged", month=last)
            status, counts = "unchanged", None
        else:
            landing = land(wd, hist, planned["base_month"])
            counts = load(wd, territory, landing, hist, todo, run_id, started)
            status = "reconstructed"
    except Exception as exc:
        sirene_month.record_outcome(wd, run_id, "sirene_historique", started, "failed", month=last,
                                    message=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    result.update(status=status, counts=counts, snapshot=publish(wd, territory))
    return result
