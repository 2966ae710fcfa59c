"""What the company sheet (Fiche entreprise) shows, as SQL on the published snapshot: identity, establishments,
timeline, BODACC notices, press, finances, suggested contacts. Every statement is a constant (prepared against a
real snapshot by tests/reports/test_contract.py); the SIREN is always a bound parameter."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.snapshot import Snapshot

COMPANY_SQL = """
    SELECT siren, display_name, name, sigle, legal_form, legal_form_label, legal_form_status, is_individual,
           naf_code, naf_label, is_tech, headcount_label, category, state, created_on, closed_on, head_office_siret,
           head_office_in_territory, is_ess, is_mission_company
    FROM company WHERE siren = ?"""
ESTABLISHMENTS_SQL = """
    SELECT e.siret, e.sign, e.street_address, e.postcode, e.commune_name, e.naf_label, hb.short_label AS headcount,
           e.is_head_office, e.state, e.created_on, e.closed_on
    FROM establishment e LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band
    WHERE e.siren = ? AND e.in_territory ORDER BY e.is_head_office DESC, e.state, e.siret"""
TIMELINE_SQL = """
    SELECT event_date, month, kind, source, siret, commune_name, from_commune_name, to_commune_name, evidence,
           details
    FROM event WHERE siren = ? ORDER BY event_date DESC NULLS LAST, kind"""
NOTICES_SQL = """
    SELECT published_on, family_label, notice_type, judgment_nature, procedure, tribunal, is_cancelled, url
    FROM notice WHERE siren = ? ORDER BY published_on DESC, notice_id"""
ARTICLES_SQL = """
    SELECT published_at, title, canonical_url AS url, method
    FROM article_mention WHERE siren = ? ORDER BY published_at DESC NULLS LAST LIMIT 200"""
ENRICHMENT_SQL = """
    SELECT categorie_entreprise, annee_categorie_entreprise, finances_year, chiffre_affaires, resultat_net,
           finances, nombre_etablissements, nombre_etablissements_ouverts, dirigeants_count, est_ess,
           est_societe_mission, est_qualiopi, est_organisme_formation, est_rge, est_siae, est_bio,
           est_patrimoine_vivant, date_mise_a_jour
    FROM company_enrichment WHERE siren = ?"""
INTRODUCTIONS_SQL = """
    SELECT i.month, CASE WHEN i.siren_a = ? THEN i.siren_b ELSE i.siren_a END AS siren, c.display_name AS name,
           c.naf_label, i.reason
    FROM introduction i
    JOIN company c ON c.siren = CASE WHEN i.siren_a = ? THEN i.siren_b ELSE i.siren_a END
    WHERE i.siren_a = ? OR i.siren_b = ? ORDER BY i.month DESC, i.rank LIMIT 50"""
LABELS = {"est_ess": "économie sociale et solidaire", "est_societe_mission": "société à mission",
          "est_qualiopi": "certifiée Qualiopi", "est_organisme_formation": "organisme de formation",
          "est_rge": "reconnue garante de l'environnement (RGE)", "est_siae": "structure d'insertion (SIAE)",
          "est_bio": "opérateur bio", "est_patrimoine_vivant": "entreprise du patrimoine vivant"}


def company(s: Snapshot, siren: str) -> dict | None:
    rows = s.rows(COMPANY_SQL, [siren])
    return rows[0] if rows else None


def establishments_of(s: Snapshot, siren: str) -> pd.DataFrame:
    return s.df(ESTABLISHMENTS_SQL, [siren])


def timeline(s: Snapshot, siren: str) -> pd.DataFrame:
    """Every dated fact about the company, from every source, newest first."""
    return s.df(TIMELINE_SQL, [siren])


def notices(s: Snapshot, siren: str) -> pd.DataFrame:
    return s.df(NOTICES_SQL, [siren])


def articles_of(s: Snapshot, siren: str) -> pd.DataFrame:
    return s.df(ARTICLES_SQL, [siren])


def introductions_of(s: Snapshot, siren: str) -> pd.DataFrame:
    return s.df(INTRODUCTIONS_SQL, [siren] * 4)


def enrichment(s: Snapshot, siren: str) -> dict | None:
    rows = s.rows(ENRICHMENT_SQL, [siren])
    return rows[0] if rows else None


def finance_years(found: dict) -> pd.DataFrame:
    """One row per published year: revenue and net result, newest first (the API's JSON of every year)."""
    raw = found.get("finances")
    years = json.loads(raw) if isinstance(raw, str) else (raw or {})
    rows = [{"year": int(y), "revenue": (v or {}).get("ca"), "net_result": (v or {}).get("resultat_net")}
            for y, v in years.items() if str(y).isdigit()]
    if not rows and found.get("finances_year"):
        rows = [{"year": int(found["finances_year"]), "revenue": found.get("chiffre_affaires"),
                 "net_result": found.get("resultat_net")}]
    return pd.DataFrame(sorted(rows, key=lambda r: -r["year"]), columns=["year", "revenue", "net_result"])


def flags(found: dict) -> list[str]:
    return [label for key, label in LABELS.items() if found.get(key)]
