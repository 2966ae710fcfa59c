"""The steps of the scheduled runs (flows/schedules.py) beyond the flows they run: the month a stock is expected,
quarantine spikes in the ledger, and alerts to the data engineers."""

from __future__ import annotations

from datetime import date

from radar.config import Territory, Workdir
from radar.months import add_months
from steps.report import send_alert

DEFAULT_QUARANTINE_RATIO = 0.05


def expected_month(today: date) -> str:
    """The stock published early in month M describes the end of month M-1."""
    return f"{add_months(today.replace(day=1), -1):%Y-%m}"


def quarantine_spikes(table: list[dict], threshold: float) -> list[str]:
    spikes = []
    for row in table:
        total = (row["loaded"] or 0) + (row["quarantined"] or 0)
        if total and (row["quarantined"] or 0) / total > threshold:
            spikes.append(f"{row['source']}: {row['quarantined']} of {total} rows quarantined "
                          f"({row['quarantined'] / total:.1%} > {threshold:.0%})")
    return spikes


def quarantine_threshold(territory: Territory) -> float:
    return float(territory.raw.get("alerts", {}).get("quarantine_ratio", DEFAULT_QUARANTINE_RATIO))


def alert(workdir: Workdir, territory: Territory, subject: str, text: str) -> str:
    """Alerts must never hide the run's own outcome: a failing alert is reported, not raised."""
    try:
        return send_alert(workdir, territory, subject, text)
    except Exception as exc:  # noqa: BLE001
        return f"alert not sent: {type(exc).__name__}: {exc}"
