"""The news flow: fetch feeds and pages politely, transform (stories, links, press events), load, publish."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from radar import news as steps
from radar import sirene_month
from radar.config import Workdir, load_territory

# Retries live in the HTTP client; a task retry here would multiply them.
_task = task(cache_policy=NO_CACHE, retries=0)

fetch = _task(steps.fetch_news, name="fetch-feeds-and-pages")
transform = _task(steps.transform_news, name="clean-dedupe-link")
load = _task(steps.load_news_run, name="load-news")
publish = _task(sirene_month.publish, name="publish-snapshot")


def run_news(wd: Workdir, territory, feeds, *, allow_hosts=(), fetch_pages: bool = True,
             politeness_seconds: float = steps.POLITENESS_SECONDS) -> dict:
    run_id, started = sirene_month.new_run_id(), datetime.now(timezone.utc)
    try:
        fetched = fetch(wd, feeds, allow_hosts=tuple(allow_hosts), fetch_pages=fetch_pages,
                        politeness_seconds=politeness_seconds)
        transformed = transform(wd, territory, fetched)
        counts = load(wd, transformed, run_id, started)
    except Exception as exc:
        sirene_month.record_outcome(wd, run_id, "news", started, "failed",
                                    message=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return {"run_id": run_id, "status": "loaded", "counts": counts,
            "feeds": [{k: f[k] for k in ("name", "status", "items", "error")} for f in fetched["feeds"]]}


@flow(name="news", log_prints=True)
def news(workdir: str = "radar-data", territory_file: str | None = None, demo: bool = False,
         fetch_pages: bool = True, publish_snapshot: bool = True) -> dict:
    """`demo=True` serves the bundled feeds on loopback (radar/demo/news) instead of the territory's [[feeds]]."""
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    sirene_month.prepare_warehouse(wd)
    with contextlib.ExitStack() as stack:
        if demo:
            from radar.demo.news import demo_feeds, serve_demo_news

            base = stack.enter_context(serve_demo_news())
            # One local server stands for every site: a short delay keeps the demo quick.
            feeds, allow, delay = demo_feeds(base), ("127.0.0.1",), 0.1
        else:
            feeds, allow, delay = steps.feeds_from_territory(territory), (), steps.POLITENESS_SECONDS
        result = run_news(wd, territory, feeds, allow_hosts=allow, fetch_pages=fetch_pages, politeness_seconds=delay)
    if publish_snapshot:
        result["snapshot"] = publish(wd, territory)
    return result
