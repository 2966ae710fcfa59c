"""The API sources flow (`radar api`): Recherche d'entreprises, INSEE deltas and BODACC, each fetched and loaded on
its own (one source failing never stops the others: T03), then the snapshot is published once. Its steps are
steps/api_sources.py."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.common import prepare, publish, step_task
from radar.config import Territory, Workdir, load_territory
from steps import api_sources as steps

run_source = step_task(steps.run_source, name="api-source", task_run_name="api-{source}")


def run_sources(wd: Workdir, territory: Territory, sources: list[str], *, since: str | None = None,
                endpoints: dict | None = None, policies: dict | None = None,
                insee_key_optional: bool = False) -> list[dict]:
    results = []
    for source in sources:
        options = {"key_optional": True} if source == "insee" and insee_key_optional else {}
        results.append(run_source(wd, territory, source, endpoints=endpoints, policies=policies, since=since,
                                  **options))
    return results


@flow(name="api-sources", log_prints=True)
def api_sources(sources: list[str] | None = None, since: str | None = None, workdir: str = "radar-data",
                territory_file: str | None = None, endpoints: dict | None = None, policies: dict | None = None,
                insee_key_optional: bool = False) -> dict:
    """`endpoints` (source -> base URL) and `policies` (host[:port] -> requests/s) are for fakes and tests;
    secrets never go through parameters (INSEE_API_KEY is read from the environment by the step)."""
    wd = Workdir(Path(workdir))
    territory = load_territory(territory_file)
    prepare(wd)
    results = run_sources(wd, territory, list(sources or steps.SOURCES), since=since, endpoints=endpoints,
                          policies=policies, insee_key_optional=insee_key_optional)
    snapshot = publish(wd, territory)
    steps.prune_api_landing(wd, territory.landing_retention_days)
    return {"sources": results, "snapshot": snapshot}


def demo_api_sources(wd: Workdir, territory: Territory, *, since: str = "2024-11-01",
                     recorded: bool = True) -> list[dict]:
    """In `radar demo`, after the monthly loads and before publishing: the three sources against emulators on
    loopback, through the live code path (unthrottled). They serve the responses recorded with the bundled demo
    (demo/api/recorded/) or, for another demo (`recorded=False`: fewer months, another territory), data
    derived the same way from this warehouse."""
    from demo.api.build import ensure_demo_api_data, read_datasets, read_recorded, serve_demo_apis

    data = read_recorded() if recorded else None
    if data is None:
        data = read_datasets(ensure_demo_api_data(wd.warehouse, wd.demo_data / "api"))
    with serve_demo_apis(data) as apis:
        return run_sources(wd, territory, list(steps.SOURCES), since=since, endpoints=apis["endpoints"],
                           policies=apis["policies"], insee_key_optional=True)
