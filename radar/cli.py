"""The `radar` command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from radar import __version__
from radar.config import DEFAULT_WORKDIR, ConfigError, Workdir, load_territory

workdir_option = click.option(
    "--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR, show_default=True,
    help="Working directory: warehouse, published snapshot, landing zone, cache and reports.")
territory_option = click.option(
    "--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Territory TOML file (default: territories/gpso.toml, Grand Paris Seine Ouest).")
verbose_option = click.option("--verbose", "-v", is_flag=True, help="Show Prefect's logs and full error details.")


class UserError(click.ClickException):
    """One clear line on stderr, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"radar: error: {self.message}", err=True)


def _user_errors() -> tuple[type[BaseException], ...]:
    from extractors.sirene_stock import StockFormatError
    from radar.sirene_month import InputError
    from warehouse.db import SnapshotMissing, WarehouseLocked

    errors: list[type[BaseException]] = [ConfigError, InputError, StockFormatError, WarehouseLocked,
                                         SnapshotMissing, FileNotFoundError]
    try:
        from extractors.http import SourceError
        errors.append(SourceError)
    except ImportError:
        pass
    try:
        from reports.render import ReportError
        errors.append(ReportError)
    except ImportError:
        pass
    return tuple(errors)


def _run_guarded(fn, verbose: bool):
    try:
        return fn()
    except _user_errors() as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:  # an unexpected failure: still one line unless asked for details
        if verbose:
            raise
        raise UserError(f"{type(exc).__name__}: {exc} (run with --verbose for details; the run ledger "
                        f"records the failure)") from None


def _start_prefect(workdir: Path, verbose: bool) -> None:
    from flows.runtime import configure_prefect

    configure_prefect(workdir, verbose=verbose)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="radar")
def main() -> None:
    """Ecosystem Radar: the tech companies of a territory, month by month, from public registries.

    Typical use: `radar demo` on the bundled offline data; `radar run` on a real monthly SIRENE stock;
    `radar report` and `radar sql` on the published snapshot.
    """


@main.command()
@workdir_option
@territory_option
@click.option("--months", type=click.IntRange(2, 24), default=24, show_default=True,
              help="How many of the bundled demo months to load.")
@verbose_option
def demo(workdir: Path, territory_file: Path | None, months: int, verbose: bool) -> None:
    """Run the whole pipeline on the bundled offline demo data (no network): load every month, publish the
    snapshot, render the latest month's report, print a summary."""
    started = time.monotonic()
    load_territory(territory_file) if territory_file else None
    _start_prefect(workdir, verbose)

    def go():
        from flows.demo import radar_demo

        return radar_demo(workdir=str(workdir), territory_file=str(territory_file) if territory_file else None,
                          months=months)

    result = _run_guarded(go, verbose)
    from radar.summary import demo_summary

    click.echo(demo_summary(Workdir(workdir), result, time.monotonic() - started))


@main.command()
@click.option("--stock-etablissements", "etablissements", metavar="PATH_OR_URL", default=None,
              help="StockEtablissement file (Parquet, CSV or zipped CSV) or URL [default: data.gouv.fr latest "
                   "Parquet].")
@click.option("--stock-unites-legales", "unites_legales", metavar="PATH_OR_URL", default=None,
              help="StockUniteLegale file or URL [default: data.gouv.fr latest Parquet].")
@click.option("--month", metavar="YYYY-MM", default=None,
              help="Month whose end the stock describes (the file published early November 2026 is 2026-10). "
                   "Inferred from the files when omitted.")
@territory_option
@workdir_option
@click.option("--progress/--no-progress", default=None,
              help="Show download and scan progress [default: when the terminal is interactive].")
@verbose_option
def run(etablissements, unites_legales, month, territory_file, workdir, progress, verbose) -> None:
    """Load one monthly SIRENE stock (local files or URLs) and publish the snapshot.

    Loading a month again with identical files is a no-op; with different files it replaces that month and
    re-derives the events of that month and of the next loaded one.
    """
    from radar.sirene_month import DEFAULT_ETABLISSEMENTS_URL, DEFAULT_UNITES_LEGALES_URL, validate_month

    started = time.monotonic()
    progress = sys.stdout.isatty() if progress is None else progress
    month = _run_guarded(lambda: validate_month(month), verbose)
    _run_guarded(lambda: load_territory(territory_file), verbose)
    for label, src in (("--stock-etablissements", etablissements), ("--stock-unites-legales", unites_legales)):
        if src and "://" not in src and not Path(src).is_file():
            raise UserError(f"{label}: file not found: {src}")
    _start_prefect(workdir, verbose)

    def go():
        from flows.sirene_monthly import sirene_monthly

        return sirene_monthly(etablissements=etablissements or DEFAULT_ETABLISSEMENTS_URL,
                              unites_legales=unites_legales or DEFAULT_UNITES_LEGALES_URL, month=month,
                              territory_file=str(territory_file) if territory_file else None,
                              workdir=str(workdir), progress=progress)

    result = _run_guarded(go, verbose)
    from radar.summary import run_summary

    click.echo(run_summary(Workdir(workdir), result, time.monotonic() - started))


@main.command()
@workdir_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format (csv: header row, NULL as empty field, ISO dates, true/false).")
@click.option("--schema", is_flag=True, help="Print the data dictionary (tables, columns, comments) and exit.")
@click.argument("query", required=False)
def sql(workdir: Path, fmt: str, schema: bool, query: str | None) -> None:
    """Run SQL on the published snapshot (read-only, no file or network access).

    With no QUERY, reads one from stdin when stdin is not a terminal, else opens an interactive shell.
    """
    import duckdb

    from warehouse.db import SnapshotMissing, connect_snapshot
    from warehouse.query import FORMATTERS, run_query, schema_text

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
            _shell(con, FORMATTERS[fmt])
            return
        try:
            columns, rows = run_query(con, query)
        except duckdb.Error as exc:
            raise UserError(str(exc).strip()) from None
        click.echo(FORMATTERS[fmt](columns, rows), nl=False)


def _shell(con, formatter) -> None:
    import duckdb

    from warehouse.query import run_query

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


# Commands of later capabilities live in modules of their own (radar/commands/<name>.py, a click command `command`).
for _name in ("api", "news", "delivery", "schedule", "backfill", "dashboard", "evaluate"):
    try:
        main.add_command(__import__(f"radar.commands.{_name}", fromlist=["command"]).command)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"radar.commands.{_name}":
            raise


if __name__ == "__main__":
    main()
