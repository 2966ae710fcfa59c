"""The demo's API data sets, derived deterministically from the demo warehouse's companies: what Recherche
d'entreprises, INSEE and BODACC would answer about them, in the real shapes (JSON-string blocks, registre in two
formats, officers with synthetic names and birth months that the extractors must drop, ...)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from demo.api.emulators import BodaccEmulator, InseeEmulator, RechercheEmulator, as_route
from demo.api.insee_shape import siret_record
from demo.loopback import LoopbackServer
from radar.identifiers import is_valid_siret, with_check_digit
from radar.sirene_schema import ETABLISSEMENT_FIELDS, UNITE_LEGALE_FIELDS
from warehouse.db import connect_writer

SEED = 2026
SOURCES = ("recherche", "insee", "bodacc")
# Responses recorded once from the bundled demo (24 months, default territory): python -m steps.demo rewrites them.
RECORDED = Path(__file__).resolve().parent / "recorded"
_LAST = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"]
_FIRST = ["Claire", "Julien", "Sophie", "Nicolas", "Camille", "Thomas", "Léa", "Hugo"]
_TRIBUNAL = "GREFFE DU TRIBUNAL DE COMMERCE DE NANTERRE"
_JUDGMENTS = [
    ("sauvegarde", "Jugement d'ouverture d'une procédure de sauvegarde"),
    ("redressement", "Jugement d'ouverture d'une procédure de redressement judiciaire"),
    ("liquidation", "Jugement d'ouverture d'une procédure de liquidation judiciaire"),
]
_FAMILY_LIB = {"dpc": "Dépôts des comptes", "radiation": "Radiations", "collective": "Procédures collectives",
               "vente": "Ventes et cessions", "modification": "Modifications diverses",
               "immatriculation": "Immatriculations", "creation": "Créations"}
_BULLETIN = {"dpc": "C", "radiation": "B", "modification": "B", "collective": "A", "vente": "A",
             "immatriculation": "A", "creation": "A"}


def read_warehouse(warehouse: Path) -> tuple[list[dict], list[dict]]:
    """The demo's companies and establishments as the stocks alone describe them (latest loaded month of every
    SIRET ever in the territory, and of their companies), whatever earlier API runs added to the current state:
    the same warehouse months always give the same data sets."""
    with connect_writer(warehouse) as con:
        establishments = _records(con.execute("""
            SELECT * EXCLUDE (month) FROM core.establishment_monthly
            QUALIFY bool_or(in_territory) OVER (PARTITION BY siret)
                AND row_number() OVER (PARTITION BY siret ORDER BY month DESC) = 1
            ORDER BY siret"""))
        companies = _records(con.execute("""
            SELECT * EXCLUDE (month), coalesce(denomination, usual_name1) AS name FROM core.company_monthly
            WHERE siren IN (SELECT siren FROM core.establishment_monthly WHERE in_territory)
            QUALIFY row_number() OVER (PARTITION BY siren ORDER BY month DESC) = 1
            ORDER BY siren"""))
    return companies, establishments


def _records(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


def _recherche_record(rng: random.Random, c: dict, etabs: list[dict], sirens: list[str]) -> dict:
    is_ei = c["legal_form"] == "1000"
    officers = []
    if not is_ei:
        for _ in range(rng.randint(1, 3)):
            officers.append({"nom": rng.choice(_LAST), "prenoms": rng.choice(_FIRST),
                             "annee_de_naissance": str(rng.randint(1955, 1995)),
                             "date_de_naissance": f"{rng.randint(1955, 1995)}-{rng.randint(1, 12):02d}",
                             "qualite": rng.choice(["Président", "Directeur général", "Gérant"]),
                             "nationalite": "Française", "type_dirigeant": "personne physique"})
        if rng.random() < 0.2:
            officers.append({"siren": rng.choice(sirens), "denomination": "HOLDING DEMO", "qualite": "Président",
                             "type_dirigeant": "personne morale"})
    finances = None
    if not is_ei and rng.random() < 0.6:
        finances = {str(y): {"ca": rng.randint(50_000, 20_000_000), "resultat_net": rng.randint(-500_000, 2_000_000)}
                    for y in range(2025 - rng.randint(0, 2), 2026)}
    matching = [{"siret": e["siret"], "commune": e["commune_code"], "code_postal": e["postcode"],
                 "libelle_commune": (e["commune_name"] or "").upper(), "activite_principale": e["naf_code"],
                 "etat_administratif": e["state"], "est_siege": bool(e["is_head_office"]),
                 "date_creation": _iso(e["created_on"]), "date_fermeture": None,
                 "statut_diffusion_etablissement": e["statut_diffusion"]} for e in etabs]
    if rng.random() < 0.1:  # an establishment outside the territory: the search matches it too
        matching.append({"siret": c["siren"] + "09999", "commune": "75108", "code_postal": "75008",
                         "libelle_commune": "PARIS", "activite_principale": c["naf_code"],
                         "etat_administratif": "A", "est_siege": False})
    record = {
        "siren": c["siren"], "nom_complet": c["name"], "nom_raison_sociale": None if is_ei else c["name"],
        "sigle": None, "nombre_etablissements": len(etabs) + rng.randint(0, 2),
        "nombre_etablissements_ouverts": sum(e["state"] == "A" for e in etabs),
        "siege": {}, "activite_principale": c["naf_code"], "section_activite_principale": None,
        "categorie_entreprise": c["category"], "annee_categorie_entreprise": "2023",
        "caractere_employeur": None, "date_creation": _iso(c["created_on"]),
        "date_fermeture": None,  # real edge case: etat_administratif C with date_fermeture null
        "date_mise_a_jour": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T08:{rng.randint(10, 59)}:00",
        "dirigeants": officers, "etat_administratif": c["state"] or "A", "nature_juridique": c["legal_form"],
        "tranche_effectif_salarie": c["headcount_band"], "statut_diffusion": "O", "finances": finances,
        "complements": {"est_ess": c["is_ess"] == "O", "est_societe_mission": c["is_mission_company"] == "O",
                        "est_entrepreneur_individuel": is_ei, "est_association": False,
                        "est_qualiopi": rng.random() < 0.05, "est_organisme_formation": rng.random() < 0.08,
                        "est_rge": False, "est_siae": False, "est_bio": False, "est_patrimoine_vivant": False},
        "_etablissements": matching,
    }
    if rng.random() < 0.5:  # newer responses only
        record["activite_principale_naf25"] = c["naf25_code"] or c["naf_code"]
    return record


def _notice(rng: random.Random, n: int, family: str, day: date, c: dict, etab: dict, **blocks) -> dict:
    parution = f"{day.year}{rng.randint(1, 240):04d}"
    bulletin = _BULLETIN[family]
    person = ({"typePersonne": "pp", "nom": rng.choice(_LAST), "prenom": rng.choice(_FIRST),
               "numeroImmatriculation": {"numeroIdentification": " ".join([c["siren"][:3], c["siren"][3:6],
                                                                             c["siren"][6:]]),
                                         "codeRCS": "RCS", "nomGreffeImmat": "Nanterre"}}
              if c["legal_form"] == "1000" else
              {"typePersonne": "pm", "denomination": c["name"], "formeJuridique": "Société par actions simplifiée",
               "numeroImmatriculation": {"numeroIdentification": c["siren"], "codeRCS": "RCS",
                                         "nomGreffeImmat": "Nanterre"}})
    record = {
        "id": f"{bulletin}{parution}{n}", "publicationavis": bulletin, "publicationavis_facette": f"Bodacc {bulletin}",
        "parution": parution, "dateparution": day.isoformat(), "numeroannonce": n, "typeavis": "annonce",
        "typeavis_lib": "Avis initial", "familleavis": family, "familleavis_lib": _FAMILY_LIB[family],
        "numerodepartement": "92", "departement_nom_officiel": "Hauts-de-Seine", "region_code": 11,
        "region_nom_officiel": "Île-de-France", "tribunal": _TRIBUNAL,
        "commercant": c["name"] if person["typePersonne"] == "pm" else f"{person['nom']} {person['prenom']}",
        "ville": etab["commune_name"], "cp": etab["postcode"],
        "registre": [c["siren"], f"{c['siren'][:3]} {c['siren'][3:6]} {c['siren'][6:]}"],
        "url_complete": f"https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:{bulletin}{parution}{n}",
        "listepersonnes": json.dumps({"personne": person}, ensure_ascii=False),
        "jugement": None, "acte": None, "depot": None, "radiationaurcs": None, "modificationsgenerales": None,
        "parutionavisprecedent": None,
    }
    record.update({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in blocks.items()})
    return record


def build_datasets(companies: list[dict], establishments: list[dict], *, seed: int = SEED,
                   today: date = date(2026, 10, 31)) -> dict:
    rng = random.Random(seed)
    by_siren: dict[str, list[dict]] = {}
    for e in establishments:
        by_siren.setdefault(e["siren"], []).append(e)
    sirens = [c["siren"] for c in companies]
    recherche = [_recherche_record(rng, c, by_siren.get(c["siren"], []), sirens) for c in companies]
    notices, n = [], 1000
    start = date(2024, 11, 1)
    span = (today - start).days
    for c in companies:
        etabs = by_siren.get(c["siren"]) or []
        if not etabs:
            continue
        etab = next((e for e in etabs if e["is_head_office"]), etabs[0])
        if c["legal_form"] != "1000" and rng.random() < 0.5:
            n += 1
            day = start + timedelta(days=rng.randint(0, span))
            notices.append(_notice(rng, n, "dpc", day, c, etab, depot={
                "dateCloture": f"{day.year - 1}-12-31", "typeDepot": "Comptes annuels et rapports",
                "descriptif": "Comptes annuels"}))
        if c["state"] == "C":
            n += 1
            day = min(today, (c["period_start"] or today) + timedelta(days=rng.randint(10, 60)))
            notices.append(_notice(rng, n, "radiation", day, c, etab,
                                   radiationaurcs={"radiationPM": "O", "commentaire": "Radiation du RCS"}))
        if rng.random() < 0.05:
            n += 1
            procedure, nature = rng.choice(_JUDGMENTS)
            day = start + timedelta(days=rng.randint(0, span))
            judged = day - timedelta(days=rng.randint(3, 20))
            notices.append(_notice(rng, n, "collective", day, c, etab, jugement={
                "type": "initial", "famille": "Jugement d'ouverture", "nature": nature, "date": judged.isoformat(),
                "complementJugement": "Mandataire judiciaire désigné"}))
            if rng.random() < 0.3 and day + timedelta(days=120) < today:
                n += 1
                later = day + timedelta(days=rng.randint(60, 120))
                nature2 = rng.choice(["Jugement de clôture pour insuffisance d'actif",
                                      "Jugement de conversion en liquidation judiciaire"])
                notices.append(_notice(rng, n, "collective", later, c, etab, jugement={
                    "type": "initial", "famille": "Jugement", "nature": nature2,
                    "date": (later - timedelta(days=5)).isoformat()}))
        if rng.random() < 0.03:
            n += 1
            notices.append(_notice(rng, n, "vente", start + timedelta(days=rng.randint(0, span)), c, etab,
                                   acte={"descriptif": "Cession du fonds de commerce"}))
        if rng.random() < 0.08:
            n += 1
            notices.append(_notice(rng, n, "modification", start + timedelta(days=rng.randint(0, span)), c, etab,
                                   modificationsgenerales={"descriptif": "Modification du capital"}))
    _add_corrections(rng, notices)
    by_company = {c["siren"]: c for c in companies}
    insee = [_insee_record(rng, e, by_company.get(e["siren"]), today) for e in establishments if rng.random() < 0.15]
    insee += _new_establishments(rng, companies, establishments, today)
    return {"recherche": recherche, "bodacc": notices, "insee": insee}


def _add_corrections(rng: random.Random, notices: list[dict]) -> None:
    """A rectificatif and an annulation, referring to earlier notices as the real data does."""
    targets = [r for r in notices if r["familleavis"] in ("dpc", "modification")][:2]
    for target, kind, lib in zip(targets, ("rectificatif", "annulation"), ("Avis rectificatif",
                                                                           "Avis d'annulation")):
        fix = dict(target)
        day = date.fromisoformat(target["dateparution"]) + timedelta(days=14)
        fix.update({"id": f"{target['publicationavis']}{day.year}0999{rng.randint(1, 99)}", "typeavis": kind,
                    "typeavis_lib": lib, "dateparution": day.isoformat(), "parution": f"{day.year}0999",
                    "parutionavisprecedent": json.dumps({
                        "nomPublication": f"BODACC {target['publicationavis']}", "numeroParution":
                        target["parution"], "dateParution": target["dateparution"],
                        "numeroAnnonce": str(target["numeroannonce"])})})
        notices.append(fix)


def _api_value(value):
    """A warehouse value as the INSEE API writes it."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # Lambert coordinates are strings in the API
        return f"{value:.1f}"
    return value


