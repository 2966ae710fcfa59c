"""What the multi-territory forms of `radar run`, `radar report --all` and `radar news --all` share: where the
territories run (--workers, --dask-address), the flow started there, one line per territory, and the exit code."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import UserError, run_guarded

workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None, metavar="N",
    help="Run the territories on a local Dask cluster of N worker processes [default: one after another, in this "
         "process].")
dask_address_option = click.option(
    "--dask-address", metavar="tcp://HOST:PORT", default=None,
    help="Run the territories on an existing Dask cluster, whose workers share the working directory (see "
         "docs/runbook.md).")


def run_fanned_out(flow_fn, kwargs: dict, workers: int | None, address: str | None, verbose: bool) -> dict:
    """The flow, its per-territory tasks on the chosen task runner."""

    def go():
        from flows.territories import api_for_workers, task_runner

        runner = task_runner(workers, address, verbose=verbose)
        with api_for_workers(workers, address):
            return flow_fn.with_options(task_runner=runner)(**kwargs)

    return run_guarded(go, verbose)


def echo_outcomes(outcomes: list[dict], describe) -> None:
    """One line per territory: its slug, its status, then `describe(outcome)` or its error."""
    width = max([len(o["territory"]) for o in outcomes] + [8])
    for o in outcomes:
        detail = o.get("error") if o["status"] == "failed" else describe(o)
        click.echo(f"  {o['territory']:<{width}}  {o['status']:<10} {detail or ''}".rstrip())


def fail_if_any(outcomes: list[dict], workdir: Path, what: str) -> None:
    failed = [o["territory"] for o in outcomes if o["status"] == "failed"]
    if failed:
        raise UserError(f"{what} failed for {len(failed)} of {len(outcomes)} territories: {', '.join(failed)} "
                        f"(the others are done; each failure is in its territory's run ledger under {workdir})")
