"""`radar api`: fetch and load the API sources (Recherche d'entreprises, INSEE deltas, BODACC), then publish."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import click

from cli.common import UserError, pick_territory, run_guarded, start_prefect
from radar.config import DEFAULT_WORKDIR

_SOURCES = ("recherche", "insee", "bodacc")


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:

    out = {}
    for value in values:
        if "=" not in value:
            raise UserError(f"{what}: expected NAME=VALUE, got {value!r}")
        name, _, rest = value.partition("=")
        out[name.strip()] = rest.strip()
    return out


@click.command(name="api")
@click.option("--source", "source", type=click.Choice(_SOURCES + ("all",)), default="all", show_default=True,
              help="Which API source to run.")
@click.option("--since", metavar="YYYY-MM-DD", default=None,
              help="Start date instead of the stored cursor (BODACC: more than a year back uses /exports).")
@click.option("--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE|SLUG", help="Territory TOML file [default: Grand Paris Seine Ouest]. In a multi-territory "
                                        "working directory: the SLUG of one territory.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True, help="Working directory (warehouse, landing zone, snapshot).")
@click.option("--endpoint", "endpoints", multiple=True, metavar="SOURCE=URL", hidden=True,
              help="Base URL of a source (tests and fakes).")
@click.option("--rate", "rates", multiple=True, metavar="HOST[:PORT]=REQ_PER_S", hidden=True,
              help="Rate limit of a host (tests and fakes).")
@click.option("--verbose", "-v", is_flag=True, help="Show Prefect's logs and full error details.")
def command(source, since, territory_file, workdir, endpoints, rates, verbose) -> None:
    """Fetch the API sources into the warehouse and publish the snapshot.

    INSEE runs only when INSEE_API_KEY is set (the key is sent in a header, never logged). Each source loads in
    its own transaction with its cursor; one failing source does not stop the others (exit code 1 then).
    """
    from radar.config import load_territory

    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise UserError(f"bad --since '{since}': expected YYYY-MM-DD") from None
    workdir, territory_file = pick_territory(workdir, territory_file)
    endpoint_map = _pairs(endpoints, "--endpoint")
    try:
        rate_map = {k: float(v) for k, v in _pairs(rates, "--rate").items()}
    except ValueError:
        raise UserError("--rate: expected HOST=REQUESTS_PER_SECOND") from None
    run_guarded(lambda: load_territory(territory_file), verbose)
    start_prefect(workdir, verbose)
    started = time.monotonic()

    def go():
        from flows.api_sources import api_sources

        return api_sources(sources=list(_SOURCES) if source == "all" else [source], since=since,
                           workdir=str(workdir), territory_file=str(territory_file) if territory_file else None,
                           endpoints=endpoint_map or None, policies=rate_map or None)

    result = run_guarded(go, verbose)
    failed = []
    for r in result["sources"]:
        counts = r.get("counts") or {}
        detail = (f"{counts.get('loaded', 0)} loaded, {counts.get('quarantined', 0)} quarantined, "
                  f"{counts.get('pages', 0)} pages" if r["status"] == "loaded" else r.get("error", ""))
        detail = re.sub(r"\s+", " ", detail)
        click.echo(f"{r['source']:<10} {r['status']:<8} {detail}")
        if r["status"] == "failed":
            failed.append(r["source"])
    click.echo(f"snapshot:  {result['snapshot']}\nelapsed:   {time.monotonic() - started:.1f} s")
    if failed:
        raise UserError(f"source(s) failed: {', '.join(failed)} (the others were loaded; see the run ledger)")
