"""Recherche d'entreprises enrichment and INSEE deltas: typed frames, one row per SIREN / SIRET."""

from __future__ import annotations

import pandas as pd

from extractors.recherche_entreprises import FLAGS
from transforms.api_frames import latest_per_key, typed_frame

ENRICHMENT_DTYPES = {
    "siren": "string", "etat_administratif": "string", "categorie_entreprise": "string",
    "annee_categorie_entreprise": "Int64", "nature_juridique": "string", "activite_principale": "string",
    "naf25": "string", "tranche_effectif_salarie": "string", "finances_year": "Int64",
    "chiffre_affaires": "Int64", "resultat_net": "Int64", "finances": "json", "nombre_etablissements": "Int64",
    "nombre_etablissements_ouverts": "Int64", "date_mise_a_jour": "timestamp", "dirigeants_count": "Int64",
    "officer_sirens": "list", "matching_sirets": "list", **{f: "boolean" for f in FLAGS},
}

DELTA_DTYPES = {
    "siret": "string", "siren": "string", "last_processed_at": "timestamp", "created_on": "date",
    "statut_diffusion": "string", "is_head_office": "boolean", "headcount_band": "string",
    "commune_code": "string", "postcode": "string", "state": "string", "period_start": "date",
    "naf_code": "string", "naf25_code": "string", "company_state": "string", "legal_form": "string",
}


def clean_enrichment(rows: list[dict]) -> tuple[pd.DataFrame, int]:
    """A company found in two partitions (two communes, two codes) is kept once: latest update wins."""
    frame = typed_frame(rows, ENRICHMENT_DTYPES)
    return latest_per_key(frame, "siren", "date_mise_a_jour")


def clean_deltas(rows: list[dict]) -> tuple[pd.DataFrame, int]:
    frame = typed_frame(rows, DELTA_DTYPES)
    return latest_per_key(frame, "siret", "last_processed_at")
