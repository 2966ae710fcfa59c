"""`radar run`: load one monthly SIRENE stock (local files or URLs) and publish the snapshot."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cli.common import (
    UserError,
    run_guarded,
    start_prefect,
    territory_arg,
    territory_option,
    verbose_option,
    workdir_option,
)
from radar.config import Workdir, load_territory


@click.command("run")
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
@click.option("--force-month", is_flag=True,
              help="Keep --month even though the files' names or processing dates point to another month "
                   "(said in the run ledger).")
@click.option("--accept-drop", is_flag=True,
              help="Load a stock whose territory shrinks beyond the plausibility gate's limit against the previous "
                   "loaded month: a real collapse (said in the run ledger).")
@click.option("--progress/--no-progress", default=None,
              help="Show download and scan progress [default: when the terminal is interactive].")
@verbose_option
def command(etablissements, unites_legales, month, territory_file, workdir, force_month, accept_drop, progress,
            verbose) -> None:
    """Load one monthly SIRENE stock (local files or URLs) and publish the snapshot.

    Loading a month again with identical files is a no-op; with different files it replaces that month and
    re-derives the events of that month and of the next loaded one. The month must agree with the files; a stock
    whose territory falls sharply, or with too many quarantined rows, is refused (nothing is loaded).
    """
    from radar.months import validate_month
    from steps.sirene_month import DEFAULT_ETABLISSEMENTS_URL, DEFAULT_UNITES_LEGALES_URL
    from warehouse.plausibility import thresholds

    started = time.monotonic()
    progress = sys.stdout.isatty() if progress is None else progress
    month = run_guarded(lambda: validate_month(month), verbose)
    run_guarded(lambda: thresholds(load_territory(territory_file)), verbose)
    if force_month and not month:
        raise UserError("--force-month needs --month YYYY-MM")
    for label, src in (("--stock-etablissements", etablissements), ("--stock-unites-legales", unites_legales)):
        if src and "://" not in src and not Path(src).is_file():
            raise UserError(f"{label}: file not found: {src}")
    start_prefect(workdir, verbose)

    def go():
        from flows.sirene_month import sirene_month

        return sirene_month(etablissements=etablissements or DEFAULT_ETABLISSEMENTS_URL,
                            unites_legales=unites_legales or DEFAULT_UNITES_LEGALES_URL, month=month,
                            territory_file=territory_arg(territory_file), workdir=str(workdir), progress=progress,
                            accept_drop=accept_drop, force_month=force_month)

    result = run_guarded(go, verbose)
    from cli.summary import run_summary

    click.echo(run_summary(Workdir(workdir), result, time.monotonic() - started))
