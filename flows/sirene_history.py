"""Months before the first stock, reconstructed from INSEE's historical establishment file (`radar backfill
--historique`): resolve the file, plan the months, land the followed SIRETs' periods, load, publish. Its steps are
steps/sirene_history.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from flows.common import prepare, publish, step_task
from radar.config import Workdir, load_territory
from steps import sirene_history as steps
from steps.common import new_run_id, record_failure, record_outcome
from steps.sirene_month import resolve_stock

resolve = step_task(resolve_stock, name="resolve-historique")
plan = step_task(steps.plan_history, name="plan-reconstructed-months")
unchanged = step_task(steps.check_history_unchanged, name="check-unchanged")
land = step_task(steps.land_history, name="land-followed-periods")
load = step_task(steps.load_history, name="load-reconstructed-months")


@flow(name="sirene-historique", log_prints=True)
def sirene_history(historique: str = steps.DEFAULT_HISTORIQUE_URL, months: list[str] | None = None,
                   territory_file: str | None = None, workdir: str = "radar-data") -> dict:
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    run_id, started = new_run_id(), datetime.now(UTC)
    planned = plan(wd, months or [])
    todo = planned["months"]
    result = {"base_month": planned["base_month"], "months": todo, "run_id": run_id}
    if not todo:
        return dict(result, status="nothing to reconstruct")
    last = todo[-1]
    try:
        hist = resolve(historique, "historique", wd)
        if unchanged(wd, todo, hist):
            record_outcome(wd, run_id, "sirene_historique", started, "unchanged", month=last)
            status, counts = "unchanged", None
        else:
            landing = land(wd, hist, planned["base_month"])
            counts = load(wd, territory, landing, hist, todo, run_id, started)
            status = "reconstructed"
    except Exception as exc:
        record_failure(wd, run_id, "sirene_historique", started, exc, month=last)
        raise
    result.update(status=status, counts=counts, snapshot=publish(wd, territory))
    return result
