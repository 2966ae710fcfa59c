"""Load one news run in ONE transaction: stories (upsert by id), appearances, mentions, press events, feed
state (ETag/Last-Modified in meta.source_state), quarantine and the run ledger."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb
import pandas as pd

from warehouse import faults
from warehouse.checks import run_checks
from warehouse.db import transaction
from warehouse.frames import insert_frame, registered
from warehouse.journal import record_commit
from warehouse.ledger import record_run
from warehouse.state import set_state
from warehouse.upsert import upsert
from warehouse.views import create_views

SOURCE = "press"
STATE_SOURCE = "news"
EVENT_KINDS = ("press_mention", "press_funding", "press_acquisition", "press_hiring", "press_closure")


def event_id(kind: str, article_id: str, siren: str) -> str:
    return hashlib.md5(f"{SOURCE}|{kind}|{article_id}|{siren}".encode()).hexdigest()


def read_feed_state(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    rows = con.execute("SELECT key, value FROM meta.source_state WHERE source = ? AND key LIKE 'feed:%'",
                       [STATE_SOURCE]).fetchall()
    return {key[len("feed:"):]: json.loads(value) for key, value in rows if value}


def existing_stories(con: duckdb.DuckDBPyConnection, days: int = 60) -> pd.DataFrame:
    """Recent stories with their title, lead and companies: a copy published elsewhere later joins its story."""
    return con.execute(
        "SELECT a.article_id AS story_id, a.title, a.description, a.published_at, "
        "       coalesce(list(m.siren) FILTER (WHERE m.siren IS NOT NULL), []) AS sirens "
        "FROM core.news_article a LEFT JOIN core.news_mention m ON m.article_id = a.article_id AND m.is_confident "
        "WHERE coalesce(a.published_at, a.first_seen_at) >= now() - to_days(?::INTEGER) "
        "GROUP BY ALL ORDER BY story_id", [days]).df()


def known_urls(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """URL key -> story id, for every place a story appeared."""
    return dict(con.execute("SELECT url_key, article_id FROM core.news_appearance").fetchall())


def load_news(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at: datetime, stories: pd.DataFrame,
              appearances: pd.DataFrame, mentions: pd.DataFrame, events: pd.DataFrame,
              quarantine: pd.DataFrame, feed_state: dict[str, dict], counts: dict) -> dict:
    """`stories` rows are new stories only (an id already stored is left as it is: first seen wins);
    appearances and mentions are merged on their keys, events replaced per (article, company)."""
    with transaction(con):
        create_views(con)
        new = stories[~stories["article_id"].isin(
            [r[0] for r in con.execute("SELECT article_id FROM core.news_article").fetchall()])]
        insert_frame(con, "core.news_article", new, run_id=run_id)
        if len(appearances):
            with registered(con, "_app", appearances):
                con.execute("""INSERT INTO core.news_appearance BY NAME
                    SELECT * FROM _app a WHERE NOT EXISTS (SELECT 1 FROM core.news_appearance t
                        WHERE t.url_key = a.url_key AND t.feed_name IS NOT DISTINCT FROM a.feed_name)""")
        faults.checkpoint("mid_load")
        upsert(con, "core.news_mention", ("article_id", "siren"), mentions, run_id=run_id)
        upsert(con, "core.event", "event_id", events)
        insert_frame(con, "quarantine.news", quarantine, run_id=run_id)
        for url, state in feed_state.items():
            set_state(con, STATE_SOURCE, f"feed:{url}", json.dumps(state, sort_keys=True))
        record_run(con, run_id, "news", started_at, "success", counts=counts)
        run_checks(con)
        faults.checkpoint("before_commit")
    record_commit(con, run_id, "news")
    return counts
