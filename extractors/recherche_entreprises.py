"""API Recherche d'entreprises (DINUM, no key): enrichment of the territory's companies.

The location filters match ANY establishment of a company, so only `matching_etablissements` located in the
territory count. `page * per_page` may not exceed 10,000 and `total_results` is capped there: queries are
partitioned commune x NAF code list, then split (one code, then headcount bands) when a partition hits the cap.
Names and birth dates of natural-person officers are never kept: only their count, and legal persons' SIRENs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from extractors.api_page import Page, normalise_siren, require_keys
from extractors.http import HttpClient, safe_url
from radar.identifiers import is_valid_siren

log = logging.getLogger("radar.recherche")

SOURCE = "Recherche d'entreprises"
BASE_URL = "https://recherche-entreprises.api.gouv.fr"
RESULT_CAP = 10_000
PER_PAGE = 25
MATCHING_LIMIT = 100
HEADCOUNT_BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")
FLAGS = ("est_ess", "est_societe_mission", "est_entrepreneur_individuel", "est_association", "est_qualiopi",
         "est_organisme_formation", "est_rge", "est_siae", "est_bio", "est_patrimoine_vivant")
_PERSON_FIELDS = ("nom", "prenoms", "annee_de_naissance", "date_de_naissance", "nationalite")


def iter_search_pages(client: HttpClient, params: dict, *, base_url: str = BASE_URL,
                      partition: str = "") -> Iterator[Page]:
    """Every page of one query (page*per_page <= 10,000)."""
    page = 1
    while True:
        query = {**params, "page": page, "per_page": PER_PAGE, "limite_matching_etablissements": MATCHING_LIMIT}
        url = f"{base_url}/search"
        data, raw = client.get_json(url, source=SOURCE, params=query)
        require_keys(data, ("results", "total_results"), source=SOURCE, url=url, raw=raw)
        yield Page("recherche", safe_url(url), query, data, raw, partition)
        total_pages = int(data.get("total_pages") or 0)
        if not data["results"] or page >= total_pages or (page + 1) * PER_PAGE > RESULT_CAP:
            return
        page += 1


def _splits(params: dict) -> list[dict] | None:
    codes = params["activite_principale"].split(",")
    if len(codes) > 1:
        return [{**params, "activite_principale": c} for c in codes]
    if "tranche_effectif_salarie" not in params:
        return [{**params, "tranche_effectif_salarie": b} for b in HEADCOUNT_BANDS]
    return None


def iter_territory_pages(client: HttpClient, communes: Iterable[str], naf_codes: Iterable[str], *,
                         base_url: str = BASE_URL, stats: dict | None = None) -> Iterator[Page]:
    """All pages for commune x NAF code, split further (by headcount band) wherever `total_results` reaches the
    cap."""
    stats = stats if stats is not None else {}
    pending = [{"code_commune": c, "activite_principale": code} for c in communes for code in sorted(naf_codes)]
    while pending:
        params = pending.pop(0)
        name = "|".join(f"{k}={v if len(v) < 20 else str(v.count(',') + 1) + ' codes'}" for k, v in params.items())
        stats["requests_first_pages"] = stats.get("requests_first_pages", 0) + 1
        pages = iter_search_pages(client, params, base_url=base_url, partition=name)
        first = next(pages)
        if int(first.data["total_results"]) >= RESULT_CAP:
            splits = _splits(params)
            if splits:
                log.info("%s: partition %s hits the %d cap: split in %d", SOURCE, name, RESULT_CAP, len(splits))
                stats["splits"] = stats.get("splits", 0) + 1
                pending[:0] = splits
                continue
            log.warning("%s: partition %s still capped at %d results: some companies may be missing",
                        SOURCE, name, RESULT_CAP)
            stats["capped"] = stats.get("capped", 0) + 1
        stats["partitions"] = stats.get("partitions", 0) + 1
        yield first
        yield from pages


def strip_personal(data: Any) -> Any:
    """The payload as it may be landed: natural-person officers reduced to their role and type."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    results = []
    for item in data.get("results") or []:
        if not isinstance(item, dict):
            results.append(item)
            continue
        item = dict(item)
        officers = []
        for d in item.get("dirigeants") or []:
            if isinstance(d, dict) and d.get("type_dirigeant") != "personne morale":
                d = {k: v for k, v in d.items() if k not in _PERSON_FIELDS}
            officers.append(d)
        if "dirigeants" in item:
            item["dirigeants"] = officers
        if (item.get("complements") or {}).get("est_entrepreneur_individuel"):
            for key in ("nom_complet", "nom_raison_sociale"):  # an individual entrepreneur's name is a person's
                if key in item:
                    item[key] = None
        results.append(item)
    out["results"] = results
    return out


