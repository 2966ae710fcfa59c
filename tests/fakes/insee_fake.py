"""Loopback fake of the INSEE API Sirene 3.11 /siret: the daily query by commune and the query by SIREN, curseur
pagination sorted by SIRET, 404 when empty, 401 without the right key in X-INSEE-Api-Key-Integration, scripted
faults by request number, rows added between runs. `from_stock` builds the record of a stock-shaped row."""

from __future__ import annotations

from extractors.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS
from radar.demo.api.emulators import InseeEmulator, RateWindow
from tests.fakes.http_server import FakeServer, Reply
from tests.fakes.recherche_fake import EmulatedRoute
from transforms.identifiers import luhn_ok


def valid_siren(n: int) -> str:
    """The n-th SIREN (from 100000000) that passes Luhn."""
    base = 100_000_000 + n * 10
    return next(str(v) for v in range(base, base + 10) if luhn_ok(str(v)))


def siret_of(siren: str, k: int = 1) -> str:
    for nic in range(k * 10, k * 10 + 10):
        s = f"{siren}{nic:05d}"
        if luhn_ok(s):
            return s
    raise AssertionError


def etablissement(siren: str, processed: str, commune: str = "92040", *, k: int = 1, state: str = "A",
                  **extra) -> dict:
    record = {
        "siren": siren, "nic": siret_of(siren, k)[9:], "siret": siret_of(siren, k),
        "statutDiffusionEtablissement": "O", "dateCreationEtablissement": "2020-01-02",
        "trancheEffectifsEtablissement": "NN", "anneeEffectifsEtablissement": None,
        "activitePrincipaleRegistreMetiersEtablissement": None, "dateDernierTraitementEtablissement": processed,
        "etablissementSiege": True, "nombrePeriodesEtablissement": 1,
        "uniteLegale": {"etatAdministratifUniteLegale": "A", "categorieJuridiqueUniteLegale": "5710",
                        "denominationUniteLegale": f"SOCIETE {siren}"},
        "adresseEtablissement": {"codePostalEtablissement": "92130", "codeCommuneEtablissement": commune,
                                 "libelleCommuneEtablissement": "ISSY-LES-MOULINEAUX"},
        "periodesEtablissement": [{"dateFin": None, "dateDebut": "2020-01-02", "etatAdministratifEtablissement": state,
                                   "activitePrincipaleEtablissement": "62.01Z",
                                   "nomenclatureActivitePrincipaleEtablissement": "NAFRev2"}],
    }
    record.update(extra)
    return record


def serve(server: FakeServer, establishments: list[dict], *, key: str | None = None,
          faults: dict[int, Reply] | None = None) -> EmulatedRoute:
    route = EmulatedRoute(InseeEmulator(establishments, key=key, rate=RateWindow(None)), faults=faults)
    server.route("/siret", route)
    return route


# -- API 3.11 records from stock-shaped rows (tests.builders): the same facts a later stock file will show ------

_PERIOD = ("dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
           "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
           "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement")
_ADDRESS2 = tuple(c for c in ETABLISSEMENT_COLUMNS if "2Etablissement" in c)
_ADDRESS = tuple(c for c in ETABLISSEMENT_COLUMNS[ETABLISSEMENT_COLUMNS.index("complementAdresseEtablissement"):
                                                  ETABLISSEMENT_COLUMNS.index("dateDebut")] if c not in _ADDRESS2)
_TOP = tuple(c for c in ETABLISSEMENT_COLUMNS if c not in _PERIOD + _ADDRESS + _ADDRESS2)
_UNIT = tuple(c for c in UNITE_LEGALE_COLUMNS if c not in ("siren", "dateDebut", "nombrePeriodesUniteLegale"))
_INTS = {"nombrePeriodesEtablissement"}
_BOOLS = {"etablissementSiege", "unitePurgeeUniteLegale"}


def _value(column: str, text: str | None):
    if text in (None, ""):
        return None
    if column in _BOOLS:
        return text == "true"
    return int(text) if column in _INTS else text


def from_stock(etab: dict, unit: dict | None = None) -> dict:
    """The /siret record INSEE serves for a stock row (and its legal unit row): top-level fields, the current
    legal unit block, both address blocks and the current period first, with the API's JSON types."""
    record = {c: _value(c, etab.get(c)) for c in _TOP}
    record["uniteLegale"] = {c: _value(c, (unit or {}).get(c)) for c in _UNIT} if unit else {}
    record["adresseEtablissement"] = {c: _value(c, etab.get(c)) for c in _ADDRESS}
    record["adresse2Etablissement"] = {c: _value(c, etab.get(c)) for c in _ADDRESS2}
    period = {"dateFin": None, **{c: _value(c, etab.get(c)) for c in _PERIOD}}
    period.update({f"changement{k}": False for k in ("EtatAdministratifEtablissement", "EnseigneEtablissement",
                                                     "DenominationUsuelleEtablissement",
                                                     "ActivitePrincipaleEtablissement",
                                                     "CaractereEmployeurEtablissement")})
    record["periodesEtablissement"] = [period]
    return record
