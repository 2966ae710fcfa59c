"""The monthly report: French HTML rendered from the published snapshot only.

`render_report` reads the snapshot through the sandboxed read-only connection, shapes the figures for the
template and writes `report.html` atomically. The same snapshot and month give the same bytes, except the
« Généré le » line (pass `generated_at` to pin it).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from radar.errors import RadarError
from radar.months import add_months, parse_month
from reports import charts, queries
from warehouse.db import connect_snapshot

LOCALE = "fr_FR"
TEMPLATES = Path(__file__).parent / "templates"
UNDISCLOSED_NAME = "(nom non diffusible)"
# Scripts none at all; styles only inline (the page's <style> and the SVG charts' style attributes).
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CARDS = (
    ("companies", "Entreprises du numérique", "stock"),
    ("establishments", "Établissements du numérique", "stock"),
    ("creations", "Créations", "flows"),
    ("closures", "Fermetures", "flows"),
    ("move_ins", "Arrivées", "flows"),
    ("move_outs", "Départs", "flows"),
    ("net_change", "Solde", "flows"),
)
KEY_FIGURES = (
    ("companies", "Entreprises"),
    ("establishments", "Établissements actifs"),
    ("creations", "Créations"),
    ("closures", "Fermetures"),
    ("move_ins", "Arrivées"),
    ("move_outs", "Départs"),
    ("net_change", "Solde"),
    ("headcount_ups", "Hausses de tranche d'effectif"),
)
LISTS = (
    ("creation", "Créations", "Aucune création ce mois-ci."),
    ("closure", "Fermetures", "Aucune fermeture ce mois-ci."),
    ("move_in", "Arrivées dans le territoire", "Aucune arrivée ce mois-ci."),
    ("move_out", "Départs du territoire", "Aucun départ ce mois-ci."),
    ("headcount_up", "Passages à une tranche d'effectif supérieure",
     "Aucune hausse de tranche d'effectif ce mois-ci."),
)
RULES = {
    "missing_identifier": "identifiant absent",
    "invalid_siren": "SIREN invalide",
    "invalid_siret": "SIRET invalide",
    "invalid_date": "date illisible",
    "unknown_state": "état administratif inconnu",
    "unknown_naf_code": "code d'activité inconnu",
    "unknown_legal_form": "catégorie juridique inconnue",
    "unknown_headcount_band": "tranche d'effectif inconnue",
}
ENTITIES = {"establishment": "Établissements", "company": "Unités légales",
            "establishment_period": "Périodes d'établissements (fichier historique)"}
# What a month reconstructed from the historical file cannot know: shown « n.d. », never 0.
NOT_RECONSTRUCTED = frozenset({"move_ins", "move_outs", "net_change", "headcount_ups"})
NOT_RECONSTRUCTED_LISTS = frozenset({"move_in", "move_out", "headcount_up"})
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
    previous = head["months"]["previous"]
    month_label = month_long(month)
    communes = queries.by_commune(con, month, previous)
    sectors = queries.by_sector(con, month, previous)
    series = queries.trend(con, month)
    territory = territory_name or info.get("territory") or "Territoire"
    reconstructed = queries.reconstructed_months(con)
    return {
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
        "not_reconstructed": NOT_RECONSTRUCTED,
        "not_reconstructed_lists": NOT_RECONSTRUCTED_LISTS,
        "cards": cards(head, reconstructed),
        "key_figures": key_figures(head, reconstructed),
        "tech_share": _share(head),
        "trend": series,
        "trend_chart": charts.trend_chart(series, month),
        "communes": communes,
        "commune_chart": charts.commune_chart(communes, month_label),
        "sectors": sectors,
        "sector_chart": charts.sector_chart(sectors, month_label),
        "headcount_bands": queries.headcount_bands(con, month),
        "lists": [dict(kind=k, title=t, empty=e, rows=[dict(r, display_name=display_name(r["name"]))
                                                      for r in queries.events(con, month, k)])
                  for k, t, e in LISTS],
        "difficulty": queries.difficulty(con, month),
        "press": queries.press(con, month),
        "introductions": introduction_rows(queries.introductions(con, month)),
        "introductions_loaded": queries.has_relation(con, "introduction", queries.INTRODUCTION_COLUMNS),
        "quarantine": [dict(r, entity_label=ENTITIES.get(r["entity"], r["entity"]),
                            rule_label=RULES.get(r["rule"], r["rule"])) for r in queries.quarantine(con, month)],
        "sources": queries.sources(con, add_months(month, -23), month),
        "perimeter": queries.tech_perimeter(con),
        "snapshot": info,
    }


def introduction_rows(found: dict) -> list[dict]:
    from reports.introductions import RULE_LABELS

    return [dict(r, name_a=display_name(r["name_a"]), name_b=display_name(r["name_b"]),
                 rule_label=RULE_LABELS.get(r["rule"], r["rule"])) for r in found["rows"]]


def _not_available(month: date | None, metric: str, reconstructed: set[date]) -> bool:
    return month in reconstructed and metric in NOT_RECONSTRUCTED


def cards(head: dict, reconstructed: set[date] = frozenset()) -> list[dict]:
    """Tech headline cards: the month's value and its change against the previous and year-ago months."""
    tech = head["tech"]
    current = head["months"]["current"]
    out = []
    for metric, label, group in CARDS:
        value = tech["current"][metric]
        comparisons = []
        for which, text in (("previous", "vs mois précédent"), ("year_ago", "vs il y a un an")):
            ref = tech[which][metric] if tech[which] else None
            delta = None if value is None or ref is None else value - ref
            ratio = delta / ref if group == "stock" and delta is not None and ref else None
            comparisons.append({"label": text, "delta": delta, "ratio": ratio})
        out.append({"metric": metric, "label": label, "group": group, "value": value, "comparisons": comparisons,
                    "not_available": _not_available(current, metric, reconstructed)})
    return out


