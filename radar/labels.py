"""The French words for the codes the data carries (run statuses, flows, quarantine rules, event kinds, sources),
shared by every output: staff read words, never `strike_off` or `success`. A code without a word here is shown
as « autre (code) », so a new code is visible without breaking a page."""

from __future__ import annotations

RUN_STATUSES = {"success": "réussie", "unchanged": "inchangée (fichiers déjà chargés)", "failed": "échec",
                "skipped": "non lancée (non configurée)"}
FLOWS = {"sirene_month": "Stock SIRENE mensuel", "sirene_historique": "Historique SIRENE",
         "api_recherche": "API Recherche d'entreprises", "api_insee": "API Sirene (mises à jour quotidiennes)",
         "api_bodacc": "Annonces BODACC", "news": "Presse"}
QUARANTINE_RULES = {
    "missing_identifier": "identifiant absent",
    "invalid_siren": "SIREN invalide",
    "invalid_siret": "SIRET invalide",
    "invalid_date": "date illisible",
    "unknown_state": "état administratif inconnu",
    "unknown_naf_code": "code d'activité inconnu",
    "invalid_legal_form": "catégorie juridique mal formée",
    "unknown_headcount_band": "tranche d'effectif inconnue",
}
ENTITIES = {"establishment": "Établissements", "company": "Unités légales",
            "establishment_period": "Périodes d'établissements (fichier historique)"}
EVENT_KINDS = {
    "creation": "Création", "closure": "Fermeture", "move_in": "Arrivée dans le territoire",
    "move_out": "Départ du territoire", "headcount_change": "Changement de tranche d'effectif",
    "sector_change": "Changement d'activité", "insolvency": "Procédure collective", "sale": "Vente ou cession",
    "strike_off": "Radiation", "accounts_filed": "Dépôt des comptes", "press_mention": "Citée dans la presse",
    "press_funding": "Levée de fonds (presse)", "press_acquisition": "Acquisition (presse)",
    "press_hiring": "Recrutements (presse)", "press_closure": "Fermeture (presse)",
}
EVENT_SOURCES = {"sirene": "Répertoire SIRENE", "insee": "INSEE (provisoire)", "bodacc": "BODACC", "press": "Presse"}
LEGAL_FORM_STATUSES = {"current": "en vigueur", "retired": "code supprimé par l'INSEE", "unknown": "code inconnu"}


def word(table: dict[str, str], code: str | None) -> str:
    """The word for `code`; « — » without a code, « autre (code) » for a code the table does not know."""
    if code is None or code == "":
        return "—"
    return table.get(code, f"autre ({code})")


# How a story's mention was linked to a company (article_mention.method): « reconnue par … ».
MENTION_METHODS = {"siren": "son SIREN", "name": "son nom", "alias": "un autre de ses noms", "short_name": "son nom court",
                   "sigle": "son sigle", "name+legal_form": "son nom et sa forme juridique",
                   "name+descriptor": "son nom et sa désignation", "name+full_name": "son nom complet",
                   "name+context": "son nom et le contexte", "sigle+full_name": "son sigle et son nom complet",
                   "initials+full_name": "ses initiales et son nom complet", "brand_extension": "une marque de son nom",
                   "group_brand": "une marque de son groupe"}
