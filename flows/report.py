"""The monthly report flow (`radar report` in a schedule): introductions, HTML, PDF, annexes, e-mail once. Its steps
are steps/report.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from flows.common import leave_artifact, publish, step_task
from radar.config import Territory, Workdir, load_territory
from reports.render import latest_month
from steps import report as steps
from steps.common import ledger_counts

introductions = step_task(steps.prepare_introductions, name="prepare-introductions")
produce = step_task(steps.produce_report, name="render-report")
send = step_task(steps.send_report, name="send-report")


def report_steps(wd: Workdir, territory: Territory, month: str, *, send_it: bool, resend: bool = False,
                 env: dict | None = None) -> dict:
    """Introductions (then a publish, if they are new), HTML + PDF + annexes, and the e-mail once.
    `env={}` forces the outbox whatever the environment says (the demo); None reads RADAR_SMTP_*."""
    steps.check_month_loaded(wd, month)
    if send_it and not resend:
        try:
            steps.check_not_sent(wd, month)
        except steps.AlreadySent as exc:  # a scheduled re-run: keep the archive as it was sent
            folder = wd.reports / month
            return {"month": month, "folder": str(folder), "report": str(folder / "report.html"),
                    "pdf": str(folder / "report.pdf"), "files": {}, "sent": {"skipped": str(exc)}}
    if introductions(wd, territory, month) is not None or not steps.snapshot_has_introductions(wd, month):
        publish(wd, territory)
    rendered = produce(wd, territory, month)
    result = {"month": month, "folder": str(rendered.folder), "report": str(rendered.html),
              "pdf": str(rendered.pdf), "files": rendered.hashes, "sent": None}
    if send_it:
        try:
            result["sent"] = send(wd, territory, rendered, resend=resend, env=env)
        except steps.AlreadySent as exc:
            result["sent"] = {"skipped": str(exc)}
    return result


@flow(name="monthly-report", log_prints=True)
def monthly_report(month: str | None = None, workdir: str = "radar-data", territory_file: str | None = None,
                   send_it: bool = True, resend: bool = False) -> dict:
    """Render the month's report (default: the latest loaded month) and deliver it once."""
    wd, territory = Workdir(Path(workdir)), load_territory(territory_file)
    started = datetime.now(UTC)
    chosen = month or latest_month(wd.published)
    result = report_steps(wd, territory, chosen, send_it=send_it, resend=resend)
    sent = result["sent"]
    leave_artifact("monthly-report", f"Rapport {chosen}", [
        f"dossier : {result['folder']}",
        f"fichiers : {', '.join(sorted(result['files']))}",
        "envoi : " + ("non demandé" if sent is None else sent.get("skipped")
                      or f"{sent['recipients']} destinataire(s) via {sent['transport']}"),
    ], ledger_counts(wd, started))
    return result
