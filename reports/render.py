"""The monthly report: French HTML rendered from the published snapshot only.

`render_report` reads the snapshot through the sandboxed read-only connection, shapes the figures for the
template and writes `report.html` atomically. The same snapshot and month give the same bytes, except the
« Généré le » line (pass `generated_at` to pin it). The HTML has every row; printed (the PDF), lists show their
first rows and point to the annexes, which have them all.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from radar.errors import RadarError
from radar.months import add_months, parse_month
from reports import charts, queries, source_queries
from reports.formats import FILTERS, month_long, plural, safe_url
from reports.sections import (
    PRINTED_ROWS,
    balance,
    cards,
    empty_reasons,
    key_figures,
    list_sections,
    quarantine_rows,
    with_total,
)
from warehouse.db import connect_snapshot

TEMPLATES = Path(__file__).parent / "templates"
UNDISCLOSED_NAME = "(nom non diffusible)"
# Scripts none at all; styles only inline (the page's <style> and the SVG charts' style attributes).
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
RECONSTRUCTED_NOTE = ("Mois reconstitué à partir du fichier historique de l'INSEE : les transferts (arrivées, "
                      "départs) et les effectifs ne sont pas disponibles ; le solde n'est donc pas calculé, et un "
                      "transfert de siège y apparaît comme une création et une fermeture.")


class ReportError(RadarError, ValueError):
    """The report cannot be produced from this snapshot (month not loaded, bad month); one readable line."""


def latest_month(snapshot_path: Path) -> str:
    con = connect_snapshot(Path(snapshot_path))
    try:
        months = queries.loaded_months(con)
    finally:
        con.close()
    if not months:
        raise ReportError(f"the snapshot {snapshot_path} has no loaded month")
    return months[-1].strftime("%Y-%m")


def render_report(snapshot_path: Path, month: str, out_dir: Path, *, territory_name: str | None = None,
                  generated_at: datetime | None = None) -> Path:
    return render_html(snapshot_path, month, out_dir, territory_name=territory_name, generated_at=generated_at)[0]


def render_html(snapshot_path: Path, month: str, out_dir: Path, *, territory_name: str | None = None,
                generated_at: datetime | None = None) -> tuple[Path, dict]:
    """report.html, and the context it was rendered from (the annexes and the e-mail reuse it)."""
    wanted = parse_month(month)
    con = connect_snapshot(Path(snapshot_path))
    try:
        context = build_context(con, wanted, territory_name)
    finally:
        con.close()
    context["generated_at"] = generated_at or datetime.now(UTC)
    html = environment().get_template("report.html.j2").render(context)
    return _write_html(html, Path(out_dir)), context


def _write_html(html: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "report.html"
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8", newline="\n")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def build_context(con: duckdb.DuckDBPyConnection, month: date, territory_name: str | None = None) -> dict:
    months = queries.loaded_months(con)
    if month not in months:
        loaded = f"{months[0]:%Y-%m} … {months[-1]:%Y-%m}" if months else "none"
        raise ReportError(f"no data for month {month:%Y-%m} in the snapshot (loaded months: {loaded})")
    info = queries.snapshot_info(con)
    head = queries.headline(con, month)
    month_label = month_long(month)
    reconstructed = queries.reconstructed_months(con)
    series = queries.trend(con, month)
    territory = territory_name or info.get("territory") or "Territoire"
    press = source_queries.press(con, month)
    difficulty = source_queries.difficulty(con, month)
    introductions = source_queries.introductions(con, month)
    context = {
        "title": f"Radar de l'écosystème numérique — {territory} — {month_label}",
        "territory": territory,
        "month": month,
        "month_label": month_label,
        "csp": CSP,
        "months": head["months"],
        "is_first_month": head["tech"]["current"]["creations"] is None,
        "is_reconstructed": month in reconstructed,
        "reconstructed_note": RECONSTRUCTED_NOTE,
        "reconstructed_months": sorted(reconstructed),
        "cards": cards(head, month in reconstructed),
        "balance": balance(head["tech"]["current"]),
        "key_figures": key_figures(head, reconstructed),
        "tech_share": _share(head),
        "trend": series,
        "trend_chart": charts.trend_chart(series, month),
        "communes": with_total(queries.by_commune(con, month), "Ensemble du territoire"),
        "sectors": with_total(queries.by_sector(con, month), "Ensemble du numérique", printed=PRINTED_ROWS),
        "headcount_bands": queries.headcount_bands(con, month),
        "lists": list_sections(queries.event_lists(con, month)),
        "printed_rows": PRINTED_ROWS,
        "difficulty": difficulty,
        "press": press,
        "introductions": introductions,
        "press_introductions": [i for i in introductions if i["rule"] == "same_story"],
        "quarantine": quarantine_rows(queries.quarantine(con, month)),
        "sources": queries.sources(con, add_months(month, -23), month),
        "perimeter": queries.tech_perimeter(con),
        "snapshot": info,
    }
    context["empty"] = empty_reasons(context)
    return context


def _share(head: dict) -> float | None:
    tech, total = head["tech"]["current"]["establishments"], head["all"]["current"]["establishments"]
    return tech / total if total else None


def display_name(value: str | None) -> str:
    # The snapshot's display_name is never NULL; a mask marker that slipped through is still never shown.
    return UNDISCLOSED_NAME if value is None or value.strip() in ("", "[ND]") else value


def commune(code: str | None, name: str | None) -> str:
    return name or code or "—"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS, display_name=display_name)
    env.globals.update(commune=commune, safe_url=safe_url, plural=plural)
    return env
