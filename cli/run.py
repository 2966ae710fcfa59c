"""`radar run`: load one monthly SIRENE stock (local files or URLs) and publish the snapshot; for several
territories, one scan of the national files and each territory loaded on its own (cli/territories.py)."""

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
    verbose_option,
    workdir_option,
)
from cli.territories import dask_address_option, echo_outcomes, fail_if_any, run_fanned_out, workers_option
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
@click.option("--territory", "territory_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Territory TOML file (default: territories/gpso.toml, Grand Paris Seine Ouest). Repeat it to "
                   "load several territories from one scan, each into WORKDIR/<slug>/.")
@click.option("--territories", "territories_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A folder of territory files (*.toml): each is a territory of the run, as with --territory.")
@workdir_option
@click.option("--force-month", is_flag=True,
              help="Keep --month even though the files' names or processing dates point to another month "
                   "(said in the run ledger).")
@click.option("--accept-drop", is_flag=True,
              help="Load a stock whose territory shrinks beyond the plausibility gate's limit against the previous "
                   "loaded month: a real collapse (said in the run ledger).")
@click.option("--progress/--no-progress", default=None,
              help="Show download and scan progress [default: when the terminal is interactive].")
@workers_option
@dask_address_option
@verbose_option
def command(etablissements, unites_legales, month, territory_files, territories_dir, workdir, force_month,
            accept_drop, progress, workers, dask_address, verbose) -> None:
    """Load one monthly SIRENE stock (local files or URLs) and publish the snapshot.

    Loading a month again with identical files is a no-op; with different files it replaces that month and
    re-derives the events of that month and of the next loaded one. The month must agree with the files; a stock
    whose territory falls sharply, or with too many quarantined rows, is refused (nothing is loaded).
    """
    from radar.months import validate_month
    from radar.territories import is_multi_territory, iter_territory_files
    from steps.sirene_month import DEFAULT_ETABLISSEMENTS_URL, DEFAULT_UNITES_LEGALES_URL
    from warehouse.plausibility import thresholds

    started = time.monotonic()
    progress = sys.stdout.isatty() if progress is None else progress
    month = run_guarded(lambda: validate_month(month), verbose)
    if force_month and not month:
        raise UserError("--force-month needs --month YYYY-MM")
    files = list(territory_files) + (run_guarded(lambda: list(iter_territory_files(territories_dir)), verbose)
                                     if territories_dir else [])
    multi = len(files) > 1 or territories_dir is not None or is_multi_territory(workdir)
    if not multi and (workers or dask_address):
        raise UserError("--workers and --dask-address spread the territories of a multi-territory run: give several "
                        "--territory files or --territories DIR")
    if multi and not files:
        raise UserError(f"{workdir} is a multi-territory working directory: name the territories to load with "
                        "--territory FILE (repeated) or --territories DIR")
    territories = [run_guarded(lambda f=f: load_territory(f), verbose) for f in files or [None]]
    if multi:
        from radar.territories import check_slugs, holds_one_territory

        run_guarded(lambda: check_slugs(territories), verbose)
        if holds_one_territory(workdir) and not is_multi_territory(workdir):
            raise UserError(f"{workdir} is a single-territory working directory: give a multi-territory run a "
                            "--workdir of its own")
    for territory in territories:
        run_guarded(lambda t=territory: thresholds(t), verbose)
    for label, src in (("--stock-etablissements", etablissements), ("--stock-unites-legales", unites_legales)):
        if src and "://" not in src and not Path(src).is_file():
            raise UserError(f"{label}: file not found: {src}")
    start_prefect(workdir, verbose)
    stock = {"etablissements": etablissements or DEFAULT_ETABLISSEMENTS_URL,
             "unites_legales": unites_legales or DEFAULT_UNITES_LEGALES_URL, "month": month}
    if multi:
        from flows.sirene_territories import sirene_month_territories

        result = run_fanned_out(sirene_month_territories, {
            **stock, "territory_files": [str(f) for f in files], "workdir": str(workdir), "progress": progress,
            "options": {"accept_drop": accept_drop, "force_month": force_month},
        }, workers, dask_address, verbose)
        echo_territories(result, workdir, time.monotonic() - started)
        return

    def go():
        from flows.sirene_month import sirene_month

        return sirene_month(**stock, territory_file=territory_arg(files[0] if files else None), workdir=str(workdir),
                            progress=progress, accept_drop=accept_drop, force_month=force_month)

    result = run_guarded(go, verbose)
    from cli.summary import run_summary

    click.echo(run_summary(Workdir(workdir), result, time.monotonic() - started))


def echo_territories(result: dict, workdir: Path, elapsed: float) -> None:
    outcomes = result["territories"]
    statuses = [o["status"] for o in outcomes]
    click.echo(f"radar run: {len(outcomes)} territories: " + ", ".join(
        f"{statuses.count(s)} {s}" for s in ("loaded", "unchanged", "failed")))

    def describe(o: dict) -> str:
        counts = (o.get("counts") or {}).get("establishments")
        return f"{o['month']}" + (f"  establishments: {counts['rows_in']} in, {counts['loaded']} loaded, "
                                  f"{counts['quarantined']} quarantined" if counts else "")

    echo_outcomes(outcomes, describe)
    click.echo(f"workdir:   {workdir} (a folder per territory)\nelapsed:   {elapsed:.1f} s")
    fail_if_any(outcomes, workdir, "the month's load")
