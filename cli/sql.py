"""`radar sql`: SQL on the published snapshot, read-only, sandboxed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import UserError, workdir_option
from radar.config import Workdir


@click.command("sql")
@workdir_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format (csv: header row, NULL as empty field, ISO dates, true/false).")
@click.option("--schema", is_flag=True, help="Print the data dictionary (tables, columns, comments) and exit.")
@click.argument("query", required=False)
def command(workdir: Path, fmt: str, schema: bool, query: str | None) -> None:
    """Run SQL on the published snapshot (read-only, no file or network access).

    With no QUERY, reads one from stdin when stdin is not a terminal, else opens an interactive shell.
    """
    import duckdb

    from sql.query import FORMATTERS, run_query, schema_text
    from sql.shell import shell
    from warehouse.db import SnapshotMissing, connect_snapshot

    try:
        con = connect_snapshot(Workdir(workdir).published)
    except SnapshotMissing as exc:
        raise UserError(str(exc)) from None
    with con:
        if schema:
            click.echo(schema_text(con), nl=False)
            return
        if query is None and not sys.stdin.isatty():
            query = sys.stdin.read()
        if query is None:
            shell(con, FORMATTERS[fmt])
            return
        try:
            columns, rows = run_query(con, query)
        except duckdb.Error as exc:
            raise UserError(str(exc).strip()) from None
        click.echo(FORMATTERS[fmt](columns, rows), nl=False)