def _stock_named(row: dict, fields: dict[str, str]) -> dict:
    return {stock: _api_value(row.get(col)) for stock, col in fields.items()}


def _insee_record(rng: random.Random, e: dict, c: dict | None, today: date) -> dict:
    processed = today - timedelta(days=rng.randint(0, 45), seconds=rng.randint(0, 86_399))
    etab = _stock_named(e, ETABLISSEMENT_FIELDS)
    etab["dateDernierTraitementEtablissement"] = (
        f"{processed.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000")
    return siret_record(etab, _stock_named(c, UNITE_LEGALE_FIELDS) if c else None)


def _new_establishments(rng: random.Random, companies: list[dict], establishments: list[dict],
                        today: date) -> list[dict]:
    """What INSEE processed after the latest stock and no stock shows yet: branches opened by followed companies
    of the territory and one new company, as the daily deltas would bring them."""
    by_siren = {c["siren"]: c for c in companies}
    inside = [e for e in establishments if e["in_territory"] and e["state"] == "A" and e["is_head_office"]
              and (by_siren.get(e["siren"]) or {}).get("state") == "A"]
    used = {e["siret"] for e in establishments}
    out = []
    for k, e in enumerate(rng.sample(inside, min(3, len(inside)))):
        nic = next(f"{n:05d}" for n in range(900 + 10 * k, 1000) if is_valid_siret(e["siren"] + f"{n:05d}")
                   and e["siren"] + f"{n:05d}" not in used)
        day = today - timedelta(days=rng.randint(1, 20))
        branch = {**e, "siret": e["siren"] + nic, "nic": nic, "is_head_office": False, "created_on": day,
                  "period_start": day, "headcount_band": "NN", "headcount_year": None, "last_processed_at": None,
                  "street_number": str(rng.randint(1, 80)), "address_id": None}
        out.append((branch, by_siren[e["siren"]]))
    siren = next(s for s in (with_check_digit(f"{n:08d}") for n in range(99_000_000, 99_001_000))
                 if s not in by_siren)
    day = today - timedelta(days=3)
    model = inside[0] if inside else establishments[0]
    company = {**by_siren[model["siren"]], "siren": siren, "denomination": "NOUVELLE PLATEFORME NUMERIQUE",
               "name": "NOUVELLE PLATEFORME NUMERIQUE", "created_on": day, "period_start": day, "state": "A",
               "legal_form": "5710", "naf_code": "62.01Z", "head_office_nic": "00011", "headcount_band": "NN",
               "category": "PME", "statut_diffusion": "O", "last_processed_at": None}
    nic = next(f"{n:05d}" for n in range(10, 100) if is_valid_siret(siren + f"{n:05d}"))
    company["head_office_nic"] = nic
    out.append(({**model, "siren": siren, "nic": nic, "siret": siren + nic, "is_head_office": True,
                 "created_on": day, "period_start": day, "naf_code": "62.01Z", "headcount_band": "NN",
                 "statut_diffusion": "O", "street_number": "3", "address_id": None}, company))
    return [_insee_record(rng, e, c, today) for e, c in out]


