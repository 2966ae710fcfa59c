"""The interactive `radar sql` shell: statements end with ';', errors are one line, Ctrl-C cancels the running
statement (or the one being typed) and returns to the prompt, Ctrl-D quits."""

from __future__ import annotations

import signal
import sys

import click
import duckdb

from sql.limits import StatementStopped
from sql.query import one_line, run_statement


def shell(con: duckdb.DuckDBPyConnection, fmt: str, *, timeout: float | None = None) -> None:
    # Ctrl-C is the shell's own, as in psql, even in a process started with it ignored (a background job of a
    # script, a test runner): the interpreter then installs no handler, and Ctrl-C at the prompt did nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        read_eval_print(con, fmt, timeout)
    finally:
        signal.signal(signal.SIGINT, previous)


def read_eval_print(con: duckdb.DuckDBPyConnection, fmt: str, timeout: float | None) -> None:
    click.echo("radar sql: read-only snapshot. End statements with ';'. Ctrl-C cancels, Ctrl-D quits.")
    buffer: list[str] = []
    while True:
        try:
            line = input("radar> " if not buffer else "   ...> ")
        except EOFError:
            click.echo()
            return
        except KeyboardInterrupt:  # at the prompt: drop what was typed, as psql does
            click.echo()
            buffer = []
            continue
        buffer.append(line)
        if not line.rstrip().endswith(";"):
            continue
        statement, buffer = "\n".join(buffer), []
        try:
            run_statement(con, statement, fmt, sys.stdout, timeout=timeout)
        except StatementStopped as exc:
            click.echo(f"{exc}", err=True)
        except duckdb.Error as exc:
            click.echo(f"error: {one_line(exc)}", err=True)
