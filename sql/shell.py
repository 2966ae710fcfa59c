"""The interactive `radar sql` shell: statements end with ';', errors are one line, Ctrl-D quits."""

from __future__ import annotations

import click
import duckdb

from sql.query import run_query


def shell(con: duckdb.DuckDBPyConnection, formatter) -> None:
    click.echo("radar sql: read-only snapshot. End statements with ';'. Ctrl-D to quit.")
    buffer: list[str] = []
    while True:
        try:
            line = input("radar> " if not buffer else "   ...> ")
        except EOFError:
            click.echo()
            return
        buffer.append(line)
        if not line.rstrip().endswith(";"):
            continue
        statement, buffer = "\n".join(buffer), []
        try:
            click.echo(formatter(*run_query(con, statement)), nl=False)
        except duckdb.Error as exc:
            click.echo(f"error: {str(exc).strip()}", err=True)
