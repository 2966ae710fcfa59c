"""Static charts of the monthly report, as inline SVG with a French title and a text alternative.

Deterministic output (fixed hash salt, no date metadata, ids prefixed per chart) so that the same snapshot
renders the same bytes. Glyphs are drawn as paths (svg.fonttype 'path'): the charts look the same whatever
fonts the reader has, and the layout computed here holds; the words are in the <title>/<desc> and the tables.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

LOCALE = "fr_FR"
# Okabe-Ito hues darkened to reach 3:1 against white; lines also differ by marker and dash.
SERIES = (
    ("creations", "Créations", "#00785A", "o", "-"),
    ("closures", "Fermetures", "#B5400A", "s", "--"),
    ("move_ins", "Arrivées", "#0062A3", "^", "-"),
    ("move_outs", "Départs", "#8A5A00", "v", "--"),
)
NET_COLOR = "#8C8C8C"
_RC = {
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str
    svg: Markup


def _num(value: float) -> str:
    return format_decimal(value, locale=LOCALE)


def _signed(value: int) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + _num(abs(value))


def _month_short(month: date) -> str:
    return format_date(month, "MMM yy", locale=LOCALE)


def _label(text: str) -> str:
    return text.replace("$", r"\$")  # matplotlib would read $...$ as mathtext


def _to_svg(fig: Figure, key: str, title: str, alt: str) -> Markup:
    """The figure as an <svg> element: no prolog, ids unique in the page, named by its <title> and <desc>."""
    buf = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"radar-{key}", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#', rf'\1="#{key}-', svg)
    svg = svg.replace("url(#", f"url(#{key}-")
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    accessible = (f'{head} role="img" aria-labelledby="{key}-title {key}-desc">'
                  f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(alt)}</desc>')
    return Markup(accessible + rest)


def _figure(width: float, height: float, *, left: float, right: float, bottom: float, top: float) -> Figure:
    """A figure with margins in inches: fixed margins instead of constrained layout, which doubles the draw time."""
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return fig


def trend_chart(series: list[dict], month: date) -> Chart:
    """Monthly tech flows over the window: one line per kind, the net change as bars; absent months are gaps."""
    first = series[0]["month"] if series else month
    months, cursor = [], first
    while cursor <= month:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    by_month = {row["month"]: row for row in series}
    keys = ("net_change",) + tuple(s[0] for s in SERIES)
    values = {key: [_value(by_month.get(m), key) for m in months] for key in keys}
    x = list(range(len(months)))

    with matplotlib.rc_context(_RC):
        fig = _figure(9, 3.2, left=0.75, right=1.55, bottom=0.45, top=0.15)
        ax = fig.add_subplot()
        ax.bar(x, [0 if math.isnan(v) else v for v in values["net_change"]], color=NET_COLOR, width=0.6,
               label="Solde", zorder=1)
        for key, label, color, marker, dash in SERIES:
            ax.plot(x, values[key], color=color, marker=marker, linestyle=dash, linewidth=1.6, markersize=4,
                    label=label, zorder=2)
        ax.axhline(0, color="#333333", linewidth=0.8)
        step = max(1, math.ceil(len(months) / 8))
        ax.set_xticks(x[::step], [_month_short(m) for m in months[::step]])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _signed(int(v)) if v < 0 else _num(int(v))))
        ax.set_ylabel("Établissements par mois")
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    period = f"{format_date(months[0], 'MMMM y', locale=LOCALE)} à {format_date(month, 'MMMM y', locale=LOCALE)}"
    title = f"Créations, fermetures, arrivées et départs d'établissements du numérique, {period}"
    alt = _trend_alt(series, month, period)
    return Chart("trend", title, alt, _to_svg(fig, "trend", title, alt))


def _value(row: dict | None, key: str) -> float:
    value = row.get(key) if row else None
    return float("nan") if value is None else float(value)


def _trend_alt(series: list[dict], month: date, period: str) -> str:
    known = [r for r in series if r["creations"] is not None]
    if not known:
        return f"Aucun mouvement mesurable de {period} : le premier mois chargé n'a pas de mois de comparaison."
    current = next((r for r in known if r["month"] == month), None)
    mean = sum(r["creations"] for r in known) / len(known)
    text = (f"Courbes mensuelles de {period} ({len(known)} mois comparables). "
            f"En moyenne {format_decimal(round(mean, 1), locale=LOCALE)} créations par mois, "
            f"au plus {_num(max(r['creations'] for r in known))}.")
    if current and current["move_ins"] is None:  # a month reconstructed from the historical file
        text += (f" Ce mois-ci : {_num(current['creations'])} créations, {_num(current['closures'])} fermetures ; "
                 "arrivées, départs et solde non disponibles (mois reconstitué).")
    elif current:
        text += (f" Ce mois-ci : {_num(current['creations'])} créations, {_num(current['closures'])} fermetures, "
                 f"{_num(current['move_ins'])} arrivées, {_num(current['move_outs'])} départs, "
                 f"solde {_signed(current['net_change'])}.")
    return text + " Les valeurs exactes figurent dans le tableau qui suit."
