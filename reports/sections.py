"""The report's figures shaped for the template: headline cards, the stock's balance in words, the key figures
table, the lists (first rows printed, all in the annexes), totals, and why a section has nothing to show."""

from __future__ import annotations

from datetime import date

from radar.labels import ENTITIES, QUARANTINE_RULES, word
from reports.formats import month_long, num, percent, plural, signed

# (metric, label): the eight headline figures of the tech perimeter, four by row.
CARDS = (
    ("companies", "Entreprises"),
    ("establishments", "Établissements"),
    ("creations", "Créations"),
    ("closures", "Fermetures"),
    ("move_ins", "Arrivées"),
    ("move_outs", "Départs"),
    ("sector", "Changements d'activité"),
    ("change", "Évolution du stock"),
)
KEY_FIGURES = (
    ("companies", "Entreprises"),
    ("establishments", "Établissements actifs"),
    ("creations", "Créations"),
    ("closures", "Fermetures"),
    ("move_ins", "Arrivées"),
    ("move_outs", "Départs"),
    ("sector_entries", "Entrées par changement d'activité"),
    ("sector_exits", "Sorties par changement d'activité"),
    ("other_changes", "Autres mouvements"),
    ("change", "Évolution du stock"),
    ("headcount_ups", "Hausses de tranche d'effectif"),
)
SIGNED = frozenset({"change", "other_changes", "net_change"})
# What a month reconstructed from the historical file cannot know: shown « n.d. », never 0.
NOT_RECONSTRUCTED = frozenset({"move_ins", "move_outs", "net_change", "headcount_ups", "other_changes", "change"})
# Activity changes never move an establishment in or out of « all activities ».
TECH_ONLY = frozenset({"sector_entries", "sector_exits"})
# (kind, title, sheet title, empty text)
LISTS = (
    ("creation", "Créations", "Créations", "Aucune création ce mois-ci."),
    ("closure", "Fermetures", "Fermetures", "Aucune fermeture ce mois-ci."),
    ("move_in", "Arrivées dans le territoire", "Arrivées", "Aucune arrivée ce mois-ci."),
    ("move_out", "Départs du territoire", "Départs", "Aucun départ ce mois-ci."),
    ("sector_entry", "Entrées dans le numérique par changement d'activité", "Entrées d'activité",
     "Aucun établissement n'est entré dans le numérique par un changement d'activité ce mois-ci."),
    ("sector_exit", "Sorties du numérique par changement d'activité", "Sorties d'activité",
     "Aucun établissement n'a quitté le numérique par un changement d'activité ce mois-ci."),
    ("headcount_up", "Passages à une tranche d'effectif supérieure", "Hausses d'effectif",
     "Aucune hausse de tranche d'effectif ce mois-ci."),
)
NOT_RECONSTRUCTED_LISTS = frozenset({"move_in", "move_out", "headcount_up"})
PRINTED_ROWS = 10  # rows of each list in the PDF; the annexes have them all
def _change(figures: dict | None) -> int | None:
    if not figures or figures.get("establishments_before") is None:
        return None
    return figures["establishments"] - figures["establishments_before"]


def _value(figures: dict | None, metric: str):
    if not figures:
        return None
    return _change(figures) if metric == "change" else figures.get(metric)


def _text(metric: str, value) -> str:
    return signed(value) if metric in SIGNED else num(value)


def cards(head: dict, reconstructed: bool = False) -> list[dict]:
    """The eight tech figures of the month, each with its value in words and one or two lines under it."""
    tech = head["tech"]
    cur, prev, ago = tech["current"], tech["previous"], tech["year_ago"]
    out = []
    for metric, label in CARDS:
        card = {"metric": metric, "label": label, "lines": []}
        if reconstructed and metric in NOT_RECONSTRUCTED | {"sector"}:
            card["value"] = "n.d."
        elif metric == "sector":
            entries, exits = cur.get("sector_entries"), cur.get("sector_exits")
            card["value"] = "—" if entries is None else f"{signed(entries) if entries else '0'} / " \
                                                        f"{signed(-exits) if exits else '0'}"
            card["lines"] = ["entrées / sorties du numérique"]
        elif metric == "change":
            card["value"] = _text(metric, _change(cur))
            if cur.get("net_change") is not None:
                card["lines"] = [f"créations, transferts : {signed(cur['net_change'])}"]
                if cur.get("other_changes"):
                    card["lines"].append(f"autres : {signed(cur['other_changes'])}")
        else:
            value = cur.get(metric)
            card["value"] = _text(metric, value)
            for which, ref in (("vs mois préc.", prev), ("vs un an", ago)):
                base = _value(ref, metric)
                if value is not None and base is not None:
                    delta = value - base
                    ratio = f" ({percent(delta / base, True)})" if metric in ("companies", "establishments") and base \
                        else ""
                    card["lines"].append(f"{which} : {signed(delta) if delta else '0'}{ratio}")
        out.append(card)
    return out


