"""Analysts' read-only SQL on the published snapshot: run a query, format the result, print the dictionary."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from decimal import Decimal

import duckdb


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(sql)
    if cur.description is None:
        return [], []
    return [d[0] for d in cur.description], cur.fetchall()


def _plain(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _csv_cell(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def format_csv(columns: list[str], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def format_json(columns: list[str], rows: list[tuple]) -> str:
    records = [{c: _plain(v) for c, v in zip(columns, row)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def format_table(columns: list[str], rows: list[tuple], max_width: int = 60) -> str:
    if not columns:
        return "OK\n"
    cells = [[("NULL" if v is None else _csv_cell(v))[:max_width] for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"
    sep = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    body = [sep, line(columns), sep] + [line(r) for r in cells] + [sep]
    body.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(body) + "\n"


FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}


def schema_text(con: duckdb.DuckDBPyConnection) -> str:
    tables = con.execute(
        "SELECT table_name, coalesce(comment, '') FROM duckdb_tables() WHERE schema_name = 'main' "
        "ORDER BY table_name").fetchall()
    lines = []
    for table, comment in tables:
        lines.append(f"{table}: {comment}".rstrip(": "))
        for col, dtype, ccomment in con.execute(
                "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns() "
                "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]).fetchall():
            lines.append(f"  {col} {dtype}" + (f" -- {ccomment}" if ccomment else ""))
        lines.append("")
    return "\n".join(lines)
