"""Deployments and schedules, declared in one place: what `radar serve` runs, and when (Europe/Paris).

Every scheduled flow writes the warehouse, so every deployment has a concurrency limit of 1 (a late run waits
in the queue) and every run also takes the slot of the global limit `radar-duckdb-writer` (created by
`radar serve`), so two different flows never write at once; DuckDB's own lock, with its bounded retry, is the
last guard. Each run leaves a Prefect artifact (summary + counts per source) and alerts the data engineers
(`[report] alerts`) when it fails, when the monthly stock is late, or when quarantined rows spike.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron

from extractors.http import install_log_redaction
from flows.common import leave_artifact
from flows.report import report_steps
from radar.config import ConfigError, Territory, Workdir, load_territory
from steps.common import ledger_counts
from steps.schedules import alert, expected_month, quarantine_spikes, quarantine_threshold

WRITER_LIMIT = "radar-duckdb-writer"
TIMEZONE = "Europe/Paris"
# INSEE publishes the monthly stock on the first day of the month, sometimes a few days late: try each morning
# from the 2nd to the 7th; a month already loaded and sent makes the later runs no-ops.
DEFAULT_CRONS = {
    "news": "0 7 * * *",              # every day, 07:00
    "api-daily": "30 6 * * *",        # INSEE deltas and BODACC, every day, 06:30
    "api-weekly": "30 5 * * 1",       # Recherche d'entreprises, Mondays, 05:30
    "monthly": "0 9 2-7 * *",         # monthly stock, then report and delivery, 09:00 on the 2nd..7th
}
DAILY_API_SOURCES = ["insee", "bodacc"]
WEEKLY_API_SOURCES = ["recherche"]


def schedule_config(territory: Territory) -> tuple[str, dict[str, str]]:
    """`[schedule]` of the territory TOML: `timezone` and one cron per deployment (keys of DEFAULT_CRONS)."""
    section = dict(territory.raw.get("schedule", {}))
    tz = section.pop("timezone", TIMEZONE)
    ZoneInfo(tz)  # an unknown zone fails here, not at 3 a.m.
    unknown = sorted(set(section) - set(DEFAULT_CRONS))
    if unknown:
        raise ConfigError(f"schedule: unknown deployment(s) {', '.join(unknown)}; known: {', '.join(DEFAULT_CRONS)}")
    return tz, {**DEFAULT_CRONS, **section}


@contextlib.contextmanager
def writer_slot():
    """The global writer slot when a Prefect server holds the limit; without one, DuckDB's lock still serialises."""
    from prefect.concurrency.sync import concurrency

    with concurrency(WRITER_LIMIT, occupy=1, strict=False):
        yield


def _guarded(name: str, workdir: str, territory_file: str | None, body) -> dict:
    """Run `body(wd, territory)`, leave the artifact, alert on failure, re-raise so the run is Failed."""
    install_log_redaction()  # a served run is a process of its own, spawned by Prefect, not started by `radar`
    wd, territory = Workdir(Path(workdir)), load_territory(territory_file)
    started = datetime.now(UTC)
    lines: list[str] = []
    try:
        with writer_slot():
            result = body(wd, territory, lines)
    except Exception as exc:
        where = alert(wd, territory, f"échec du flux {name}", f"Le flux {name} a échoué : {type(exc).__name__}: {exc}")
        lines += [f"ÉCHEC : {type(exc).__name__}: {exc}", f"alerte : {where}"]
        _artifact(name, wd, started, lines)
        raise
    table = _artifact(name, wd, started, lines)
    spikes = quarantine_spikes(table, quarantine_threshold(territory))
    if spikes:
        alert(wd, territory, f"pic de quarantaine ({name})", "\n".join(spikes))
    return result


def _artifact(name: str, wd: Workdir, started: datetime, lines: list[str]) -> list[dict]:
    try:
        table = ledger_counts(wd, started)
    except Exception as exc:  # noqa: BLE001 - the ledger may be what failed
        table, lines = [], lines + [f"registre illisible : {type(exc).__name__}"]
    leave_artifact(name, f"{name} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", lines or ["terminé"], table)
    return table


