"""Loopback fake of BODACC (Opendatasoft Explore v2.1): /records with limit <= 100 and offset + limit <= 10,000,
/exports/json without cap, records in the real shape (nested JSON strings, registre twice), scripted faults."""

from __future__ import annotations

import json

from demo.api.emulators import BodaccEmulator, RateWindow
from tests.fakes.http_server import FakeServer, Reply
from tests.fakes.recherche_fake import EmulatedRoute

PREFIX = "/api/explore/v2.1/catalog/datasets/annonces-commerciales"


def notice(n: int, siren: str, day: str, family: str = "dpc", *, cp: str = "92130", person: str = "pm",
           typeavis: str = "annonce", previous: dict | None = None, **blocks) -> dict:
    parution = day[:4] + "0100"
    who = ({"typePersonne": "pm", "denomination": f"SOCIETE {siren}", "formeJuridique": "SAS",
            "numeroImmatriculation": {"numeroIdentification": f"{siren[:3]} {siren[3:6]} {siren[6:]}",
                                      "codeRCS": "RCS", "nomGreffeImmat": "Nanterre"}}
           if person == "pm" else
           {"typePersonne": "pp", "nom": "DURAND", "prenom": "Paul", "nomUsage": "DURAND-MARTIN",
            "numeroImmatriculation": {"numeroIdentification": siren, "codeRCS": "RCS"}})
    record = {
        "id": f"A{parution}{n}", "publicationavis": "A", "publicationavis_facette": "Bodacc A", "parution": parution,
        "dateparution": day, "numeroannonce": n, "typeavis": typeavis,
        "typeavis_lib": {"annonce": "Avis initial", "rectificatif": "Avis rectificatif",
                         "annulation": "Avis d'annulation"}[typeavis],
        "familleavis": family, "familleavis_lib": family.title(), "numerodepartement": "92",
        "departement_nom_officiel": "Hauts-de-Seine", "region_code": 11, "region_nom_officiel": "Île-de-France",
        "tribunal": "GREFFE DU TRIBUNAL DE COMMERCE DE NANTERRE",
        "commercant": f"SOCIETE {siren}" if person == "pm" else "DURAND Paul", "ville": "Issy-les-Moulineaux",
        "cp": cp, "registre": [siren, f"{siren[:3]} {siren[3:6]} {siren[6:]}"],
        "url_complete": f"https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:A{parution}{n}",
        "listepersonnes": json.dumps({"personne": who}, ensure_ascii=False),
        "jugement": None, "depot": None, "radiationaurcs": None, "acte": None,
        "parutionavisprecedent": json.dumps(previous) if previous else None,
    }
    record.update({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                   for k, v in blocks.items()})
    return record


def serve(server: FakeServer, records: list[dict], *, faults: dict[int, Reply] | None = None,
          per_path_faults: dict[str, dict[int, Reply]] | None = None) -> dict[str, EmulatedRoute]:
    emulator = BodaccEmulator(records, rate=RateWindow(None))
    routes = {}
    for path in ("/records", "/exports/json"):
        route = EmulatedRoute(emulator, prefix=PREFIX, faults=(per_path_faults or {}).get(
            path, faults if path == "/records" else None))
        routes[path] = route
        server.route(PREFIX + path, route)
    return routes


def base_url(server: FakeServer) -> str:
    return server.url(PREFIX)
