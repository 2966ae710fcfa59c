"""BODACC (DILA, Opendatasoft Explore API v2.1, no key): legal notices of the territory's companies.

Incremental runs read `/records` by `dateparution` window, inside its `offset + limit <= 10,000` window: a window
with more notices is halved, and a single day that still overflows (or a backfill) goes through `/exports`, which
has no cap. Nested blocks (`jugement`, `acte`, `listepersonnes`, ...) are JSON *strings*; `registre` holds the
SIREN twice ("833310592", "833 310 592"). Names of natural persons never leave this module: `commercant` and
the names in `listepersonnes` are removed before landing and never parsed into rows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from extractors.api_page import Page, normalise_siren, require_keys
from extractors.http import HttpClient, UnexpectedContent, safe_url
from radar.identifiers import is_valid_siren

log = logging.getLogger("radar.bodacc")

SOURCE = "BODACC"
BASE_URL = "https://bodacc-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/annonces-commerciales"
LIMIT = 100
WINDOW_CAP = 10_000
FAMILIES = {
    "creation": "Créations", "immatriculation": "Immatriculations", "vente": "Ventes et cessions",
    "collective": "Procédures collectives", "conciliation": "Procédures de conciliation",
    "retablissement_professionnel": "Procédures de rétablissement professionnel",
    "modification": "Modifications diverses", "radiation": "Radiations", "dpc": "Dépôts des comptes",
    "divers": "Annonces diverses",
}
NESTED = ("jugement", "acte", "listepersonnes", "listeetablissements", "radiationaurcs", "depot",
          "modificationsgenerales", "listeprecedentexploitant", "listeprecedentproprietaire", "divers",
          "parutionavisprecedent")
_PERSON_KEYS = ("nom", "prenom", "prenoms", "nomUsage", "pseudonyme", "nomCommercial", "dateNaissance",
                "lieuNaissance", "nationalite")
_MONTHS = {m: i for i, m in enumerate(("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                       "septembre", "octobre", "novembre", "décembre"), start=1)}


def where_clause(postcodes: Iterable[str], start: date, end: date) -> str:
    cps = ", ".join(f'"{p}"' for p in sorted(set(postcodes)))
    return f"cp IN ({cps}) AND dateparution >= date'{start.isoformat()}' AND dateparution < date'{end.isoformat()}'"


def iter_record_pages(client: HttpClient, postcodes: Iterable[str], start: date, end: date, *,
                      base_url: str = BASE_URL, stats: dict | None = None) -> Iterator[Page]:
    """Notices published in [start, end): /records pages, halving windows that exceed the 10,000 window."""
    postcodes = sorted(set(postcodes))
    stats = stats if stats is not None else {}
    pending = [(start, end)]
    while pending:
        lo, hi = pending.pop(0)
        if lo >= hi:
            continue
        params = {"where": where_clause(postcodes, lo, hi), "order_by": "dateparution, id", "limit": LIMIT,
                  "offset": 0}
        first = _get_records(client, base_url, params, f"{lo}..{hi}")
        total = int(first.data["total_count"])
        if total > WINDOW_CAP:
            if (hi - lo).days > 1:
                mid = lo + (hi - lo) // 2
                pending[:0] = [(lo, mid), (mid, hi)]
                stats["splits"] = stats.get("splits", 0) + 1
            else:
                stats["exports"] = stats.get("exports", 0) + 1
                yield export_page(client, postcodes, lo, hi, base_url=base_url)
            continue
        yield first
        offset = LIMIT
        while offset < total and offset + LIMIT <= WINDOW_CAP:
            page = _get_records(client, base_url, {**params, "offset": offset}, f"{lo}..{hi}")
            if not page.data["results"]:
                break
            yield page
            offset += LIMIT


def _get_records(client: HttpClient, base_url: str, params: dict, partition: str) -> Page:
    url = f"{base_url}/records"
    data, raw = client.get_json(url, source=SOURCE, params=params)
    require_keys(data, ("total_count", "results"), source=SOURCE, url=url, raw=raw)
    return Page("bodacc", safe_url(url), params, data, raw, partition)


def export_page(client: HttpClient, postcodes: Iterable[str], start: date, end: date, *,
                base_url: str = BASE_URL) -> Page:
    """One /exports/json document for [start, end) (no 10,000 cap: for backfills), shaped like a /records page."""
    url = f"{base_url}/exports/json"
    params = {"where": where_clause(postcodes, start, end), "order_by": "dateparution, id"}
    data, raw = client.get_json(url, source=SOURCE, params=params, max_bytes=500 * 1024 * 1024)
    if not isinstance(data, list):
        raise UnexpectedContent(f"{SOURCE} export returned {type(data).__name__}, expected a JSON array "
                                f"(GET {safe_url(url)})", source=SOURCE, url=safe_url(url), cause="schema",
                                body=raw)
    return Page("bodacc", safe_url(url), params, {"total_count": len(data), "results": data}, raw,
                f"{start}..{end} export")


def incremental_window(cursor: str | None, today: date, *, lookback_days: int = 7,
                       first_run_days: int = 90) -> tuple[date, date]:
    """[start, end) for an incremental run: from the last loaded publication date minus a look-back (late notices
    are published with an earlier date), up to tomorrow. Notices seen again are upserted, never duplicated."""
    start = date.fromisoformat(cursor) - timedelta(days=lookback_days) if cursor else today - timedelta(
        days=first_run_days)
    return start, today + timedelta(days=1)


# ----------------------------------------------------------------------------------------------------------------
# Parsing


def nested(value: Any) -> Any:
    """A nested block: JSON string -> object; null, '' and broken JSON -> None."""
    if value is None or isinstance(value, (dict, list)):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def _persons(block: Any) -> list[dict]:
    """`listepersonnes` is {"personne": {...}} or {"personne": [...]} or a list of those."""
    block = nested(block)
    items = block if isinstance(block, list) else [block]
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        person = item.get("personne", item)
        out.extend(p for p in (person if isinstance(person, list) else [person]) if isinstance(p, dict))
    return out


def _strip_person(p: dict) -> dict:
    if p.get("typePersonne") == "pm":
        return p
    return {k: v for k, v in p.items() if k not in _PERSON_KEYS and k != "denomination"}


def strip_personal_record(record: dict) -> dict:
    """A record without natural persons' names: listepersonnes reduced, commercant dropped unless a legal person."""
    out = dict(record)
    persons = _persons(record.get("listepersonnes"))
    if "listepersonnes" in record and record.get("listepersonnes") is not None:
        out["listepersonnes"] = json.dumps({"personne": [_strip_person(p) for p in persons]}, ensure_ascii=False)
    if not persons or any(p.get("typePersonne") != "pm" for p in persons):
        out.pop("commercant", None)
    for key in ("listeprecedentexploitant", "listeprecedentproprietaire"):
        if record.get(key) is not None:
            out[key] = json.dumps({"personne": [_strip_person(p) for p in _persons(record[key])]},
                                  ensure_ascii=False)
    return out


