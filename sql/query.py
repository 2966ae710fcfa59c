"""Analysts' read-only SQL on the published snapshot: run a statement and stream its result in a format, print the
dictionary.

Results are fetched in batches and written as they come (T41): a result larger than memory is written, or stopped
by the time limit, never fetched whole. The table format is for reading on a terminal: it shows at most
TABLE_ROWS rows and says so. CSV cells are written as stored, like DuckDB's own COPY: this is a data interface,
and a name starting with `=` stays that name; the reports' and the dashboard's CSV and XLSX exports, meant for
spreadsheets, neutralise formulas (T34)."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import TextIO

import duckdb

from sql.limits import limited

BATCH_ROWS = 10_000
TABLE_ROWS = 10_000


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


def write_csv(columns: list[str], batches: Iterable[list[tuple]], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rows in batches:
        writer.writerows([_csv_cell(v) for v in row] for row in rows)


def write_json(columns: list[str], batches: Iterable[list[tuple]], out: TextIO) -> None:
    """The same text as one json.dumps(records, indent=2), written record by record."""
    first = True
    for rows in batches:
        for row in rows:
            record = json.dumps({c: _plain(v) for c, v in zip(columns, row)}, ensure_ascii=False, indent=2)
            out.write(("[\n" if first else ",\n") + "\n".join("  " + line for line in record.splitlines()))
            first = False
    out.write("[]\n" if first else "\n]\n")


def write_table(columns: list[str], batches: Iterable[list[tuple]], out: TextIO, max_width: int = 60) -> None:
    rows = list(itertools.islice(itertools.chain.from_iterable(batches), TABLE_ROWS + 1))
    more = len(rows) > TABLE_ROWS
    rows = rows[:TABLE_ROWS]
    cells = [[("NULL" if v is None else _csv_cell(v))[:max_width] for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"
    sep = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    body = [sep, line(columns), sep] + [line(r) for r in cells] + [sep]
    if more:
        body.append(f"(the first {TABLE_ROWS:,} rows; --format csv or json writes them all)")
    else:
        body.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    out.write("\n".join(body) + "\n")


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line, without its echo of the statement (`LINE 1: ...` and the caret)."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return " ".join(line for line in lines if line and not line.startswith(("LINE ", "^")))


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}


def run_statement(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: TextIO, *,
                  timeout: float | None = None) -> None:
    """Execute `sql` and write its result to `out` as it is fetched, within `timeout` seconds (and Ctrl-C)."""
    with limited(con, timeout) as stopped:
        cur = con.execute(sql)
        if cur.description is None:
            out.write("OK\n" if fmt == "table" else "")
            return

        def batches() -> Iterator[list[tuple]]:
            while not stopped:
                rows = cur.fetchmany(BATCH_ROWS)
                if not rows:
                    return
                yield rows

        WRITERS[fmt]([d[0] for d in cur.description], batches(), out)
        out.flush()


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
