"""`radar sql`: SQL on the published snapshot, read-only, sandboxed; with --all, on every territory's snapshot of
a multi-territory working directory at once (sql/territories.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import UserError, pick_territory, workdir_option
from radar.config import Workdir
from radar.errors import RadarError


@click.command("sql")
@workdir_option
@click.option("--territory", default=None, metavar="SLUG",
              help="In a multi-territory working directory: the territory whose snapshot to query.")
@click.option("--all", "all_", is_flag=True,
              help="In a multi-territory working directory: every territory's snapshot, as views with a "
                   "'territory' column (its slug).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format (csv: header row, NULL as empty field, ISO dates, true/false).")
@click.option("--schema", is_flag=True, help="Print the data dictionary (tables, columns, comments) and exit.")
@click.argument("query", required=False)
def command(workdir: Path, territory: str | None, all_: bool, fmt: str, schema: bool, query: str | None) -> None:
    """Run SQL on the published snapshot (read-only, no file or network access).

    With no QUERY, reads one from stdin when stdin is not a terminal, else opens an interactive shell.
    """
    import duckdb

    from sql.query import FORMATTERS, run_query, schema_text
    from sql.shell import shell
    from warehouse.db import connect_snapshot

    try:
        if all_:
            from sql.territories import connect_territories, territory_snapshots

            if territory:
                raise UserError("--all queries every territory: drop --territory")
            snapshots = territory_snapshots(workdir)
            con = connect_snapshot(next(iter(snapshots.values()))) if schema else connect_territories(snapshots)
        else:
            con = connect_snapshot(Workdir(pick_territory(workdir, territory)[0]).published)
    except RadarError as exc:
        raise UserError(str(exc)) from None
    with con:
        if schema:
            if all_:
                click.echo("Every view also has: territory VARCHAR -- the slug of the territory the row is from\n")
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
