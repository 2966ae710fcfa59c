"""`radar report --all` and `radar news --all`: the single-territory report and news flows over every territory of
a multi-territory working directory, fanned out by the task runner as `radar run` does (flows/territories.py)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.common import step_task
from flows.news import news
from flows.report import monthly_report
from flows.territories import gather
from radar.config import load_territory
from radar.territories import recorded_territories, territory_file
from steps.news import feeds_from_territory


@step_task(name="territory-report", task_run_name="report-{slug}")
def territory_report(slug: str, root: str, month: str | None, send_it: bool, resend: bool) -> dict:
    result = monthly_report(month=month, workdir=str(Path(root) / slug),
                            territory_file=str(territory_file(Path(root), slug)), send_it=send_it, resend=resend)
    sent = result["sent"]
    status = "rendered" if sent is None else "skipped" if "skipped" in sent else "sent"
    return {**result, "status": status}


@flow(name="monthly-report-territories", log_prints=True)
def reports_for_territories(workdir: str, month: str | None = None, send_it: bool = False,
                            resend: bool = False) -> dict:
    """Each territory's report of `month` (default: its latest loaded month), sent once when `send_it`."""
    slugs = recorded_territories(Path(workdir))
    return {"territories": gather({slug: territory_report.submit(slug, workdir, month, send_it, resend)
                                   for slug in slugs})}


@step_task(name="territory-news", task_run_name="news-{slug}")
def territory_news(slug: str, root: str, demo: bool, fetch_pages: bool) -> dict:
    path = territory_file(Path(root), slug)
    if not demo and not feeds_from_territory(load_territory(path)):
        return {"status": "skipped", "detail": "no [[feeds]] configured"}
    return news(workdir=str(Path(root) / slug), territory_file=str(path), demo=demo, fetch_pages=fetch_pages)


@flow(name="news-territories", log_prints=True)
def news_for_territories(workdir: str, demo: bool = False, fetch_pages: bool = True) -> dict:
    """Each territory's feeds read, linked to its companies, loaded and published."""
    slugs = recorded_territories(Path(workdir))
    return {"territories": gather({slug: territory_news.submit(slug, workdir, demo, fetch_pages) for slug in slugs})}
