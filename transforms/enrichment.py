"""Recherche d'entreprises enrichment and INSEE deltas: typed frames, one row per SIREN / SIRET."""

from __future__ import annotations

import pandas as pd

from extractors.recherche_entreprises import FLAGS
from transforms.api_frames import latest_per_key, typed_frame
from transforms.sirene import lambert93_to_wgs84
from transforms.text import clean_text_column

ENRICHMENT_DTYPES = {
    "siren": "string", "nom_complet": "string", "etat_administratif": "string", "categorie_entreprise": "string",
    "annee_categorie_entreprise": "Int64", "nature_juridique": "string", "activite_principale": "string",
    "naf25": "string", "tranche_effectif_salarie": "string", "finances_year": "Int64",
    "chiffre_affaires": "Int64", "resultat_net": "Int64", "finances": "json", "nombre_etablissements": "Int64",
    "nombre_etablissements_ouverts": "Int64", "date_mise_a_jour": "timestamp", "dirigeants_count": "Int64",
    "officer_sirens": "list", "matching_sirets": "list", **{f: "boolean" for f in FLAGS},
}

_TEXT = "string"
DELTA_DTYPES = {
    "siret": _TEXT, "siren": _TEXT, "nic": _TEXT, "last_processed_at": "timestamp", "created_on": "date",
    "statut_diffusion": _TEXT, "is_head_office": "boolean", "headcount_band": _TEXT, "headcount_year": _TEXT,
    "period_count": _TEXT, "address_complement": _TEXT, "street_number": _TEXT, "street_number_suffix": _TEXT,
    "street_type": _TEXT, "street_name": _TEXT, "postcode": _TEXT, "commune_name": _TEXT,
    "foreign_commune_name": _TEXT, "special_distribution": _TEXT, "commune_code": _TEXT, "cedex_code": _TEXT,
    "cedex_name": _TEXT, "country_code": _TEXT, "country_name": _TEXT, "address_id": _TEXT,
    "lambert_x": _TEXT, "lambert_y": _TEXT, "state": _TEXT, "period_start": "date", "sign1": _TEXT,
    "sign2": _TEXT, "sign3": _TEXT, "usual_name": _TEXT, "naf_code": _TEXT, "naf_nomenclature": _TEXT,
    "is_employer": _TEXT, "naf25_code": _TEXT, "company_state": _TEXT, "legal_form": _TEXT, "fetched_by": _TEXT,
}
COMPANY_DELTA_DTYPES = {
    "siren": _TEXT, "statut_diffusion": _TEXT, "is_purged": "boolean", "created_on": "date", "sigle": _TEXT,
    "sex": _TEXT, "first_name1": _TEXT, "first_name2": _TEXT, "first_name3": _TEXT, "first_name4": _TEXT,
    "usual_first_name": _TEXT, "pseudonym": _TEXT, "association_id": _TEXT, "headcount_band": _TEXT,
    "headcount_year": _TEXT, "last_processed_at": "timestamp", "period_count": _TEXT, "category": _TEXT,
    "category_year": _TEXT, "state": _TEXT, "last_name": _TEXT, "usage_name": _TEXT, "denomination": _TEXT,
    "usual_name1": _TEXT, "usual_name2": _TEXT, "usual_name3": _TEXT, "legal_form": _TEXT, "naf_code": _TEXT,
    "naf_nomenclature": _TEXT, "head_office_nic": _TEXT, "is_ess": _TEXT, "is_mission_company": _TEXT,
    "is_employer": _TEXT, "naf25_code": _TEXT,
}


def clean_enrichment(rows: list[dict]) -> tuple[pd.DataFrame, int]:
    """A company found in two partitions (two communes, two codes) is kept once: latest update wins."""
    frame = typed_frame(rows, ENRICHMENT_DTYPES)
    return latest_per_key(frame, "siren", "date_mise_a_jour")


_NUMBERS = {"headcount_year": "Int64", "period_count": "Int64", "category_year": "Int64", "lambert_x": "Float64",
            "lambert_y": "Float64"}


def _clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The stock's text rules (NFC, whitespace, "[ND]" and other withheld markers to NULL), then the numbers
    the API sends as text or as numbers."""
    for col in frame.columns:
        if frame[col].dtype == _TEXT:
            frame[col] = clean_text_column(frame[col])
        if col in _NUMBERS:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(_NUMBERS[col])
    return frame


def clean_deltas(rows: list[dict]) -> tuple[pd.DataFrame, int]:
    """One row per SIRET (latest processing wins), cleaned as stock rows are, with WGS84 coordinates."""
    frame = _clean_text(typed_frame(rows, DELTA_DTYPES))
    frame["fetched_by"] = frame["fetched_by"].fillna("territory")
    frame["longitude"], frame["latitude"] = lambert93_to_wgs84(frame["lambert_x"], frame["lambert_y"],
                                                               frame["commune_code"])
    return latest_per_key(frame, "siret", "last_processed_at")


def clean_delta_companies(rows: list[dict]) -> pd.DataFrame:
    """The legal unit block of each delta, one row per SIREN: latest processing of the unit wins."""
    blocks = [r["unite_legale"] for r in rows if r.get("unite_legale")]
    frame = _clean_text(typed_frame(blocks, COMPANY_DELTA_DTYPES))
    return latest_per_key(frame, "siren", "last_processed_at")[0]
