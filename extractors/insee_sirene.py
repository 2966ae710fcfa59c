"""INSEE API Sirene 3.11 (optional, only with INSEE_API_KEY): daily deltas of the territory's establishments.

`dateDernierTraitementEtablissement >= cursor` (ties included: the loader upserts on SIRET, so a record seen twice
is loaded once), `curseur` pagination (start `*`, stop when `curseurSuivant == curseur`), `nombre` up to 1000.
No result is a 404, meaning zero rows. The key travels in the X-INSEE-Api-Key-Integration header only.
`q=siren:...` fetches one company's establishments anywhere: the side of a head office transfer outside the
territory. Records are parsed with the stock's column mapping (the stock file is the flattened API record).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from extractors.api_page import Page, normalise_siren, require_keys
from extractors.http import HttpClient, HttpStatusError, safe_url
from radar.identifiers import is_valid_siren, is_valid_siret
from radar.sirene_schema import (
    ETABLISSEMENT_FIELDS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_FIELDS,
)

SOURCE = "INSEE API"
BASE_URL = "https://api.insee.fr/api-sirene/3.11"
KEY_HEADER = "X-INSEE-Api-Key-Integration"
KEY_ENV = "INSEE_API_KEY"
PAGE_SIZE = 1000
STATES = frozenset({"A", "F"})


def api_key_headers(environ: dict | None = None) -> dict[str, str] | None:
    """The secret header, or None when no key is configured (the INSEE source is then skipped)."""
    key = (environ if environ is not None else os.environ).get(KEY_ENV, "").strip()
    return {KEY_HEADER: key} if key else None


def delta_query(since: str, communes: Iterable[str]) -> str:
    where = " OR ".join(f"codeCommuneEtablissement:{c}" for c in communes)
    return f"dateDernierTraitementEtablissement:[{since} TO *] AND ({where})"


def iter_delta_pages(client: HttpClient, since: str, communes: Iterable[str], *, base_url: str = BASE_URL,
                     page_size: int = PAGE_SIZE) -> Iterator[Page]:
    """Pages of establishments processed at or after `since` (YYYY-MM-DDTHH:MM:SS or a date)."""
    yield from _iter_pages(client, delta_query(since, list(communes)), since, base_url=base_url,
                           page_size=page_size)


def iter_company_pages(client: HttpClient, siren: str, *, base_url: str = BASE_URL,
                       page_size: int = PAGE_SIZE) -> Iterator[Page]:
    """Pages of every establishment of one company, anywhere: where a head office went, or came from."""
    yield from _iter_pages(client, f"siren:{siren}", f"siren:{siren}", base_url=base_url, page_size=page_size)


def _iter_pages(client: HttpClient, q: str, partition: str, *, base_url: str, page_size: int) -> Iterator[Page]:
    cursor = "*"
    url = f"{base_url}/siret"
    while True:
        params = {"q": q, "nombre": page_size, "curseur": cursor, "tri": "siret"}
        try:
            data, raw = client.get_json(url, source=SOURCE, params=params)
        except HttpStatusError as exc:
            if exc.status == 404:  # INSEE's way of saying "no result"
                return
            raise
        require_keys(data, ("header", "etablissements"), source=SOURCE, url=url, raw=raw)
        yield Page("insee", safe_url(url), params, data, raw, partition)
        following = (data.get("header") or {}).get("curseurSuivant")
        if not following or following == cursor or not data["etablissements"]:
            return
        cursor = following


def _current_period(item: dict) -> dict:
    periods = item.get("periodesEtablissement") or []
    return periods[0] if periods and isinstance(periods[0], dict) else {}


def _flat(item: dict) -> dict:
    """The record as one stock-file row (the stock is the flattened API record): top level, current address,
    current period."""
    return {**_current_period(item), **(item.get("adresseEtablissement") or {}),
            **{k: v for k, v in item.items() if not isinstance(v, (dict, list))}}


def parse_establishments(data: dict) -> tuple[list[dict], list[dict]]:
    """(rows, rejects) from a /siret page; rows use the warehouse's column names (the stock's mapping), plus the
    legal unit block under "unite_legale"; rejects carry the rule name."""
    rows, rejects = [], []
    for item in data.get("etablissements") or []:
        if not isinstance(item, dict):
            rejects.append({"rule": "not_an_object", "key": None, "raw": item})
            continue
        siren = normalise_siren(item.get("siren"))
        siret = item.get("siret")
        siret = str(siret).zfill(14) if isinstance(siret, int) else normalise_siren(siret)
        period = _current_period(item)
        unit = item.get("uniteLegale") or {}
        rule = None
        if not is_valid_siren(siren):
            rule = "siren_invalid"
        elif not is_valid_siret(siret) or not siret.startswith(siren):
            rule = "siret_invalid"
        elif not item.get("dateDernierTraitementEtablissement"):
            rule = "last_processed_missing"
        elif period.get("etatAdministratifEtablissement") not in STATES:
            rule = "state_invalid"
        if rule:
            rejects.append({"rule": rule, "key": str(siret or siren), "raw": mask_personal(item)})
            continue
        flat = _flat(item)
        row = {col: flat.get(field) for field, col in ETABLISSEMENT_FIELDS.items()}
        row.update(siret=siret, siren=siren, nic=siret[9:], company_state=unit.get("etatAdministratifUniteLegale"),
                   legal_form=unit.get("categorieJuridiqueUniteLegale"))
        company = {col: unit.get(field) for field, col in UNITE_LEGALE_FIELDS.items() if field in unit}
        # A unit block without its own status inherits a withheld establishment's: never less private.
        company.update(siren=siren, statut_diffusion=unit.get("statutDiffusionUniteLegale") or (
            "P" if row["statut_diffusion"] == "P" else None))
        company.setdefault("last_processed_at", row["last_processed_at"])
        row["unite_legale"] = company
        rows.append(row)
    return rows, rejects


def max_processed(rows: list[dict]) -> str | None:
    values = [r["last_processed_at"] for r in rows if r.get("last_processed_at")]
    return max(values) if values else None


def mask_personal(item: Any) -> Any:
    """The stock's rule on an API record: personal fields of a unit whose statutDiffusion is P become "[ND]"
    (INSEE already sends them so; this keeps it true whatever the response holds)."""
    if not isinstance(item, dict):
        return item
    out = dict(item)
    if out.get("statutDiffusionEtablissement") == "P":
        for block in ("adresseEtablissement", "adresse2Etablissement"):
            if isinstance(out.get(block), dict):
                out[block] = _masked(out[block], PERSONAL_ETABLISSEMENT)
        if isinstance(out.get("periodesEtablissement"), list):
            out["periodesEtablissement"] = [_masked(p, PERSONAL_ETABLISSEMENT) if isinstance(p, dict) else p
                                            for p in out["periodesEtablissement"]]
        out = _masked(out, PERSONAL_ETABLISSEMENT)
    unit = out.get("uniteLegale")
    if isinstance(unit, dict) and "P" in (unit.get("statutDiffusionUniteLegale"),
                                          out.get("statutDiffusionEtablissement")):
        out["uniteLegale"] = _masked(unit, PERSONAL_UNITE_LEGALE)
    return out


def _masked(block: dict, fields: tuple[str, ...]) -> dict:
    return {k: "[ND]" if k in fields and v is not None else v for k, v in block.items()}


def strip_personal(data: Any) -> Any:
    """What the landing zone keeps of a /siret page: every record masked as the stock masks P units."""
    if isinstance(data, dict) and isinstance(data.get("etablissements"), list):
        return {**data, "etablissements": [mask_personal(e) for e in data["etablissements"]]}
    return data