@flow(name="scheduled-news")
def scheduled_news(workdir: str = "radar-data", territory_file: str | None = None) -> dict:
    def body(wd, territory, lines):
        from flows.news import news

        result = news(workdir=str(wd.root), territory_file=territory_file)
        lines.append(f"articles : {result.get('counts')}")
        return result
    return _guarded("news", workdir, territory_file, body)


@flow(name="scheduled-api-sources")
def scheduled_api_sources(sources: list[str], workdir: str = "radar-data",
                          territory_file: str | None = None) -> dict:
    def body(wd, territory, lines):
        from flows.api_sources import api_sources

        result = api_sources(sources=sources, workdir=str(wd.root), territory_file=territory_file)
        lines += [f"{r.get('source', '?')} : {r.get('status', '?')}" for r in result.get("sources", [])]
        return result
    return _guarded("api-" + "-".join(sources), workdir, territory_file, body)


@flow(name="scheduled-monthly")
def scheduled_monthly(workdir: str = "radar-data", territory_file: str | None = None,
                      etablissements: str | None = None, unites_legales: str | None = None,
                      send_it: bool = True) -> dict:
    """The monthly stock load, then the month's report and its delivery; the stock late is an alert."""
    def body(wd, territory, lines):
        from flows.sirene_month import sirene_month
        from reports.render import latest_month
        from steps import sirene_month as steps

        wanted = expected_month(datetime.now(ZoneInfo(TIMEZONE)).date())
        loaded = sirene_month(etablissements=etablissements or steps.DEFAULT_ETABLISSEMENTS_URL,
                                unites_legales=unites_legales or steps.DEFAULT_UNITES_LEGALES_URL,
                                territory_file=territory_file, workdir=str(wd.root))
        lines.append(f"stock : {loaded.get('month')} ({loaded.get('status')})")
        latest = latest_month(wd.published)
        if latest < wanted:
            where = alert(wd, territory, f"stock SIRENE {wanted} en retard",
                          f"Le stock de fin {wanted} n'est pas encore publié (dernier chargé : {latest}). "
                          f"Le flux réessaie chaque matin jusqu'au 7 du mois.")
            lines.append(f"stock {wanted} en retard ; alerte : {where}")
            return {"load": loaded, "report": None, "late": wanted}
        report = report_steps(wd, territory, wanted, send_it=send_it)
        lines.append(f"rapport {wanted} : {report['folder']} ; envoi : {report['sent']}")
        return {"load": loaded, "report": report, "late": None}
    return _guarded("monthly", workdir, territory_file, body)


def build_deployments(workdir: str, territory_file: str | None = None) -> list:
    """The RunnerDeployments `radar serve` serves (built, not applied: tests assert on them)."""
    territory = load_territory(territory_file)
    tz, crons = schedule_config(territory)
    common = {"workdir": str(workdir), "territory_file": str(territory_file) if territory_file else None}
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    specs = [
        (scheduled_news, "news", "Flux RSS/Atom et pages d'articles : tous les jours.", {}),
        (scheduled_api_sources, "api-daily", "Deltas INSEE et annonces BODACC : tous les jours.",
         {"sources": DAILY_API_SOURCES}),
        (scheduled_api_sources, "api-weekly", "Recherche d'entreprises : chaque semaine.",
         {"sources": WEEKLY_API_SOURCES}),
        (scheduled_monthly, "monthly", "Stock SIRENE du mois, puis rapport et envoi.", {}),
    ]
    return [fl.to_deployment(name=name, description=text, schedules=[Cron(crons[name], timezone=tz)],
                             concurrency_limit=one_at_a_time, parameters={**common, **params},
                             tags=["radar", "writer"])
            for fl, name, text, params in specs]


def ensure_writer_limit() -> None:
    """The global concurrency limit shared by every writer (idempotent; needs a Prefect API)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        except Exception:  # noqa: BLE001 - ObjectNotFound: create it
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))


def serve_all(workdir: str, territory_file: str | None = None) -> None:
    from prefect import serve

    ensure_writer_limit()
    # limit=1: this process runs one flow run at a time, a third guard for the single writer.
    serve(*build_deployments(workdir, territory_file), pause_on_shutdown=False, limit=1)