def balance(cur: dict) -> dict | None:
    """The tech stock's change as a sum of its movements, in words; None without a month to compare with."""
    if cur.get("establishments_before") is None or cur.get("move_ins") is None:
        return None
    terms = [plural(cur["creations"], "création", "créations"),
             "− " + plural(cur["closures"], "fermeture", "fermetures"),
             "+ " + plural(cur["move_ins"], "arrivée", "arrivées"),
             "− " + plural(cur["move_outs"], "départ", "départs"),
             "+ " + plural(cur["sector_entries"], "entrée", "entrées") + " et − "
             + plural(cur["sector_exits"], "sortie", "sorties") + " par changement d'activité"]
    other = cur.get("other_changes") or 0
    if other:
        terms.append(("+ " if other > 0 else "− ") + plural(abs(other), "autre mouvement", "autres mouvements")
                     + " (transfert de siège à l'intérieur du territoire, code hors NAF rév. 2)")
    return {"before": cur["establishments_before"], "after": cur["establishments"], "change": _change(cur),
            "terms": terms}


def key_figures(head: dict, reconstructed: set[date] = frozenset()) -> dict:
    """One table: tech then all activities, each for the month, the previous loaded month and a year before."""
    which_months = [head["months"][w] for w in ("current", "previous", "year_ago")]
    rows = []
    for metric, label in KEY_FIGURES:
        cells = []
        for scope in ("tech", "all"):
            for which, m in zip(("current", "previous", "year_ago"), which_months):
                if scope == "all" and metric in TECH_ONLY:
                    cells.append("·")
                elif m in reconstructed and metric in NOT_RECONSTRUCTED:
                    cells.append("n.d.")
                else:
                    cells.append(_text(metric, _value(head[scope][which], metric)))
        rows.append({"metric": metric, "label": label, "cells": cells})
    return {"months": which_months, "rows": rows}


BALANCE_KEYS = ("establishments_before", "creations", "closures", "move_ins", "move_outs", "sector_entries",
                "sector_exits", "other_changes", "establishments")
MOVEMENT_KEYS = BALANCE_KEYS[1:-1]


def _sum(rows: list[dict], label: str) -> dict:
    """Column sums (None stays None: the first loaded month has no stock before)."""
    total = {"label": label}
    for key in BALANCE_KEYS:
        values = [r[key] for r in rows]
        total[key] = None if any(v is None for v in values) else sum(values)
    return total


def with_total(rows: list[dict], label: str, printed: int | None = None) -> dict:
    """The rows and their total. With `printed`, the PDF shows the `printed` largest rows and every row with a
    movement, and sums the others into one row: the annexes and the HTML have them all."""
    if printed is not None:
        rows = [dict(r, beyond=i >= printed and not any(r[k] for k in MOVEMENT_KEYS)) for i, r in enumerate(rows)]
    beyond = [r for r in rows if r.get("beyond")]
    others = _sum(beyond, f"{len(beyond)} autres activités") if beyond else None
    return {"rows": rows, "total": _sum(rows, label), "others": others}


def list_sections(found: dict[str, list[dict]]) -> list[dict]:
    return [{"kind": kind, "title": title, "sheet": sheet, "empty": empty, "rows": found.get(kind, []),
             "annex": f"annexe-liste-{kind.replace('_', '-')}.csv",
             "not_reconstructed": kind in NOT_RECONSTRUCTED_LISTS}
            for kind, title, sheet, empty in LISTS]


def quarantine_rows(rows: list[dict]) -> list[dict]:
    return [dict(r, entity_label=word(ENTITIES, r["entity"]), rule_label=word(QUARANTINE_RULES, r["rule"]))
            for r in rows]


def _not_collected(runs: dict, what: str) -> str | None:
    if runs["successes"]:
        return None
    if runs["failures"]:
        return f"{what} : la collecte a échoué à chaque tentative ; voir la page Qualité des données du tableau de bord."
    return f"{what} : aucune collecte n'a encore eu lieu pour ce territoire."


def empty_reasons(ctx: dict) -> dict:
    """Why each section shows nothing, in words that name the real cause; None where it has something."""
    month = month_long(ctx["month"])
    press, difficulty = ctx["press"], ctx["difficulty"]
    reasons = {"difficulty": None, "press": None, "press_introductions": None, "introductions": None}
    if not difficulty["rows"]:
        reasons["difficulty"] = _not_collected(difficulty["runs"], "Annonces du BODACC") or (
            "Aucune entreprise du numérique du territoire n'est visée par une procédure collective en cours.")
    if not press["stories"]:
        reasons["press"] = _not_collected(press["runs"], "Presse") or (
            f"Aucun article collecté en {month}." if not press["month_total"] else
            f"Aucun des {num(press['month_total'])} articles collectés en {month} ne cite une entreprise du "
            "territoire.")
    if not ctx["press_introductions"]:
        reasons["press_introductions"] = reasons["press"] or (
            "Aucun article du mois ne cite deux entreprises du territoire : pas de mise en relation issue de la "
            "presse.")
    if not ctx["introductions"]:
        reasons["introductions"] = ("Aucune paire nouvelle ce mois-ci : les paires déjà proposées au cours des six "
                                    "derniers mois ne reviennent pas.")
    return reasons
