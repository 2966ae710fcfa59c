"""INSEE API Sirene 3.11 (optional, only with INSEE_API_KEY): daily deltas of the territory's establishments.

`dateDernierTraitementEtablissement >= cursor` (ties included: the loader upserts on SIRET, so a record seen twice
is loaded once), `curseur` pagination (start `*`, stop when `curseurSuivant == curseur`), `nombre` up to 1000.
No result is a 404, meaning zero rows. The key travels in the X-INSEE-Api-Key-Integration header only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from extractors.api_page import Page, normalise_siren, require_keys
from extractors.http import HttpClient, HttpStatusError, safe_url
from transforms.identifiers import is_valid_siren, is_valid_siret

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
    cursor = "*"
    url = f"{base_url}/siret"
    q = delta_query(since, list(communes))
    while True:
        params = {"q": q, "nombre": page_size, "curseur": cursor, "tri": "siret"}
        try:
            data, raw = client.get_json(url, source=SOURCE, params=params)
        except HttpStatusError as exc:
            if exc.status == 404:  # INSEE's way of saying "no result"
                return
            raise
        require_keys(data, ("header", "etablissements"), source=SOURCE, url=url, raw=raw)
        yield Page("insee", safe_url(url), params, data, raw, since)
        following = (data.get("header") or {}).get("curseurSuivant")
        if not following or following == cursor or not data["etablissements"]:
            return
        cursor = following


def _current_period(item: dict) -> dict:
    periods = item.get("periodesEtablissement") or []
    return periods[0] if periods and isinstance(periods[0], dict) else {}


def parse_establishments(data: dict) -> tuple[list[dict], list[dict]]:
    """(rows, rejects) from a /siret page; rejects carry the rule name."""
    rows, rejects = [], []
    for item in data.get("etablissements") or []:
        if not isinstance(item, dict):
            rejects.append({"rule": "not_an_object", "key": None, "raw": item})
            continue
        siren = normalise_siren(item.get("siren"))
        siret = item.get("siret")
        siret = str(siret).zfill(14) if isinstance(siret, int) else normalise_siren(siret)
        period = _current_period(item)
        address = item.get("adresseEtablissement") or {}
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
            rejects.append({"rule": rule, "key": str(siret or siren), "raw": item})
            continue
        rows.append({
            "siret": siret,
            "siren": siren,
            "last_processed_at": item.get("dateDernierTraitementEtablissement"),
            "created_on": item.get("dateCreationEtablissement"),
            "statut_diffusion": item.get("statutDiffusionEtablissement"),
            "is_head_office": item.get("etablissementSiege"),
            "headcount_band": item.get("trancheEffectifsEtablissement"),
            "commune_code": address.get("codeCommuneEtablissement"),
            "postcode": address.get("codePostalEtablissement"),
            "state": period.get("etatAdministratifEtablissement"),
            "period_start": period.get("dateDebut"),
            "naf_code": period.get("activitePrincipaleEtablissement"),
            "naf25_code": item.get("activitePrincipaleNAF25Etablissement"),
            "company_state": unit.get("etatAdministratifUniteLegale"),
            "legal_form": unit.get("categorieJuridiqueUniteLegale"),
        })
    return rows, rejects


def max_processed(rows: list[dict]) -> str | None:
    values = [r["last_processed_at"] for r in rows if r.get("last_processed_at")]
    return max(values) if values else None


def strip_personal(data: Any) -> Any:
    """INSEE already masks non-diffusible units ("[ND]"); nothing else to remove."""
    return data
