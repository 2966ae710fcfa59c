"""Reference tables (NAF codes, headcount bands, legal forms, the territory's communes and sector sets)."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources

import duckdb
import pandas as pd

from radar.config import Territory
from transforms.sirene import Reference
from warehouse.frames import insert_frame

# NAF divisions (first two digits) to sections, from the INSEE nomenclature.
_SECTION_RANGES = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]
# Employees per band (min, max), rank orders the bands for "moved up / down".
HEADCOUNT_BANDS = {
    "NN": (0, 0, 0), "00": (1, 0, 0), "01": (2, 1, 2), "02": (3, 3, 5), "03": (4, 6, 9), "11": (5, 10, 19),
    "12": (6, 20, 49), "21": (7, 50, 99), "22": (8, 100, 199), "31": (9, 200, 249), "32": (10, 250, 499),
    "41": (11, 500, 999), "42": (12, 1000, 1999), "51": (13, 2000, 4999), "52": (14, 5000, 9999),
    "53": (15, 10000, None),
}
# INSEE's labels run to two lines ("Unité non employeuse (pas de salarié au cours de l'année...)"): a table column
# of employees needs a word or two.
HEADCOUNT_SHORT_LABELS = {
    "NN": "Aucun salarié", "00": "0 salarié au 31/12", "01": "1 ou 2 salariés", "02": "3 à 5 salariés",
    "03": "6 à 9 salariés", "11": "10 à 19 salariés", "12": "20 à 49 salariés", "21": "50 à 99 salariés",
    "22": "100 à 199 salariés", "31": "200 à 249 salariés", "32": "250 à 499 salariés", "41": "500 à 999 salariés",
    "42": "1 000 à 1 999 salariés", "51": "2 000 à 4 999 salariés", "52": "5 000 à 9 999 salariés",
    "53": "10 000 salariés et plus",
}
SHORT_LABEL_WIDTH = 40


def _json(name: str) -> dict[str, str]:
    return json.loads(resources.files("radar.reference").joinpath(name).read_text(encoding="utf-8"))


def _clean_label(label: str) -> str:
    """The source labels carry stray commas from line wrapping ("et de ,logiciels") and HTML entities
    ("sociétale&nbsp;à"): plain text with single spaces."""
    label = re.sub(r"\s+,(?=\S)", " ", " ".join(html.unescape(label).split()))
    return re.sub(r"\s*,\s*,\s*", ", ", label).strip(" ,")


def short_label(label: str, width: int = SHORT_LABEL_WIDTH) -> str:
    """The label without its parenthetical remarks, cut at a word within `width` characters."""
    text = " ".join(re.sub(r"\s*\([^)]*\)", "", label).split()).strip(" ,")
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def naf_section(code: str) -> str | None:
    try:
        division = int(code[:2])
    except ValueError:
        return None
    return next((s for s, lo, hi in _SECTION_RANGES if lo <= division <= hi), None)


@lru_cache(maxsize=1)
def reference_frames() -> dict[str, pd.DataFrame]:
    naf = _json("codes-NAF.json")
    sections = _json("sections-codes-NAF.json")
    bands = _json("tranches-effectifs.json")
    short = _json("naf-libelles-courts.json")
    forms = _json("natures-juridiques.json")
    # Retired codes still carried by older units: labelled, and flagged as retired.
    retired = {code: label for code, label in _json("natures-juridiques-retired.json").items() if code not in forms}
    naf_df = pd.DataFrame({"code": list(naf), "label": [_clean_label(v) for v in naf.values()]})
    naf_df["short_label"] = [short.get(code) or short_label(label) for code, label in zip(naf_df["code"],
                                                                                        naf_df["label"])]
    naf_df["section"] = naf_df["code"].map(naf_section)
    naf_df["section_label"] = naf_df["section"].map(sections)
    band_df = pd.DataFrame(
        [(code, _clean_label(bands.get(code, code)), HEADCOUNT_SHORT_LABELS[code], r, lo, hi)
         for code, (r, lo, hi) in HEADCOUNT_BANDS.items()],
        columns=["code", "label", "short_label", "rank", "min_employees", "max_employees"],
    ).astype({"min_employees": "Int64", "max_employees": "Int64"})
    form_df = pd.DataFrame({"code": list(forms) + list(retired),
                            "label": [_clean_label(v) for v in [*forms.values(), *retired.values()]],
                            "is_retired": [False] * len(forms) + [True] * len(retired)})
    return {"naf": naf_df.astype("string"), "headcount_band": band_df,
            "legal_form": form_df.astype({"code": "string", "label": "string"})}


def reference_sets() -> Reference:
    frames = reference_frames()
    return Reference(
        naf_rev2=frozenset(frames["naf"]["code"]),
        headcount_bands=frozenset(frames["headcount_band"]["code"]),
        legal_forms=frozenset(frames["legal_form"]["code"]),
    )


def load_reference(con: duckdb.DuckDBPyConnection, territory: Territory) -> None:
    """Replace the reference tables; run inside the load's transaction so they change with the data."""
    frames = dict(reference_frames())
    frames["commune"] = pd.DataFrame({
        "code": [c.code for c in territory.communes],
        "name": [c.name for c in territory.communes],
        "postcodes": [list(c.postcodes) for c in territory.communes],
    })
    rows = []
    for s in territory.sector_sets.values():
        rows += [(s.name, s.label, "NAFRev2", code, s.name == territory.default_sector) for code in sorted(s.naf_rev2)]
        rows += [(s.name, s.label, "NAF2025", code, s.name == territory.default_sector) for code in sorted(s.naf_2025)]
    frames["sector"] = pd.DataFrame(rows, columns=["set_name", "set_label", "nomenclature", "naf_code", "is_default"])
    for table, frame in frames.items():
        con.execute(f"DELETE FROM ref.{table}")
        insert_frame(con, f"ref.{table}", frame)
