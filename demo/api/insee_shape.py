"""The shape of an INSEE API Sirene 3.11 /siret record, assembled from flat fields named as in the stock files
(the stock is the flattened API record): top-level fields, the legal unit's current block, both address blocks
and the periods, the current one first."""

from __future__ import annotations

from radar.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

PERIOD_FIELDS = ("dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
                 "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
                 "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement")
ADDRESS2_FIELDS = tuple(c for c in ETABLISSEMENT_COLUMNS if "2Etablissement" in c)
ADDRESS_FIELDS = tuple(c for c in ETABLISSEMENT_COLUMNS[ETABLISSEMENT_COLUMNS.index("complementAdresseEtablissement"):
                                                        ETABLISSEMENT_COLUMNS.index("dateDebut")]
                       if c not in ADDRESS2_FIELDS)
TOP_FIELDS = tuple(c for c in ETABLISSEMENT_COLUMNS if c not in PERIOD_FIELDS + ADDRESS_FIELDS + ADDRESS2_FIELDS)
# The /siret record's uniteLegale block has the unit's current values only: no period, no period count.
UNIT_FIELDS = tuple(c for c in UNITE_LEGALE_COLUMNS if c not in ("siren", "dateDebut", "nombrePeriodesUniteLegale"))
_CHANGES = ("EtatAdministratifEtablissement", "EnseigneEtablissement", "DenominationUsuelleEtablissement",
            "ActivitePrincipaleEtablissement", "CaractereEmployeurEtablissement")


def siret_record(etab: dict, unit: dict | None = None) -> dict:
    """`etab` and `unit` map stock column names to JSON values (missing ones are null, as the API sends them)."""
    record = {c: etab.get(c) for c in TOP_FIELDS}
    record["uniteLegale"] = {c: unit.get(c) for c in UNIT_FIELDS} if unit else {}
    record["adresseEtablissement"] = {c: etab.get(c) for c in ADDRESS_FIELDS}
    record["adresse2Etablissement"] = {c: etab.get(c) for c in ADDRESS2_FIELDS}
    period = {"dateFin": None, **{c: etab.get(c) for c in PERIOD_FIELDS}, **{f"changement{k}": False for k in _CHANGES}}
    record["periodesEtablissement"] = [period]
    return record
