"""The monthly report flow (introductions, HTML, PDF, annexes, e-mail) and what every scheduled run leaves behind:
a Prefect artifact (markdown summary + a table of counts per source) and, when something is wrong, an alert."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from radar import sirene_month
from radar.config import Territory, Workdir, load_territory
from reports import delivery

_task = task(cache_policy=NO_CACHE, retries=0)
introductions = _task(delivery.prepare_introductions, name="prepare-introductions")
publish = _task(sirene_month.publish, name="publish-snapshot")
produce = _task(delivery.produce_report, name="render-report")
send = _task(delivery.send_report, name="send-report")

COUNT_KEYS = {"fetched": ("fetched", "rows_in", "items"), "loaded": ("loaded", "inserted"),
              "quarantined": ("quarantined",), "deduplicated": ("deduplicated", "duplicates")}
DEFAULT_QUARANTINE_RATIO = 0.05


def counts_table(runs: list[dict]) -> list[dict]:
    """One row per source (flow / entity) of the run ledger, with the four counts when the source reports them."""
    table = []
    for run in runs:
        counts = run.get("counts") or {}
        counts = json.loads(counts) if isinstance(counts, str) else counts
        entities = {k: v for k, v in counts.items() if isinstance(v, dict)} or {"": counts}
        for entity, values in entities.items():
            row = {"source": f"{run['flow']}/{entity}".rstrip("/"), "status": run["status"],
                   "month": run.get("month") or ""}
            for column, keys in COUNT_KEYS.items():
                row[column] = next((values[k] for k in keys if isinstance(values.get(k), int)), None)
            table.append(row)
    return table


def runs_since(workdir: Workdir, started: datetime) -> list[dict]:
    """Ledger rows written since `started`: this run's loads, whatever flow wrote them."""
    from warehouse.db import connect_writer

    with connect_writer(workdir.warehouse) as con:
        cur = con.execute("SELECT flow, status, strftime(month, '%Y-%m') AS month, counts FROM meta.run "
                          "WHERE started_at >= ? ORDER BY started_at", [started])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def quarantine_spikes(table: list[dict], threshold: float) -> list[str]:
    spikes = []
    for row in table:
        total = (row["loaded"] or 0) + (row["quarantined"] or 0)
        if total and (row["quarantined"] or 0) / total > threshold:
            spikes.append(f"{row['source']}: {row['quarantined']} of {total} rows quarantined "
                          f"({row['quarantined'] / total:.1%} > {threshold:.0%})")
    return spikes


def leave_artifact(key: str, title: str, lines: list[str], table: list[dict]) -> None:
    """Markdown summary and counts table of the run, in the Prefect UI (keys: lowercase, dashes)."""
    create_markdown_artifact(markdown=f"# {title}\n\n" + "\n".join(f"- {line}" for line in lines),
                             key=f"{key}-summary", description=title)
    create_table_artifact(table=table or [{"source": "(none)", "status": "", "month": "", "fetched": None,
                                           "loaded": None, "quarantined": None, "deduplicated": None}],
                          key=f"{key}-counts", description=f"{title}: counts per source")


def alert(workdir: Workdir, territory: Territory, subject: str, text: str) -> str:
    """Alerts must never hide the run's own outcome: a failing alert is reported, not raised."""
    try:
        return delivery.send_alert(workdir, territory, subject, text)
    except Exception as exc:  # noqa: BLE001
        return f"alert not sent: {type(exc).__name__}: {exc}"


def quarantine_threshold(territory: Territory) -> float:
    return float(territory.raw.get("alerts", {}).get("quarantine_ratio", DEFAULT_QUARANTINE_RATIO))


def report_steps(wd: Workdir, territory: Territory, month: str, *, send_it: bool, resend: bool = False,
                 env: dict | None = None) -> dict:
    """Introductions (then a publish, if they are new), HTML + PDF + annexes, and the e-mail once.
    `env={}` forces the outbox whatever the environment says (the demo); None reads RADAR_SMTP_*."""
    delivery.check_month_loaded(wd, month)
    if send_it and not resend:
        try:
            delivery.check_not_sent(wd, month)
        except delivery.AlreadySent as exc:  # a scheduled re-run: keep the archive as it was sent
            folder = wd.reports / month
            return {"month": month, "folder": str(folder), "report": str(folder / "report.html"),
                    "pdf": str(folder / "report.pdf"), "files": {}, "sent": {"skipped": str(exc)}}
    if introductions(wd, territory, month) is not None or not delivery.snapshot_has_introductions(wd, month):
        publish(wd, territory)
    rendered = produce(wd, territory, month)
    result = {"month": month, "folder": str(rendered.folder), "report": str(rendered.html),
              "pdf": str(rendered.pdf), "files": rendered.hashes, "sent": None}
    if send_it:
        try:
            result["sent"] = send(wd, territory, rendered, resend=resend, env=env)
        except delivery.AlreadySent as exc:
            result["sent"] = {"skipped": str(exc)}
    return result


@flow(name="monthly-report", log_prints=True)
def monthly_report(month: str | None = None, workdir: str = "radar-data", territory_file: str | None = None,
                   send_it: bool = True, resend: bool = False) -> dict:
    """Render the month's report (default: the latest loaded month) and deliver it once."""
    from reports.render import latest_month

    wd, territory = Workdir(Path(workdir)), load_territory(territory_file)
    started = datetime.now(timezone.utc)
    chosen = month or latest_month(wd.published)
    result = report_steps(wd, territory, chosen, send_it=send_it, resend=resend)
    sent = result["sent"]
    leave_artifact("monthly-report", f"Rapport {chosen}", [
        f"dossier : {result['folder']}",
        f"fichiers : {', '.join(sorted(result['files']))}",
        "envoi : " + ("non demandé" if sent is None else sent.get("skipped")
                      or f"{sent['recipients']} destinataire(s) via {sent['transport']}"),
    ], counts_table(runs_since(wd, started)))
    return result
