"""Loopback fake of the INSEE API Sirene 3.11 /siret: the daily query by commune and the query by SIREN, curseur
pagination sorted by SIRET, 404 when empty, 401 without the right key in X-INSEE-Api-Key-Integration, scripted
faults by request number, rows added between runs. `from_stock` builds the record of a stock-shaped row."""

from __future__ import annotations

from demo.api.emulators import InseeEmulator, RateWindow
from demo.api.insee_shape import siret_record
from radar.identifiers import is_valid_siren, is_valid_siret
from tests.fakes.http_server import FakeServer, Reply
from tests.fakes.recherche_fake import EmulatedRoute


def valid_siren(n: int) -> str:
    """The n-th SIREN (from 100000000) that passes Luhn."""
    base = 100_000_000 + n * 10
    return next(str(v) for v in range(base, base + 10) if is_valid_siren(str(v)))


def siret_of(siren: str, k: int = 1) -> str:
    for nic in range(k * 10, k * 10 + 10):
        s = f"{siren}{nic:05d}"
        if is_valid_siret(s):
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

_INTS = {"nombrePeriodesEtablissement"}
_BOOLS = {"etablissementSiege", "unitePurgeeUniteLegale"}


def _value(column: str, text: str | None):
    if text in (None, ""):
        return None
    if column in _BOOLS:
        return text == "true"
    return int(text) if column in _INTS else text


def from_stock(etab: dict, unit: dict | None = None) -> dict:
    """The /siret record INSEE serves for a stock row (and its legal unit row), with the API's JSON types."""
    return siret_record({c: _value(c, v) for c, v in etab.items()},
                        {c: _value(c, v) for c, v in unit.items()} if unit else None)