def _latest_finances(finances: Any) -> tuple[int | None, int | None, int | None]:
    if not isinstance(finances, dict) or not finances:
        return None, None, None
    years = sorted((y for y in finances if str(y).isdigit()), key=int)
    if not years:
        return None, None, None
    latest = finances[years[-1]] or {}
    return int(years[-1]), latest.get("ca"), latest.get("resultat_net")


def parse_search_results(data: dict, communes: Iterable[str]) -> tuple[list[dict], list[dict]]:
    """(rows, rejects): one row per company with at least one matching establishment in the territory."""
    territory = set(communes)
    rows, rejects = [], []
    for item in data.get("results") or []:
        if not isinstance(item, dict):
            rejects.append({"rule": "not_an_object", "key": None, "raw": item})
            continue
        siren = normalise_siren(item.get("siren"))
        if not is_valid_siren(siren):
            rejects.append({"rule": "siren_invalid", "key": str(item.get("siren")), "raw": strip_personal(
                {"results": [item]})["results"][0]})
            continue
        matching = [e for e in item.get("matching_etablissements") or [] if isinstance(e, dict)
                    and e.get("commune") in territory]
        if not matching:
            continue  # matched through an establishment outside the territory (filters are per company)
        complements = item.get("complements") or {}
        officers = [d for d in item.get("dirigeants") or [] if isinstance(d, dict)]
        year, ca, net = _latest_finances(item.get("finances"))
        personal = bool(complements.get("est_entrepreneur_individuel")) or item.get("nature_juridique") == "1000" \
            or item.get("statut_diffusion") == "P"
        row = {
            "siren": siren,
            # The name the press uses (news linking); a person's name is never kept.
            "nom_complet": None if personal else item.get("nom_complet"),
            "etat_administratif": item.get("etat_administratif"),
            "categorie_entreprise": item.get("categorie_entreprise"),
            "annee_categorie_entreprise": _int(item.get("annee_categorie_entreprise")),
            "nature_juridique": item.get("nature_juridique"),
            "activite_principale": item.get("activite_principale"),
            "naf25": item.get("activite_principale_naf25"),
            "tranche_effectif_salarie": item.get("tranche_effectif_salarie"),
            "finances_year": year,
            "chiffre_affaires": _int(ca),
            "resultat_net": _int(net),
            "finances": item.get("finances") if isinstance(item.get("finances"), dict) else None,
            "nombre_etablissements": _int(item.get("nombre_etablissements")),
            "nombre_etablissements_ouverts": _int(item.get("nombre_etablissements_ouverts")),
            "date_mise_a_jour": item.get("date_mise_a_jour"),
            "dirigeants_count": len(officers),
            "officer_sirens": sorted({s for d in officers if d.get("type_dirigeant") == "personne morale"
                                      and is_valid_siren(s := normalise_siren(d.get("siren")))}),
            "matching_sirets": sorted({str(e.get("siret")) for e in matching if e.get("siret")}),
        }
        for flag in FLAGS:
            value = complements.get(flag)
            row[flag] = bool(value) if value is not None else None
        rows.append(row)
    return rows, rejects


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
