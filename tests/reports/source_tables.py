"""Add the tables of other sources (BODACC notices, press) to a copy of a snapshot or to a warehouse's pub schema,
in the shape those sources publish them, so the report's optional sections can be tested without them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

NOTICE_DDL = """CREATE OR REPLACE TABLE {s}notice (notice_id VARCHAR, published_on DATE, family VARCHAR, family_label VARCHAR,
    notice_type VARCHAR, is_cancelled BOOLEAN, siren VARCHAR, tribunal VARCHAR, postcode VARCHAR, city VARCHAR,
    judgment_nature VARCHAR, judgment_date DATE, procedure VARCHAR, url VARCHAR)"""
DIFFICULTY_DDL = """CREATE OR REPLACE TABLE {s}company_in_difficulty (siren VARCHAR, name VARCHAR, commune_code VARCHAR,
    naf_code VARCHAR, is_tech BOOLEAN, procedure VARCHAR, judgment_nature VARCHAR, judgment_date DATE,
    notice_id VARCHAR, url VARCHAR)"""
ARTICLE_DDL = """CREATE OR REPLACE TABLE {s}article (article_id VARCHAR, canonical_url VARCHAR, title VARCHAR,
    published_at TIMESTAMPTZ, source_name VARCHAR, description VARCHAR)"""
MENTION_DDL = """CREATE OR REPLACE TABLE {s}article_mention (article_id VARCHAR, siren VARCHAR, method VARCHAR,
    confidence DOUBLE)"""


def snapshot_copy(snapshot: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(snapshot, target)
    return target


def add_source_tables(con: duckdb.DuckDBPyConnection, *, difficulties: list[dict] = (), articles: list[dict] = (),
                      mentions: list[dict] = (), schema: str = "main") -> None:
    """Create the four tables (empty when no rows are given) in `schema` and insert the rows."""
    s = f"{schema}."
    for ddl in (NOTICE_DDL, DIFFICULTY_DDL, ARTICLE_DDL, MENTION_DDL):
        con.execute(ddl.format(s=s))
    for table, rows in (("company_in_difficulty", difficulties), ("article", articles),
                        ("article_mention", mentions)):
        for row in rows:
            cols = ", ".join(row)
            con.execute(f"INSERT INTO {s}{table} ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def with_sources(snapshot: Path, target: Path, **rows) -> Path:
    """A copy of the snapshot with the other sources' tables added."""
    snapshot_copy(snapshot, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("SET TimeZone = 'UTC'")
        add_source_tables(con, **rows)
    finally:
        con.close()
    return target


SOURCE_TABLES = ("notice", "company_in_difficulty", "article", "article_mention", "introduction")


def without_sources(snapshot: Path, target: Path) -> Path:
    """A copy of the snapshot as published by the registry spine alone (whatever other sources exist today)."""
    snapshot_copy(snapshot, target)
    con = duckdb.connect(str(target))
    try:
        for table in SOURCE_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        con.close()
    return target
