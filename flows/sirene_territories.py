"""The monthly SIRENE flow for several territories (`radar run --territory A --territory B ...`): the national
files read once for all of them, then each territory loaded, checked and published on its own, in one task that
calls the single-territory flow's steps, fanned out by the task runner (flows/territories.py). Its steps are
steps/sirene_territories.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from flows.common import step_task
from flows.sirene_month import AS_CALLS, month_and_publish, resolve
from flows.territories import gather
from radar.config import Workdir
from radar.territories import territory_file
from steps import sirene_month as month_steps
from steps import sirene_territories as steps
from steps.common import new_run_id

loaded_files = step_task(steps.loaded_files, name="find-loaded-month", task_run_name="loaded-{slug}")
find_unchanged = step_task(steps.find_unchanged, name="find-unchanged-territories")
scan = step_task(steps.scan_national, name="scan-national-files")


@step_task(name="territory-month", task_run_name="month-{slug}")
def territory_month(slug: str, root: str, etablissements: str, unites_legales: str, month: str | None,
                    scanned: dict | None, options: dict) -> dict:
    """One territory's month: what the single-territory flow does, on the rows scanned for it, in this one task."""
    return month_and_publish(etablissements, unites_legales, month, str(territory_file(Path(root), slug)),
                             str(Path(root) / slug), scanned=scanned, do=AS_CALLS, **options)


@flow(name="sirene-monthly-territories", log_prints=True)
def sirene_month_territories(territory_files: list[str], workdir: str,
                             etablissements: str = month_steps.DEFAULT_ETABLISSEMENTS_URL,
                             unites_legales: str = month_steps.DEFAULT_UNITES_LEGALES_URL, month: str | None = None,
                             progress: bool = False, options: dict | None = None) -> dict:
    """`options`: passed on to each territory's single-territory flow as they are."""
    root = Path(workdir)
    wd = Workdir(root)
    slugs = steps.open_territories(root, territory_files)
    steps.clear_scans(wd)
    run_id, started = new_run_id(), datetime.now(UTC)
    outcomes, scanned = [], {}
    try:
        etab = resolve(etablissements, "etablissements", wd, progress=progress)
        ul = resolve(unites_legales, "unites_legales", wd, progress=progress)
        # The month checked before the national scan (each territory checks it again, on its own rows for CSV).
        steps.check_month(etab, ul, month, force=(options or {}).get("force_month", False))
        unchanged = []
        if month:  # a territory whose month was loaded from these very files needs no scan
            checked = gather({slug: loaded_files.submit(root, slug, month) for slug in slugs})
            outcomes = [o for o in checked if o.get("status") == "failed"]
            slugs = [o["territory"] for o in checked if o.get("status") != "failed"]
            found = find_unchanged(wd, {o["territory"]: o["loaded"] for o in checked if o["territory"] in slugs},
                                   etab, ul)
            etab, ul, unchanged = found["etablissements"], found["unites_legales"], found["unchanged"]
        todo = [slug for slug in slugs if slug not in unchanged]
        scanned = scan(wd, todo, etab, ul, progress=progress) if todo else {}
        # Hashed once here (in the background during the scan), so that no territory hashes the files again.
        etab, ul = month_steps.with_hashes(wd, etab, ul)
    except Exception as exc:
        steps.record_failure_everywhere(root, slugs, run_id, started, month, exc)
        steps.clear_scans(wd)
        raise
    try:
        futures = {slug: territory_month.submit(slug, str(root), etab["path"], ul["path"], month,
                                                scanned.get(slug), options or {}) for slug in slugs}
        outcomes += gather(futures)
    finally:
        steps.clear_scans(wd)
    return {"month": month, "territories": outcomes}
