"""`radar demo`: the whole pipeline on the bundled offline data, then the latest month's report."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cli.common import run_guarded, start_prefect, territory_arg, territory_option, verbose_option, workdir_option
from radar.config import Workdir, load_territory


@click.command("demo")
@workdir_option
@territory_option
@click.option("--months", type=click.IntRange(2, 24), default=24, show_default=True,
              help="How many of the bundled demo months to load.")
@verbose_option
def command(workdir: Path, territory_file: Path | None, months: int, verbose: bool) -> None:
    """Run the whole pipeline on the bundled offline demo data (no network): load every month, publish the
    snapshot, render the latest month's report, print a summary."""
    started = time.monotonic()
    if territory_file:
        run_guarded(lambda: load_territory(territory_file), verbose)
    start_prefect(workdir, verbose)

    def go():
        from flows.demo import radar_demo

        return radar_demo(workdir=str(workdir), territory_file=territory_arg(territory_file), months=months)

    result = run_guarded(go, verbose)
    from cli.summary import demo_summary

    click.echo(demo_summary(Workdir(workdir), result, time.monotonic() - started))
