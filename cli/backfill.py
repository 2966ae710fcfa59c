"""`radar backfill --from YYYY-MM --to YYYY-MM`: the monthly flow over dated stock files the user points to."""

from __future__ import annotations

import glob
from pathlib import Path

import click

from cli.common import UserError, run_guarded, start_prefect
from radar.config import DEFAULT_WORKDIR, load_territory
from radar.months import month_range, validate_month
from warehouse.plausibility import thresholds


def find_stock(pattern: str, month: str) -> str | None:
    """The single file matching the pattern with {month} (YYYY-MM) or {yyyymm} filled in; None if absent."""
    matches = sorted(glob.glob(pattern.format(month=month, yyyymm=month.replace("-", ""))))
    if len(matches) > 1:
        raise UserError(f"{len(matches)} files match {pattern!r} for {month}: {', '.join(matches[:3])}")
    return matches[0] if matches else None


@click.command("backfill")
@click.option("--from", "first", metavar="YYYY-MM", required=True, help="First month to load.")
@click.option("--to", "last", metavar="YYYY-MM", required=True, help="Last month to load.")
@click.option("--etablissements", "etab_pattern", default=None, metavar="PATTERN",
              help="StockEtablissement file of each month, {month} = YYYY-MM or {yyyymm}, glob allowed: "
                   "e.g. '/data/sirene/{month}/StockEtablissement_utf8*.parquet'.")
@click.option("--unites-legales", "ul_pattern", default=None, metavar="PATTERN",
              help="StockUniteLegale file of each month, same placeholders.")
@click.option("--historique", default=None, metavar="PATH_OR_URL",
              help="StockEtablissementHistorique (CSV, zip or Parquet, local or URL): reconstruct the months of "
                   "the range before the first loaded stock (creations, closures, activity changes; no moves, "
                   "no headcounts).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True)
@click.option("--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--reports/--no-reports", default=True, show_default=True,
              help="Render (never send) each month's report after the loads.")
@click.option("--accept-drop", is_flag=True,
              help="Let every month of the range through the plausibility gate's drop check (a real collapse; "
                   "said in the run ledger).")
@click.option("--verbose", "-v", is_flag=True)
def command(first, last, etab_pattern, ul_pattern, historique, workdir, territory_file, reports, accept_drop,
            verbose) -> None:
    """Load each month of the range, oldest first, from local dated stock files, then render the reports.

    Months whose files are missing are listed and skipped (nothing is guessed). With --historique, the months of
    the range before the first loaded stock (after this command's own stock files are loaded) are reconstructed
    from INSEE's historical establishment file; months with stock files keep them (see docs/runbook.md)."""

    first, last = run_guarded(lambda: (validate_month(first), validate_month(last)), verbose)
    run_guarded(lambda: thresholds(load_territory(territory_file)), verbose)
    if first > last:
        raise UserError(f"--from {first} is after --to {last}")
    if bool(etab_pattern) != bool(ul_pattern):
        raise UserError("--etablissements and --unites-legales go together")
    if not etab_pattern and not historique:
        raise UserError("nothing to load: give --etablissements and --unites-legales, or --historique")
    plan, missing = [], []
    for month in month_range(first, last) if etab_pattern else []:
        etab, ul = find_stock(etab_pattern, month), find_stock(ul_pattern, month)
        (plan if etab and ul else missing).append((month, etab, ul))
    if etab_pattern and not plan and not historique:
        raise UserError(f"no stock files found for {first} … {last} with the given patterns")
    start_prefect(workdir, verbose)
    territory = str(territory_file) if territory_file else None

    def go():
        from flows.report import monthly_report
        from flows.sirene_month import sirene_month

        done = []
        for month, etab, ul in plan:
            result = sirene_month(etablissements=etab, unites_legales=ul, month=month, workdir=str(workdir),
                                  territory_file=territory, accept_drop=accept_drop)
            done.append(month)
            click.echo(f"{month}: {result['status']}")
        if historique:
            from flows.sirene_history import sirene_history

            with_stock = {m for m, _, _ in plan}
            result = sirene_history(historique=historique, workdir=str(workdir), territory_file=territory,
                                       months=[m for m in month_range(first, last) if m not in with_stock])
            for month in result["months"]:
                click.echo(f"{month}: {result['status']} from the historical file (based on {result['base_month']})")
            if not result["months"]:
                click.echo(f"no month of the range is before the first stock month {result['base_month']}: "
                           "nothing to reconstruct")
            done = sorted(set(done) | set(result["months"]))
        if reports:
            for month in done:
                monthly_report(month=month, workdir=str(workdir), territory_file=territory, send_it=False)
                click.echo(f"{month}: report rendered")
        return done

    done = run_guarded(go, verbose)
    for month, _, _ in missing:
        if month not in done:
            click.echo(f"{month}: skipped, stock files not found", err=True)
