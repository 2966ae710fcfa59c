"""`radar sql`: SQL on the published snapshot, read-only, sandboxed, bounded in time and memory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.common import UserError, workdir_option
from radar.config import Workdir


@click.command("sql")
@workdir_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format (csv: header row, NULL as empty field, ISO dates, true/false, cells as stored: "
                   "formulas are not neutralised, use the report's or the dashboard's exports for spreadsheets; "
                   "table: at most 10,000 rows).")
@click.option("--timeout", type=click.FloatRange(min=0), default=300, show_default=True,
              help="Stop a statement after this many seconds (0: no limit).")
@click.option("--memory-limit", default="2GB", show_default=True,
              help="Memory for the session's queries; beyond it they spill to a temporary folder, then fail clearly.")
@click.option("--schema", is_flag=True, help="Print the data dictionary (tables, columns, comments) and exit.")
@click.argument("query", required=False)
def command(workdir: Path, fmt: str, timeout: float, memory_limit: str, schema: bool, query: str | None) -> None:
    """Run SQL on the published snapshot (read-only, no file or network access).

    With no QUERY, reads one from stdin when stdin is not a terminal, else opens an interactive shell (Ctrl-C
    cancels the running statement). Results are written as they are read, so a large one does not fill memory.
    """
    import duckdb

    from sql.limits import StatementStopped
    from sql.query import one_line, run_statement, schema_text
    from sql.shell import shell
    from warehouse.db import SnapshotMissing, connect_snapshot

    try:
        con = connect_snapshot(Workdir(workdir).published, memory_limit=memory_limit)
    except SnapshotMissing as exc:
        raise UserError(str(exc)) from None
    except duckdb.Error as exc:
        raise UserError(f"--memory-limit {memory_limit}: {one_line(exc)}") from None
    with con:
        if schema:
            click.echo(schema_text(con), nl=False)
            return
        if query is None and not sys.stdin.isatty():
            query = sys.stdin.read()
        if query is None:
            shell(con, fmt, timeout=timeout)
            return
        try:
            run_statement(con, query, fmt, sys.stdout, timeout=timeout)
        except StatementStopped as exc:
            raise UserError(str(exc)) from None
        except duckdb.OutOfMemoryException as exc:
            raise UserError(f"out of memory (--memory-limit {memory_limit}): {str(exc).splitlines()[0]}") from None
        except duckdb.Error as exc:
            raise UserError(one_line(exc)) from None
        except MemoryError:
            raise UserError(f"out of memory writing the result; lower what it selects, or raise --memory-limit "
                            f"({memory_limit})") from None
        except BrokenPipeError:  # the reader went away (`| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
