"""Loopback fake of API Recherche d'entreprises: the emulator (real shapes, pagination, 10,000 cap, 400s,
optional 7 req/s limit with 429) behind a FakeServer route, with scripted faults by request number."""

from __future__ import annotations

from demo.api.emulators import RateWindow, RechercheEmulator, as_route
from tests.fakes.http_server import FakeServer, RecordedRequest, Reply


class EmulatedRoute:
    """A FakeServer route: the n-th request (1-based) gets `faults[n]` if scripted, else the emulator's answer."""

    def __init__(self, emulator, prefix: str = "", faults: dict[int, Reply] | None = None) -> None:
        self.emulator = emulator
        self.prefix = prefix
        self.faults = dict(faults or {})
        self.count = 0
        self._serve = as_route(emulator, prefix)

    def __call__(self, req: RecordedRequest) -> Reply:
        self.count += 1
        if self.count in self.faults:
            return self.faults[self.count]
        return self._serve(req)


def company(siren: str, communes: list[str], naf: str = "62.01Z", **extra) -> dict:
    """A real-shaped result (fields of the API's own Carrefour / La Poste examples), with officers."""
    record = {
        "siren": siren, "nom_complet": f"SOCIETE {siren}", "nom_raison_sociale": f"SOCIETE {siren}", "sigle": None,
        "nombre_etablissements": len(communes), "nombre_etablissements_ouverts": len(communes), "siege": {},
        "activite_principale": naf, "activite_principale_naf25": naf[:-1] + "Y",
        "categorie_entreprise": "PME", "annee_categorie_entreprise": "2023", "date_creation": "2009-01-01",
        "date_fermeture": None, "date_mise_a_jour": "2025-11-16T08:34:38", "etat_administratif": "A",
        "nature_juridique": "5710", "section_activite_principale": "J", "tranche_effectif_salarie": "11",
        "statut_diffusion": "O",
        "dirigeants": [
            {"nom": "DUPONT", "prenoms": "Marie", "annee_de_naissance": "1970", "date_de_naissance": "1970-03",
             "qualite": "Président", "nationalite": "Française", "type_dirigeant": "personne physique"},
            {"siren": "356000000", "denomination": "LA POSTE", "qualite": "Commissaire aux comptes titulaire",
             "type_dirigeant": "personne morale"}],
        "finances": {"2022": {"ca": 100, "resultat_net": 5}, "2023": {"ca": 26888000000, "resultat_net": 776000000}},
        "complements": {"est_ess": False, "est_societe_mission": True, "est_entrepreneur_individuel": False},
        "_etablissements": [{"siret": f"{siren}{i:05d}", "commune": c, "code_postal": "92130",
                             "etat_administratif": "A", "activite_principale": naf, "est_siege": i == 1}
                            for i, c in enumerate(communes, start=1)],
    }
    record.update(extra)
    return record


def serve(server: FakeServer, companies: list[dict], *, cap: int = 10_000, per_second: float | None = None,
          clock=None, faults: dict[int, Reply] | None = None) -> EmulatedRoute:
    rate = RateWindow(per_second, clock) if clock else RateWindow(per_second)
    route = EmulatedRoute(RechercheEmulator(companies, cap=cap, rate=rate), faults=faults)
    server.route("/search", route)
    return route