def ensure_demo_api_data(warehouse: Path, folder: Path, *, seed: int = SEED) -> Path:
    """Write the three data sets derived from this warehouse (deterministic); returns the file. For demos other
    than the bundled one (fewer months, another territory), which the recorded responses do not describe."""
    companies, establishments = read_warehouse(warehouse)
    data = build_datasets(companies, establishments, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "api-datasets.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_recorded(data: dict, folder: Path = RECORDED) -> list[Path]:
    """One gzip JSON file per API, byte-stable (sorted keys, no timestamp in the gzip header)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for source in SOURCES:
        body = json.dumps(data[source], ensure_ascii=False, sort_keys=True, default=str, indent=0).encode()
        path = folder / f"{source}.json.gz"
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0,
                                                   filename="") as gz:
            gz.write(body)
        os.replace(tmp, path)
        paths.append(path)
    return paths


def read_recorded(folder: Path = RECORDED) -> dict | None:
    """The recorded data sets, or None when they are not all there."""
    paths = {source: folder / f"{source}.json.gz" for source in SOURCES}
    if not all(p.is_file() for p in paths.values()):
        return None
    return {source: json.loads(gzip.decompress(p.read_bytes())) for source, p in paths.items()}


def read_datasets(dataset_file: Path) -> dict:
    return json.loads(Path(dataset_file).read_text(encoding="utf-8"))


@contextlib.contextmanager
def serve_demo_apis(data: dict) -> Iterator[dict]:
    """The three emulators on loopback over `data`; yields endpoints and per-host policies (no throttling on
    loopback)."""
    mounts = {"/recherche": RechercheEmulator(data["recherche"]), "/insee": InseeEmulator(data["insee"]),
              "/bodacc": BodaccEmulator(data["bodacc"])}
    with LoopbackServer(name="demo-apis") as server:
        for prefix, emulator in mounts.items():
            server.route(prefix + "*", as_route(emulator, prefix))
        yield {"endpoints": {"recherche": server.url("/recherche"), "insee": server.url("/insee"),
                             "bodacc": server.url("/bodacc")},
               "policies": {server.host_port: 1000.0}}
