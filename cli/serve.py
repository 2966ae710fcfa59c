"""`radar serve`: run the scheduled deployments (news, API sources, monthly stock + report) with a Prefect server."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.common import UserError, run_guarded
from radar.config import DEFAULT_WORKDIR


@click.command("serve")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True, help="Working directory the scheduled flows write.")
@click.option("--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Territory TOML file ([schedule] crons, [report] recipients and alerts).")
@click.option("--list", "list_only", is_flag=True, help="Print the deployments and their schedules, then exit.")
def command(workdir: Path, territory_file: Path | None, list_only: bool) -> None:
    """Serve the schedules (Europe/Paris) until interrupted. Needs a Prefect server: run `prefect server start`
    and set PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/runbook.md)."""

    if not list_only and not os.environ.get("PREFECT_API_URL"):
        raise UserError("radar serve needs a Prefect server: start one with `prefect server start` and set "
                        "PREFECT_API_URL=http://127.0.0.1:4200/api")
    workdir = workdir.resolve()
    territory = str(territory_file.resolve()) if territory_file else None

    def go():
        from flows.schedules import build_deployments, serve_all

        if list_only:
            for d in build_deployments(str(workdir), territory):
                crons = ", ".join(f"{s.schedule.cron} ({s.schedule.timezone})" for s in d.schedules)
                click.echo(f"{d.flow_name}/{d.name}: {crons}; concurrency limit {d.concurrency_limit}")
            return
        serve_all(str(workdir), territory)

    run_guarded(go, verbose=False)