def strip_personal(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return {**data, "results": [strip_personal_record(r) if isinstance(r, dict) else r
                                    for r in data["results"]]}
    return data


def siren_from_registre(value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    for v in values:
        siren = normalise_siren(v)
        if siren and siren.isdigit() and len(siren) < 9 and isinstance(v, int):
            siren = siren.zfill(9)
        if is_valid_siren(siren):
            return siren
    return None


def parse_french_date(value: Any) -> str | None:
    """ISO dates as they are; "10 juillet 2026" / "1er mars 2026" to ISO; anything else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]):
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})(?:er)?\s+(\S+)\s+(\d{4})", text.lower())
    if m and m.group(2) in _MONTHS:
        try:
            return date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))).isoformat()
        except ValueError:
            return None
    return None


def procedure_of(nature: str | None) -> str | None:
    text = (nature or "").lower()
    for name in ("sauvegarde", "redressement", "liquidation"):
        if name in text:
            return name
    return None


def notice_type_of(typeavis: Any) -> str:
    text = str(typeavis or "").lower()
    if "rectif" in text:
        return "rectificatif"
    if "annul" in text:
        return "annulation"
    return "initial"


def previous_notice_id(block: Any) -> str | None:
    """The id of the notice a rectificatif or annulation refers to: bulletin letter + parution + number."""
    ref = nested(block)
    if not isinstance(ref, dict):
        return None
    letter = str(ref.get("nomPublication") or "").strip()[-1:].upper()
    parution, number = ref.get("numeroParution"), ref.get("numeroAnnonce")
    if not (letter and parution and number):
        return None
    return f"{letter}{parution}{number}"


def parse_records(data: dict) -> tuple[list[dict], list[dict]]:
    """(rows, rejects) from a /records page (or an export shaped like one). Rows carry no personal name."""
    rows, rejects = [], []
    for rec in data.get("results") or []:
        if not isinstance(rec, dict):
            rejects.append({"rule": "not_an_object", "key": None, "raw": rec})
            continue
        rec = strip_personal_record(rec)
        notice_id = rec.get("id")
        family = rec.get("familleavis")
        published = parse_french_date(rec.get("dateparution"))
        rule = None
        if not notice_id:
            rule = "notice_id_missing"
        elif family not in FAMILIES:
            rule = "family_unknown"
        elif published is None:
            rule = "published_on_invalid"
        if rule:
            rejects.append({"rule": rule, "key": str(notice_id), "raw": rec})
            continue
        judgment = nested(rec.get("jugement")) or {}
        judgment = judgment if isinstance(judgment, dict) else {}
        deposit = nested(rec.get("depot")) or {}
        strike = nested(rec.get("radiationaurcs")) or {}
        nature = judgment.get("nature")
        rows.append({
            "notice_id": str(notice_id),
            "published_on": published,
            "parution": str(rec.get("parution") or ""),
            "bulletin": rec.get("publicationavis"),
            "family": family,
            "family_label": rec.get("familleavis_lib") or FAMILIES[family],
            "notice_type": notice_type_of(rec.get("typeavis") or rec.get("typeavis_lib")),
            "previous_notice_id": previous_notice_id(rec.get("parutionavisprecedent")),
            "siren": siren_from_registre(rec.get("registre")),
            "tribunal": rec.get("tribunal"),
            "postcode": str(rec["cp"]).zfill(5) if isinstance(rec.get("cp"), int) else rec.get("cp"),
            "city": rec.get("ville"),
            "judgment_family": judgment.get("famille"),
            "judgment_nature": nature,
            "judgment_date": parse_french_date(judgment.get("date")),
            "procedure": procedure_of(nature) if family == "collective" else None,
            "deposit_type": deposit.get("typeDepot") if isinstance(deposit, dict) else None,
            "accounts_closing_date": parse_french_date(deposit.get("dateCloture")) if isinstance(deposit, dict)
            else None,
            "strike_off": bool(strike) if family == "radiation" else None,
            "url": rec.get("url_complete"),
        })
    return rows, rejects
