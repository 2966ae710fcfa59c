"""Data dictionary of the API sources' published tables (merged into warehouse.dictionary)."""

from __future__ import annotations

_SIREN = "SIREN of the legal unit: 9 digits, text (leading zeros kept)"
_NOTICE = "BODACC notice id (bulletin letter + parution number + notice number), e.g. A202002333642"
_PROC = "Collective procedure read from the judgment's nature: sauvegarde, redressement or liquidation"

ENTRIES: dict[str, tuple[str, dict[str, str]]] = {
    "notice": ("One row per BODACC notice published for the territory's postcodes (API Explore v2.1, DILA). "
               "No personal name: the names of natural persons in notices are never stored.", {
        "notice_id": _NOTICE,
        "published_on": "Publication date in the BODACC (dateparution)",
        "family": "Notice family code: creation, immatriculation, vente, collective, conciliation, modification, "
                  "radiation, dpc, ...",
        "family_label": "Label of the notice family, as published",
        "notice_type": "initial, rectificatif (corrects an earlier notice) or annulation (cancels one)",
        "is_cancelled": "True when a later rectificatif or annulation supersedes this notice, or when this notice "
                        "is itself an annulation: do not count it",
        "siren": _SIREN + ", read from the notice's registre; NULL when the notice gives none",
        "tribunal": "Court registry that filed the notice",
        "postcode": "Postcode of the notice",
        "city": "City of the notice, as published (spelling varies)",
        "judgment_nature": "Nature of the judgment (collective procedures), as published",
        "judgment_date": "Date of the judgment (collective procedures)",
        "procedure": _PROC + "; NULL for other families",
        "url": "Link to the notice on bodacc.fr",
    }),
    "company_in_difficulty": ("Companies of the territory (tech or not) whose latest collective-procedure "
                              "judgment in the BODACC opens or continues a procedure (not a closure), with that "
                              "judgment.", {
        "siren": _SIREN,
        "name": "Company name from the registry (NULL for a partially diffusible individual entrepreneur)",
        "display_name": "The name outputs show (company.display_name)",
        "commune_code": "INSEE code of the commune of the head office if in the territory, else of an "
                        "establishment in the territory",
        "naf_code": "Main activity code of the company (NAF rev.2, with the dot)",
        "is_tech": "True when the activity code is in the territory's default sector set",
        "procedure": _PROC,
        "judgment_nature": "Nature of the latest judgment, as published",
        "judgment_date": "Date of the latest judgment",
        "notice_id": _NOTICE + " of the latest judgment",
        "url": "Link to that notice on bodacc.fr",
    }),
    "company_enrichment": ("One row per company of the territory found in the API Recherche d'entreprises "
                           "(DINUM), with at least one matching establishment in the territory. Officers are "
                           "counted; only legal-person officers are identified (by SIREN).", {
        "siren": _SIREN,
        "categorie_entreprise": "Size category computed by INSEE: PME, ETI or GE",
        "annee_categorie_entreprise": "Year of the size category",
        "nature_juridique": "INSEE legal form code (4 digits)",
        "naf25": "Main activity in the NAF 2025 nomenclature, when the API gives it",
        "finances_year": "Latest financial year published",
        "chiffre_affaires": "Turnover of the latest year, in euros",
        "resultat_net": "Net result of the latest year, in euros",
        "finances": "All published years as JSON: {\"YYYY\": {\"ca\": euros, \"resultat_net\": euros}}",
        "est_ess": "Member of the social and solidarity economy",
        "est_societe_mission": "Société à mission",
        "est_entrepreneur_individuel": "Individual entrepreneur",
        "est_association": "Association",
        "est_qualiopi": "Qualiopi-certified training body",
        "est_organisme_formation": "Registered training body",
        "est_rge": "RGE-certified (energy renovation)",
        "est_siae": "Work-integration social enterprise (SIAE)",
        "est_bio": "Certified organic operator",
        "est_patrimoine_vivant": "Entreprise du patrimoine vivant label",
        "nombre_etablissements": "Number of establishments of the company (all places)",
        "nombre_etablissements_ouverts": "Number of open establishments of the company",
        "date_mise_a_jour": "Last update of the company in the API",
        "dirigeants_count": "Number of officers (natural and legal persons); their names are never stored",
        "officer_sirens": "SIRENs of the officers that are legal persons",
        "fetched_at": "When the radar fetched this row",
    }),
}
