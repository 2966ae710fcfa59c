"""The news flow (`radar news`): fetch feeds and pages politely, transform (stories, links, press events), load,
publish. Its steps are steps/news.py."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from flows.common import prepare, publish, step_task
from radar.config import Workdir, load_territory
from steps import news as steps
from steps.common import new_run_id, record_outcome

fetch = step_task(steps.fetch_news, name="fetch-feeds-and-pages")
transform = step_task(steps.transform_news, name="clean-dedupe-link")
load = step_task(steps.load_news_run, name="load-news")


def run_news(wd: Workdir, territory, feeds, *, allow_hosts=(), fetch_pages: bool = True,
             politeness_seconds: float = steps.POLITENESS_SECONDS) -> dict:
    run_id, started = new_run_id(), datetime.now(UTC)
    try:
        fetched = fetch(wd, feeds, allow_hosts=tuple(allow_hosts), fetch_pages=fetch_pages,
                        politeness_seconds=politeness_seconds)
        failure = steps.every_feed_failed(fetched)
        if failure:  # like a failing API source: recorded, reported by the command, nothing loaded
            record_outcome(wd, run_id, "news", started, "failed", message=failure)
            return {"run_id": run_id, "status": "failed", "error": failure, "counts": {},
                    "feeds": [{k: f[k] for k in ("name", "status", "items", "error")} for f in fetched["feeds"]]}
        transformed = transform(wd, territory, fetched)
        counts = load(wd, transformed, run_id, started)
    except Exception as exc:
        record_outcome(wd, run_id, "news", started, "failed", message=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return {"run_id": run_id, "status": "loaded", "counts": counts,
            "feeds": [{k: f[k] for k in ("name", "status", "items", "error")} for f in fetched["feeds"]]}


@flow(name="news", log_prints=True)
def news(workdir: str = "radar-data", territory_file: str | None = None, demo: bool = False,
         fetch_pages: bool = True, publish_snapshot: bool = True) -> dict:
    """`demo=True` serves the bundled feeds on loopback (demo/news) instead of the territory's [[feeds]]."""
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    with contextlib.ExitStack() as stack:
        if demo:
            from demo.news import demo_feeds, serve_demo_news

            base = stack.enter_context(serve_demo_news())
            # One local server stands for every site: a short delay keeps the demo quick.
            feeds, allow, delay = demo_feeds(base), ("127.0.0.1",), 0.1
        else:
            feeds, allow, delay = steps.feeds_from_territory(territory), (), steps.POLITENESS_SECONDS
        result = run_news(wd, territory, feeds, allow_hosts=allow, fetch_pages=fetch_pages, politeness_seconds=delay)
    if publish_snapshot and result["status"] == "loaded":
        result["snapshot"] = publish(wd, territory)
    return result