def key_figures(head: dict, reconstructed: set[date] = frozenset()) -> list[dict]:
    tables = []
    which_months = [head["months"][which] for which in ("current", "previous", "year_ago")]
    for scope, caption in (("tech", "Numérique"), ("all", "Ensemble des activités du territoire")):
        figures = [head[scope][which] or {} for which in ("current", "previous", "year_ago")]
        rows = [{"metric": metric, "label": label, "values": [f.get(metric) for f in figures],
                 "not_available": [_not_available(m, metric, reconstructed) for m in which_months]}
                for metric, label in KEY_FIGURES]
        tables.append({"scope": scope, "caption": caption, "rows": rows})
    return tables


def _share(head: dict) -> float | None:
    tech, total = head["tech"]["current"]["establishments"], head["all"]["current"]["establishments"]
    return tech / total if total else None


# --- formatting -------------------------------------------------------------------------------------------------

def num(value) -> str:
    return "—" if value is None else format_decimal(value, locale=LOCALE)


def signed(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "") + format_decimal(abs(value), locale=LOCALE)


def percent(value, signed_: bool = False) -> str:
    if value is None:
        return "—"
    text = format_percent(abs(value) if signed_ else value, format="#,##0.0 %", locale=LOCALE)
    return (("+" if value > 0 else "−" if value < 0 else "") + text) if signed_ else text


def month_long(value: date | None) -> str:
    return "—" if value is None else format_date(value, "MMMM y", locale=LOCALE)


def date_long(value: date | None) -> str:
    if value is None:
        return "—"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {format_date(value, 'MMMM y', locale=LOCALE)}"


def datetime_long(value: datetime | None) -> str:
    if value is None:
        return "—"
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return f"{date_long(value.date())} à {format_datetime(value, 'HH:mm', tzinfo=UTC, locale=LOCALE)} UTC"


def display_name(value: str | None) -> str:
    # The snapshot already masks personal fields; a mask marker that slipped through is still never shown.
    return UNDISCLOSED_NAME if value is None or value.strip() in ("", "[ND]") else value


def commune(code: str | None, name: str | None) -> str:
    return name or code or "—"


def safe_url(value: str | None) -> str | None:
    """A link target only if it is plain http(s) (or mailto); anything else (javascript:, data:, file:) is dropped."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in ("http", "https", "mailto") or any(c in value for c in "\x00\r\n\t\"'<> "):
        return None
    return value


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(num=num, signed=signed, percent=percent, month_long=month_long, date_long=date_long,
                       datetime_long=datetime_long, display_name=display_name,
                       score=lambda v: "—" if v is None else format_decimal(round(v, 2), locale=LOCALE))
    env.globals.update(commune=commune, safe_url=safe_url)
    return env
