"""`radar demo`: the whole pipeline over every month of the bundled offline data, then the latest report."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from demo.news import demo_feeds, serve_demo_news
from flows.api_sources import demo_api_sources
from flows.common import prepare, publish, step_task
from flows.news import run_news
from flows.report import report_steps
from flows.sirene_month import run_month
from radar.config import DEFAULT_TERRITORY, Workdir, load_territory
from reports.render import latest_month
from steps.demo import DEMO_MONTHS, ensure_demo_data

demo_data = step_task(ensure_demo_data, name="generate-demo-data")


@flow(name="radar-demo", log_prints=True)
def radar_demo(workdir: str = "radar-data", territory_file: str | None = None, months: int = 24) -> dict:
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    files = demo_data(wd.demo_data, months=months)
    results = [run_month(wd, territory, f["etablissements"], f["unites_legales"], f["month"], False)
               for f in files]
    # The API sources run against emulators on loopback, through the same code as live runs, serving the
    # responses recorded with the bundled demo (24 months, default territory).
    default_territory = territory_file is None or Path(territory_file).resolve() == DEFAULT_TERRITORY.resolve()
    api_results = demo_api_sources(wd, territory, recorded=months == DEMO_MONTHS and default_territory)
    with serve_demo_news() as base:  # the bundled feeds, through the same fetch/parse/load path as live ones
        news_result = run_news(wd, territory, demo_feeds(base), allow_hosts=("127.0.0.1",), politeness_seconds=0.1)
    snapshot = publish(wd, territory)
    month = latest_month(Path(snapshot))
    # No SMTP in the demo, whatever the environment says: the message goes to DIR/outbox/ as an .eml file.
    delivered = report_steps(wd, territory, month, send_it=True, env={})
    return {"months": results, "api_sources": api_results, "news": news_result, "snapshot": snapshot,
            "report": delivered["report"], "report_month": month, "pdf": delivered["pdf"],
            "outbox": (delivered["sent"] or {}).get("where")}
