"""CSV and XLSX annexes of the report's lists, safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
(CSV/formula injection, scenario T34): such text gets a leading apostrophe and stays text. Numbers,
dates and booleans are written as such, so they stay numbers in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from reports.introductions import RULE_LABELS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value as a spreadsheet should see it: text that could start a formula is quoted."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(neutralise(value)) if isinstance(value, str) else str(value)


def write_csv(path: Path, columns: list[tuple[str, str]], rows: list[dict]) -> Path:
    """UTF-8 with BOM (Excel reads the accents), `;` separator (French Excel), header of French labels."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key, _ in columns])
    return _write_atomic(Path(path), ("\ufeff" + buf.getvalue()).encode("utf-8"))


def write_xlsx(path: Path, sheets: list[tuple[str, list[tuple[str, str]], list[dict]]]) -> Path:
    """One sheet per list; every text cell is stored as a string (never a formula)."""
    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([label for _, label in columns])
        for row in rows:
            sheet.append([_xlsx_value(row.get(key)) for key, _ in columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING  # openpyxl would otherwise store "=..." as a formula
        sheet.freeze_panes = "A2"
        for i, (_, label) in enumerate(columns, start=1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, min(50, len(label) + 4))
    buf = io.BytesIO()
    book.save(buf)
    return _write_atomic(Path(path), buf.getvalue())


def _xlsx_value(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; values are UTC
    return neutralise(value)


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- the report's annexes ---------------------------------------------------------------------------------------

EVENT_COLUMNS = [("name", "Nom"), ("siret", "SIRET"), ("siren", "SIREN"), ("is_head_office", "Siège"),
                 ("commune_name", "Commune"), ("commune_code", "Code commune"), ("naf_code", "Code activité"),
                 ("naf_label", "Activité"), ("from_naf", "Ancien code activité"), ("headcount_label", "Effectif"),
                 ("event_date", "Date"), ("from_commune_name", "Venant de"), ("from_commune", "Venant de (code)"),
                 ("to_commune_name", "Vers"), ("to_commune", "Vers (code)"), ("from_band_label", "Tranche précédente"),
                 ("to_band_label", "Nouvelle tranche")]
BALANCE_COLUMNS = [("establishments_before", "Début de mois"), ("creations", "Créations"),
                   ("closures", "Fermetures"), ("move_ins", "Arrivées"), ("move_outs", "Départs"),
                   ("sector_entries", "Entrées d'activité"), ("sector_exits", "Sorties d'activité"),
                   ("other_changes", "Autres mouvements"), ("establishments", "Fin de mois")]
COMMUNE_COLUMNS = [("label", "Commune"), ("commune_code", "Code commune")] + BALANCE_COLUMNS
SECTOR_COLUMNS = [("naf_code", "Code activité"), ("naf_label", "Activité")] + BALANCE_COLUMNS
TREND_COLUMNS = [("month", "Mois"), ("companies", "Entreprises"), ("establishments", "Établissements")] + \
    BALANCE_COLUMNS[1:-1] + [("headcount_ups", "Hausses de tranche d'effectif")]
DIFFICULTY_COLUMNS = [("name", "Nom"), ("siren", "SIREN"), ("commune_name", "Commune"), ("naf_code", "Code activité"),
                      ("activity", "Activité"), ("procedure", "Procédure"), ("judgment_nature", "Jugement"),
                      ("judgment_date", "Date"), ("url", "Annonce BODACC")]
PRESS_COLUMNS = [("published_at", "Publié le"), ("title", "Titre"), ("sources", "Sources"), ("name", "Entreprise"),
                 ("siren", "SIREN"), ("how", "Reconnue par"), ("evidence", "Indices"), ("url", "Lien")]
INTRODUCTION_COLUMNS = [("rank", "Rang"), ("name_a", "Entreprise A"), ("siren_a", "SIREN A"),
                        ("name_b", "Entreprise B"), ("siren_b", "SIREN B"), ("rule_label", "Règle"),
                        ("reason", "Pourquoi"), ("score", "Score")]
SOURCE_COLUMNS = [("month", "Mois"), ("source", "Origine"), ("etablissements_file", "Fichier des établissements"),
                  ("etablissements_sha256", "SHA-256 des établissements"),
                  ("etablissements_bytes", "Octets (établissements)"),
                  ("unites_legales_file", "Fichier des unités légales"),
                  ("unites_legales_sha256", "SHA-256 des unités légales"),
                  ("unites_legales_bytes", "Octets (unités légales)"), ("loaded_at", "Chargé le"),
                  ("run_id", "Exécution")]


def _press_rows(press: dict) -> list[dict]:
    return [dict(m, title=s["title"], sources=s["sources"], published_at=s["published_at"], url=s["url"])
            for s in press["stories"] for m in s["companies"]]


def annex_tables(context: dict) -> list[tuple[str, str, list[tuple[str, str]], list[dict]]]:
    """(file stem, sheet title, columns, rows) of every table and list of the report, in full."""
    tables = [(lst["annex"].removesuffix(".csv").removeprefix("annexe-"), lst["sheet"], EVENT_COLUMNS, lst["rows"])
              for lst in context["lists"]]
    tables += [
        ("communes", "Communes", COMMUNE_COLUMNS, context["communes"]["rows"]),
        ("activites", "Activités", SECTOR_COLUMNS, context["sectors"]["rows"]),
        ("tendance", "Tendance", TREND_COLUMNS, context["trend"]),
        ("entreprises-en-difficulte", "En difficulté", DIFFICULTY_COLUMNS, context["difficulty"]["rows"]),
        ("presse", "Presse", PRESS_COLUMNS, _press_rows(context["press"])),
        ("mises-en-relation", "Mises en relation", INTRODUCTION_COLUMNS,
         [dict(r, rule_label=RULE_LABELS.get(r["rule"], r["rule"])) for r in context["introductions"]]),
        ("sources", "Sources", SOURCE_COLUMNS, context["sources"]),
    ]
    return tables


def write_annexes(context: dict, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    tables = annex_tables(context)
    written = [write_csv(out_dir / f"annexe-{stem}.csv", columns, rows) for stem, _, columns, rows in tables]
    written.append(write_xlsx(out_dir / "annexes.xlsx", [(title, columns, rows) for _, title, columns, rows in tables]))
    return written
