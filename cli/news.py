"""`radar news`: fetch the territory's feeds, link stories to companies, load, publish."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import UserError, run_guarded, start_prefect
from radar.config import DEFAULT_WORKDIR


@click.command("news")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_WORKDIR,
              show_default=True, help="Working directory (warehouse, snapshot, landing).")
@click.option("--territory", "territory_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Territory TOML with a [[feeds]] list [default: territories/gpso.toml].")
@click.option("--demo", is_flag=True, help="Use the bundled offline feeds (served on loopback) instead.")
@click.option("--no-pages", is_flag=True, help="Only read feeds; do not fetch article pages.")
@click.option("--verbose", "-v", is_flag=True, help="Show Prefect's logs and full error details.")
def command(workdir: Path, territory_file: Path | None, demo: bool, no_pages: bool, verbose: bool) -> None:
    """Read the news feeds of the territory: one row per story, confident company mentions, press events."""
    from radar.config import load_territory
    from steps.news import feeds_from_territory

    territory = load_territory(territory_file)
    if not demo and not feeds_from_territory(territory):
        raise UserError(f"{territory.source_file}: no [[feeds]] configured (or use --demo)")
    start_prefect(workdir, verbose)

    def go():
        from flows.news import news

        return news(workdir=str(workdir), territory_file=str(territory_file) if territory_file else None,
                    demo=demo, fetch_pages=not no_pages)

    result = run_guarded(go, verbose)
    if result["status"] == "failed":
        for feed in result["feeds"]:
            click.echo(f"  {feed['status']:<12} {feed['error']}")
        raise UserError(result["error"])
    counts = result["counts"]
    click.echo(f"news run {result['run_id']}: {counts['items']} items, {counts['new_stories']} new stories, "
               f"{counts['duplicates']} duplicates merged, {counts['quarantined']} quarantined, "
               f"{counts['mentions']} confident company mentions, events {counts['events']}")
    for feed in result["feeds"]:
        line = f"  {feed['status']:<12} {feed['name']} ({feed['items']} items)"
        click.echo(line + (f": {feed['error']}" if feed["error"] else ""))
