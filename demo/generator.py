"""Deterministic generator of official-format SIRENE stock files (StockEtablissement, StockUniteLegale).

* `generate_demo`: a coherent monthly history (24 months by default) of a small synthetic population in and
  around Grand Paris Seine Ouest, with the quirks a loader must handle ([ND] masking, old nomenclatures,
  invalid and duplicated rows). Built in Python: a few thousand rows per month.
* `write_scale_stock`: France-sized files (tens of millions of rows) generated inside DuckDB, for benchmarks.

Every name, address and identifier is synthetic. Same seed => byte-identical files.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import os
import random
import shutil
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from radar.sirene_schema import (
    ETABLISSEMENT_COLUMNS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_COLUMNS,
)
from radar.config import load_territory
from radar.identifiers import with_check_digit

ET_FILE, UL_FILE = "StockEtablissement_utf8", "StockUniteLegale_utf8"
FORMATS = {"parquet": ".parquet", "csv": ".csv", "zip": ".zip"}
ND = "[ND]"

ET_DATES = frozenset({"dateCreationEtablissement", "dateDebut"})
UL_DATES = frozenset({"dateCreationUniteLegale", "dateDebut"})
ET_STAMPS = frozenset({"dateDernierTraitementEtablissement"})
UL_STAMPS = frozenset({"dateDernierTraitementUniteLegale"})
ET_BOOLS = frozenset({"etablissementSiege"})

_REFERENCE = Path(__file__).resolve().parent.parent / "radar" / "reference"
_NAF25_FROM = date(2025, 12, 1)  # stock files carry activitePrincipaleNAF25* since mid-December 2025

# ---------------------------------------------------------------------------------------------------------------
# Reference tables (synthetic where they describe people or companies)

# INSEE spelling in the stock (capitals, no accents), rough Lambert 93 centre, weight, CEDEX (code, label).
_GPSO_INFO = {
    "92012": ("BOULOGNE-BILLANCOURT", 644500, 6859500, 30, ("92641", "BOULOGNE-BILLANCOURT CEDEX")),
    "92022": ("CHAVILLE", 640500, 6855800, 4, None),
    "92040": ("ISSY-LES-MOULINEAUX", 646500, 6857500, 26, ("92137", "ISSY-LES-MOULINEAUX CEDEX")),
    "92047": ("MARNES-LA-COQUETTE", 639300, 6857900, 1, None),
    "92048": ("MEUDON", 643000, 6855500, 12, ("92195", "MEUDON CEDEX")),
    "92072": ("SEVRES", 642100, 6857500, 5, ("92311", "SEVRES CEDEX")),
    "92075": ("VANVES", 648000, 6857300, 7, ("92172", "VANVES CEDEX")),
    "92077": ("VILLE-D'AVRAY", 640800, 6857500, 2, None),
}
# Communes next to GPSO: present in the files, to be filtered out by the loader.
_NEIGHBOURS = (
    ("92023", "CLAMART", ("92140",), 646200, 6854800, 6, ("92141", "CLAMART CEDEX")),
    ("92076", "VAUCRESSON", ("92420",), 638500, 6859600, 2, None),
    ("92062", "PUTEAUX", ("92800",), 644200, 6864200, 8, ("92806", "PUTEAUX CEDEX")),
    ("75115", "PARIS 15", ("75015",), 648700, 6859400, 12, ("75732", "PARIS CEDEX 15")),
    ("75116", "PARIS 16", ("75016",), 647000, 6861900, 10, ("75783", "PARIS CEDEX 16")),
    ("92049", "MONTROUGE", ("92120",), 649900, 6856600, 5, ("92121", "MONTROUGE CEDEX")),
)
_TECH_WEIGHTS = {"62.01Z": 30, "62.02A": 15, "62.09Z": 8, "63.11Z": 6, "58.29C": 6, "62.03Z": 3, "62.02B": 3,
                 "63.12Z": 3, "58.29A": 2, "61.20Z": 2, "61.90Z": 2, "46.51Z": 2, "46.52Z": 2, "95.11Z": 2}
_OTHER_WEIGHTS = {"70.22Z": 12, "68.20B": 8, "56.10A": 8, "73.11Z": 5, "86.21Z": 5, "69.20Z": 4, "71.12B": 4,
                  "96.02A": 4, "47.11F": 2, "41.20A": 3, "43.21A": 3, "85.59A": 3, "74.10Z": 3, "70.10Z": 2}
_OLD_CODES = {"NAFRev1": ("72.2A", "72.2C", "72.1Z", "72.3Z", "74.1G", "74.4B", "55.3A", "64.2C"),
              "NAF1993": ("72.2Z", "74.1G", "72.3Z")}
_NAF25 = {"62.01Z": "62.10Y", "62.02A": "62.20Y", "62.02B": "62.20Y", "62.03Z": "62.20Y", "62.09Z": "62.90Y",
          "63.11Z": "63.10Y"}
BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")
_BAND_WEIGHTS = (34, 5, 16, 10, 8, 8, 6, 3, 2, 1, 1, 0, 0, 0, 0, 0)
_LEGAL_FORMS = {"5710": 38, "5499": 22, "5720": 28, "5599": 5}
_EI_SHARE, _TECH_SHARE, _TERRITORY_SHARE = 0.33, 0.45, 0.65

_NAME_HEADS = ("NOVA", "DATA", "KER", "ALTI", "LUMI", "OPTI", "VERA", "SYN", "CYBER", "HEXA", "PIXA", "NEO",
               "ORBI", "QUANTA", "ZENI", "AXIO", "NUVO", "EVO", "FLUXI", "MIRA", "SOLA", "VOLTA", "ARKE", "CALI",
               "OMNI", "PRISMA", "VEGA", "TALO", "BRIVA", "ONDI")
_NAME_TAILS = ("LYS", "PILOT", "VAN", "TECH", "SOFT", "LAB", "NET", "WARE", "GRID", "SENSE", "VIA", "CORE",
               "LINK", "TEAM", "DIS", "MOS", "RA", "TIS", "GO", "RIS")
_WORDS_TECH = ("SOLUTIONS", "TECH", "DIGITAL", "SYSTEMS", "SOFTWARE", "CONSULTING", "DATA", "CLOUD", "LABS")
_WORDS_BY_DIVISION = {"56": ("RESTAURATION", "BISTROT", "TRAITEUR"), "47": ("COMMERCE", "DISTRIBUTION"),
                      "41": ("CONSTRUCTION", "PROMOTION"), "43": ("RENOVATION", "BATIMENT"),
                      "68": ("IMMOBILIER", "PATRIMOINE"), "86": ("SANTE", "MEDICAL")}
_WORDS_OTHER = ("CONSEIL", "SERVICES", "GROUPE", "PARTNERS", "FRANCE", "INVEST", "GESTION", "DEVELOPPEMENT")
_SURNAME_A = ("BER", "LAN", "DOR", "MEL", "VAL", "QUIN", "TAR", "ROS", "NEV", "GAL", "MOR", "FAU", "CHA", "LEM",
              "RIV", "BOU", "DAR", "PEL", "SAU", "VIG", "KER", "TRE")
_SURNAME_B = ("ARDEC", "ELLIN", "INOT", "OTIER", "AUVEL", "IERAC", "ACOUR", "ENSAC", "OUVAL", "ANDREC",
              "ETOUX", "ERVIN", "ONNEC", "AZIER")
_FIRST = {"F": ("MARIE", "SOPHIE", "JULIE", "CLAIRE", "LEA", "EMMA", "CHLOE", "SARAH", "INES", "NATHALIE",
                "CELINE", "AMELIE", "LUCIE", "MANON", "ELISE"),
          "M": ("THOMAS", "NICOLAS", "JULIEN", "PIERRE", "ANTOINE", "LUCAS", "HUGO", "KARIM", "PAUL", "MAXIME",
                "OLIVIER", "LAURENT", "YANN", "MEHDI", "ALEXANDRE")}
_STREET_TYPES = ("RUE", "RUE", "RUE", "AV", "AV", "BD", "QUAI", "PL", "ALL", "CHE", "IMP", "SQ")
_STREETS = ("DES TILLEULS", "DU MOULIN", "DE LA SOURCE", "DES VIGNES", "DU PARC", "DE LA FORET", "DES ACACIAS",
            "DU CHATEAU", "DE LA GARE", "DES PRES", "DU PONT", "DE LA SEINE", "DES LILAS", "DU COTEAU",
            "DES CHAMPS", "DE L ABBAYE", "DES JARDINS", "DU BELVEDERE", "DES CEDRES", "DE LA PAIX",
            "DU MARCHE", "DES ECOLES", "DE LA COLLINE", "DES ROSIERS", "DU LAVOIR", "DES PEUPLIERS")
_COMPLEMENTS = ("BATIMENT A", "BATIMENT B", "ESCALIER 2", "IMMEUBLE LE PRISME", "ZAC DU PARC", "TOUR OUEST")

# Fictional companies that make the demo recognisable: (name, sigle, legal form, NAF, band, commune, secondaries,
# creation date). The telecom one is the "giant" of the territory.
_ANCHORS = (
    ("SEINE OUEST NUMERIQUE", "SON", "5710", "62.02A", "12", "92040", 1, "2011-04-12"),
    ("ISSY DATA LABS", None, "5710", "63.11Z", "21", "92040", 0, "2016-09-05"),
    ("BILLANCOURT CLOUD", None, "5599", "63.11Z", "22", "92012", 2, "2009-02-17"),
    ("TELECOM HORIZON FRANCE", "THF", "5599", "61.20Z", "52", "92040", 3, "1988-06-01"),
    ("ATLAS MEDIA LOGICIELS", None, "5710", "58.29C", "42", "92012", 2, "1997-10-20"),
    ("MEUDON SYSTEMES EMBARQUES", "MSE", "5599", "26.11Z", "41", "92048", 1, "1979-03-08"),
    ("VANVES SOFTWARE FACTORY", None, "5720", "62.01Z", "11", "92075", 0, "2020-01-15"),
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    postcodes: tuple[str, ...]
    x: float
    y: float
    weight: float
    cedex: tuple[str, str] | None
    inside: bool


@cache
def _places() -> tuple[tuple[Place, ...], tuple[Place, ...]]:
    territory = load_territory()
    inside = []
    for commune in territory.communes:
        if commune.code not in _GPSO_INFO:
            raise ValueError(f"generator has no coordinates for commune {commune.code} ({commune.name})")
        name, x, y, weight, cedex = _GPSO_INFO[commune.code]
        inside.append(Place(commune.code, name, commune.postcodes, x, y, weight, cedex, True))
    outside = [Place(c, n, p, x, y, w, cx, False) for c, n, p, x, y, w, cx in _NEIGHBOURS]
    return tuple(inside), tuple(outside)


@cache
def _naf_codes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tech codes, other valid NAF rev.2 codes), both sorted."""
    valid = json.loads((_REFERENCE / "codes-NAF.json").read_text(encoding="utf-8"))
    tech = sorted(load_territory().tech_codes)
    missing = [c for c in (*tech, *_TECH_WEIGHTS, *_OTHER_WEIGHTS) if c not in valid]
    if missing:
        raise ValueError(f"codes missing from codes-NAF.json: {missing}")
    return tuple(tech), tuple(sorted(set(valid) - set(tech)))


# ---------------------------------------------------------------------------------------------------------------
# Identifiers and dates

def _month_bounds(month: str) -> tuple[date, date]:
    y, m = (int(p) for p in month.split("-"))
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def month_range(start: str, months: int) -> list[str]:
    y, m = (int(p) for p in start.split("-"))
    out = []
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _category(band: str | None) -> str:
    rank = BANDS.index(band) if band in BANDS else 0
    return "GE" if rank >= BANDS.index("52") else "ETI" if rank >= BANDS.index("32") else "PME"


def _naf25(code: str) -> str:
    return _NAF25.get(code, code[:-1] + "Y")


# ---------------------------------------------------------------------------------------------------------------
# The simulated registry: current state of every legal unit and establishment, mutated month after month

class _Registry:
    def __init__(self, seed: int, companies: int, first_month: str):
        self.rng = random.Random(seed)
        self.scale = companies / 1500
        self.inside, self.outside = _places()
        self.tech, self.other = _naf_codes()
        self.inside_codes = frozenset(p.code for p in self.inside)
        self.ul: dict[str, dict] = {}
        self.et: dict[str, dict] = {}
        self.sirets: dict[str, list[str]] = {}
        self.anchors: set[str] = set()
        self.flipper: str | None = None
        self.origin = _month_bounds(first_month)[0] - timedelta(days=1)
        # Processing window for dateDernierTraitement: [floor, horizon].
        self.floor, self.horizon = date(1975, 1, 1), self.origin

    # -- random choices ----------------------------------------------------------------------------------------
    def _place(self, inside: bool | None = None) -> Place:
        if inside is None:
            inside = self.rng.random() < _TERRITORY_SHARE
        pool = self.inside if inside else self.outside
        return self.rng.choices(pool, [p.weight for p in pool])[0]

    def _naf(self, tech: bool) -> str:
        r = self.rng
        if tech:
            return r.choices(self.tech, [_TECH_WEIGHTS.get(c, 1) for c in self.tech])[0]
        if r.random() < 0.3:
            return r.choice(self.other)
        return r.choices(list(_OTHER_WEIGHTS), list(_OTHER_WEIGHTS.values()))[0]

    def _band(self, individual: bool) -> str:
        if self.rng.random() < 0.06:
            return ""
        weights = (60, 3, 25, 8, 4) + (0,) * 11 if individual else _BAND_WEIGHTS
        return self.rng.choices(BANDS, weights)[0]

    def _company_name(self, naf: str) -> str:
        r = self.rng
        core = r.choice(_NAME_HEADS) + r.choice(_NAME_TAILS)
        words = _WORDS_TECH if naf in self.tech else _WORDS_BY_DIVISION.get(naf[:2], _WORDS_OTHER)
        roll = r.random()
        if roll < 0.35:
            return core
        return f"{r.choice(words)} {core}" if roll < 0.5 else f"{core} {r.choice(words)}"

    def _surname(self) -> str:
        return self.rng.choice(_SURNAME_A) + self.rng.choice(_SURNAME_B)

    def _person(self) -> dict:
        r = self.rng
        sexe = r.choice("MF")
        first = r.choice(_FIRST[sexe])
        return {"sexeUniteLegale": sexe, "prenom1UniteLegale": first, "prenomUsuelUniteLegale": first,
                "prenom2UniteLegale": r.choice(_FIRST[sexe]) if r.random() < 0.4 else None,
                "nomUniteLegale": self._surname(),
                "nomUsageUniteLegale": self._surname() if r.random() < 0.12 else None}

    def _new_siren(self) -> str:
        while True:
            siren = with_check_digit(str(self.rng.randint(30_000_000, 99_999_999)))
            if siren not in self.ul:
                return siren

    def _touch(self, rec: dict, when: date) -> None:
        """Record a change processed by INSEE on or after `when`, within the current window."""
        lo = max(when, self.floor)
        hi = max(lo, min(self.horizon, lo + timedelta(days=120)))
        day = _rand_date(self.rng, lo, hi)
        s = self.rng.randint(6 * 3600, 22 * 3600)
        key = "dateDernierTraitementEtablissement" if "siret" in rec else "dateDernierTraitementUniteLegale"
        rec[key] = f"{day.isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def _set_band(self, rec: dict, band: str, when: date) -> None:
        suffix = "Etablissement" if "siret" in rec else "UniteLegale"
        year = str(max(self.horizon.year - 1, when.year))
        rec[f"trancheEffectifs{suffix}"] = band or None
        rec[f"anneeEffectifs{suffix}"] = year if band and band != "NN" else None
        rec[f"caractereEmployeur{suffix}"] = "N" if band in ("", "NN", "00") else "O"
        if suffix == "UniteLegale":
            # INSEE computes the category once a year, on the units that existed two years before.
            known = int(rec["dateCreationUniteLegale"][:4]) < self.horizon.year - 1
            rec["categorieEntreprise"] = _category(band) if known else None
            rec["anneeCategorieEntreprise"] = str(self.horizon.year - 1) if known else None

    # -- creating units ----------------------------------------------------------------------------------------
    def new_company(self, created: date, place: Place, *, cj: str | None = None, naf: str | None = None,
                    band: str | None = None, name: str | None = None, sigle: str | None = None,
                    statut: str | None = None) -> str:
        r = self.rng
        siren = self._new_siren()
        if cj is None:
            cj = "1000" if r.random() < _EI_SHARE else r.choices(list(_LEGAL_FORMS), list(_LEGAL_FORMS.values()))[0]
        naf = naf or self._naf(r.random() < _TECH_SHARE)
        band = self._band(cj == "1000") if band is None else band
        if statut is None:
            statut = "P" if cj == "1000" and r.random() < 0.10 else "O"
        ul = dict.fromkeys(UNITE_LEGALE_COLUMNS)
        ul.update(siren=siren, statutDiffusionUniteLegale=statut, dateCreationUniteLegale=created.isoformat(),
                  nombrePeriodesUniteLegale="1", dateDebut=created.isoformat(), etatAdministratifUniteLegale="A",
                  categorieJuridiqueUniteLegale=cj, activitePrincipaleUniteLegale=naf,
                  nomenclatureActivitePrincipaleUniteLegale="NAFRev2")
        if cj == "1000":
            ul.update(self._person())
        else:
            ul["denominationUniteLegale"] = name or self._company_name(naf)
            if sigle or (name is None and r.random() < 0.12):
                ul["sigleUniteLegale"] = sigle or "".join(w[0] for w in ul["denominationUniteLegale"].split())
            ul["economieSocialeSolidaireUniteLegale"] = "O" if r.random() < 0.03 else "N"
            ul["societeMissionUniteLegale"] = "O" if r.random() < 0.02 else None
        self._set_band(ul, band, created)
        self._touch(ul, created)
        self.ul[siren], self.sirets[siren] = ul, []
        self.new_establishment(siren, created, place, siege=True, naf=naf, band=band)
        return siren

    def new_establishment(self, siren: str, created: date, place: Place, *, siege: bool,
                          naf: str | None = None, band: str | None = None) -> str:
        r, ul = self.rng, self.ul[siren]
        siret = with_check_digit(siren + f"{len(self.sirets[siren]) + 1:04d}")
        rec = dict.fromkeys(ETABLISSEMENT_COLUMNS)
        rec.update(siren=siren, nic=siret[9:], siret=siret,
                   statutDiffusionEtablissement=ul["statutDiffusionUniteLegale"],
                   dateCreationEtablissement=created.isoformat(), etablissementSiege=siege,
                   nombrePeriodesEtablissement="1", dateDebut=created.isoformat(), etatAdministratifEtablissement="A",
                   activitePrincipaleEtablissement=naf or ul["activitePrincipaleUniteLegale"],
                   nomenclatureActivitePrincipaleEtablissement="NAFRev2")
        rec.update(self._address(place))
        if r.random() < 0.12:
            rec["enseigne1Etablissement"] = self._company_name(rec["activitePrincipaleEtablissement"])
        elif r.random() < 0.03:
            rec["denominationUsuelleEtablissement"] = self._company_name(rec["activitePrincipaleEtablissement"])
        self._set_band(rec, self._band(True) if band is None else band, created)
        self._touch(rec, created)
        self.et[siret] = rec
        self.sirets[siren].append(siret)
        if siege:
            ul["nicSiegeUniteLegale"] = rec["nic"]
        return siret

    def _address(self, place: Place) -> dict:
        r = self.rng
        kind, street, num = r.randrange(len(_STREET_TYPES)), r.randrange(len(_STREETS)), r.randint(1, 160)
        addr = {"numeroVoieEtablissement": str(num), "typeVoieEtablissement": _STREET_TYPES[kind],
                "libelleVoieEtablissement": _STREETS[street], "codePostalEtablissement": r.choice(place.postcodes),
                "libelleCommuneEtablissement": place.name, "codeCommuneEtablissement": place.code,
                "identifiantAdresseEtablissement": f"{place.code}_{1000 + street * 20 + kind:04d}_{num:05d}",
                "coordonneeLambertAbscisseEtablissement": f"{place.x + r.uniform(-800, 800):.1f}",
                "coordonneeLambertOrdonneeEtablissement": f"{place.y + r.uniform(-800, 800):.1f}"}
        if r.random() < 0.06:
            addr["indiceRepetitionEtablissement"] = r.choice("BTQ")
        if r.random() < 0.04:
            addr["dernierNumeroVoieEtablissement"] = str(num + 2 * r.randint(1, 4))
        if r.random() < 0.10:
            addr["complementAdresseEtablissement"] = r.choice(_COMPLEMENTS)
        if place.cedex and r.random() < 0.10:
            addr["codeCedexEtablissement"], addr["libelleCedexEtablissement"] = place.cedex
            box = f"CS {r.randint(10000, 90999)}" if r.random() < 0.6 else f"BP {r.randint(1, 999)}"
            addr["distributionSpecialeEtablissement"] = box
        return addr

    # -- changes -----------------------------------------------------------------------------------------------
    @staticmethod
    def _new_period(rec: dict, when: date) -> None:
        key = "nombrePeriodesEtablissement" if "siret" in rec else "nombrePeriodesUniteLegale"
        rec[key] = str(int(rec[key]) + 1)
        rec["dateDebut"] = when.isoformat()

    def _not_before(self, rec: dict, when: date) -> date:
        return max(when, date.fromisoformat(rec["dateDebut"]))

    def close(self, siret: str, when: date) -> None:
        rec = self.et[siret]
        when = self._not_before(rec, when)
        rec["etatAdministratifEtablissement"] = "F"
        self._new_period(rec, when)
        self._touch(rec, when)

    def cease(self, siren: str, when: date) -> int:
        """Close every open establishment, then the legal unit. Returns the number of establishments closed."""
        open_ = [s for s in self.sirets[siren] if self.et[s]["etatAdministratifEtablissement"] == "A"]
        when = max([when] + [date.fromisoformat(self.et[s]["dateDebut"]) for s in open_])
        for siret in open_:
            self.close(siret, when)
        ul = self.ul[siren]
        ul["etatAdministratifUniteLegale"] = "C"
        ul["categorieEntreprise"] = ul["anneeCategorieEntreprise"] = None
        self._new_period(ul, self._not_before(ul, when))
        self._touch(ul, when)
        return len(open_)

    def head_office(self, siren: str) -> dict:
        return self.et[siren + self.ul[siren]["nicSiegeUniteLegale"]]

    def transfer(self, siren: str, when: date, place: Place) -> str:
        """Head-office transfer as SIRENE records it: the old SIRET closes, a new one opens as head office."""
        old = self.head_office(siren)
        when = self._not_before(old, when)
        self.close(old["siret"], when)
        old["etablissementSiege"] = False
        new = self.new_establishment(siren, when, place, siege=True, naf=old["activitePrincipaleEtablissement"],
                                     band=old["trancheEffectifsEtablissement"] or "")
        ul = self.ul[siren]
        self._new_period(ul, self._not_before(ul, when))
        self._touch(ul, when)
        return new

    def shift_band(self, siren: str, step: int, when: date) -> None:
        for rec, key in ((self.ul[siren], "trancheEffectifsUniteLegale"),
                         (self.head_office(siren), "trancheEffectifsEtablissement")):
            rank = BANDS.index(rec[key]) if rec[key] in BANDS else 1
            self._set_band(rec, BANDS[min(len(BANDS) - 1, max(0, rank + step))], when)
            self._touch(rec, when)

    def change_activity(self, siren: str, naf: str, when: date) -> None:
        ul, hq = self.ul[siren], self.head_office(siren)
        ul["activitePrincipaleUniteLegale"] = hq["activitePrincipaleEtablissement"] = naf
        for rec in (ul, hq):
            self._new_period(rec, self._not_before(rec, when))
            self._touch(rec, when)

    def set_diffusion(self, siren: str, statut: str, when: date) -> None:
        ul = self.ul[siren]
        ul["statutDiffusionUniteLegale"] = statut
        self._touch(ul, when)
        for siret in self.sirets[siren]:
            self.et[siret]["statutDiffusionEtablissement"] = statut
            self._touch(self.et[siret], when)

    def active_companies(self, *, inside: bool | None = None) -> list[str]:
        out = []
        for siren, ul in self.ul.items():
            if ul["etatAdministratifUniteLegale"] != "A" or siren in self.anchors:
                continue
            if inside is None or (self.head_office(siren)["codeCommuneEtablissement"] in self.inside_codes) == inside:
                out.append(siren)
        return out

    # -- the stock before the first month ----------------------------------------------------------------------
    def populate(self, companies: int) -> None:
        self.add_fixed_units()
        while len(self.ul) < companies:
            self.add_past_company()

    def add_fixed_units(self) -> None:
        """Anchors and the special diffusion cases; drawn from a fixed RNG so they are the same for every seed."""
        seeded, self.rng = self.rng, random.Random("ecosystem-radar-anchors")
        by_code = {p.code: p for p in self.inside}
        for name, sigle, cj, naf, band, commune, secondaries, created in _ANCHORS:
            when = date.fromisoformat(created)
            siren = self.new_company(when, by_code[commune], cj=cj, naf=naf, band=band, name=name, sigle=sigle,
                                     statut="O")
            for _ in range(secondaries):
                opened = _rand_date(self.rng, when, self.origin)
                self.new_establishment(siren, opened, self._place(), siege=False, band=self.rng.choice(BANDS[2:8]))
            self.anchors.add(siren)
        # Legal persons that chose to hide their address: establishments masked, name public.
        for inside in (True, False):
            siren = self.new_company(date(2014 + 3 * inside, 5, 2), self._place(inside), cj="5710",
                                     naf=self._naf(True), band="02", statut="P")
            self.anchors.add(siren)
        # An individual who asks for partial diffusion on month 13 (index 12).
        self.flipper = self.new_company(date(2019, 3, 11), by_code["92040"], cj="1000", naf="62.02A",
                                        band="NN", statut="O")
        self.anchors.add(self.flipper)
        self.rng = seeded

    def add_past_company(self) -> None:
        r, origin = self.rng, self.origin
        if r.random() < 0.04:
            self.add_old_closed_company()
            return
        created = max(date(1975, 1, 1), origin - timedelta(days=int(r.expovariate(1 / 3300))))
        siren = self.new_company(created, self._place())
        for _ in range(r.choices((0, 1, 2, 3), (75, 15, 7, 3))[0]):
            naf = None if r.random() < 0.9 else self._naf(r.random() < _TECH_SHARE)
            self.new_establishment(siren, _rand_date(r, created, origin), self._place(), siege=False, naf=naf)
        roll = r.random()
        if roll < 0.16:
            self.cease(siren, _rand_date(r, created, origin))
            return
        if roll < 0.24:
            self.transfer(siren, _rand_date(r, created, origin), self._place())
        for siret in self.sirets[siren]:
            rec = self.et[siret]
            if rec["etatAdministratifEtablissement"] == "A" and not rec["etablissementSiege"] and r.random() < 0.12:
                self.close(siret, _rand_date(r, date.fromisoformat(rec["dateDebut"]), origin))

    def add_old_closed_company(self) -> None:
        """A unit closed before 2008, still carrying its NAF rev.1 (or NAF 1993) code, as in the real stock."""
        r = self.rng
        created = _rand_date(r, date(1975, 1, 1), date(1999, 12, 31))
        closed = _rand_date(r, created + timedelta(days=400), date(2007, 12, 31))
        nomenclature = "NAF1993" if closed.year < 2003 else "NAFRev1"
        code = r.choice(_OLD_CODES[nomenclature])
        siren = self.new_company(created, self._place(), band=r.choice(("", "NN", "01")))
        self.cease(siren, closed)
        ul = self.ul[siren]
        ul.update(activitePrincipaleUniteLegale=code, nomenclatureActivitePrincipaleUniteLegale=nomenclature)
        if nomenclature == "NAF1993" and r.random() < 0.5:
            ul["unitePurgeeUniteLegale"] = "true"
        for siret in self.sirets[siren]:
            self.et[siret].update(activitePrincipaleEtablissement=code,
                                  nomenclatureActivitePrincipaleEtablissement=nomenclature)

    # -- one month of registry life ----------------------------------------------------------------------------
    def step(self, index: int, month: str) -> Counter:
        start, end = _month_bounds(month)
        self.floor, self.horizon = start, end
        ev: Counter = Counter()
        plan = ((self.event_creation, 15, 30), (self.event_closure, 8, 15), (self.event_secondary_opening, 2, 5),
                (self.event_transfer, 3, 6), (self.event_headcount, 10, 20), (self.event_activity, 2, 5))
        for event, lo, hi in plan:
            for _ in range(max(1, round(self.rng.randint(lo, hi) * self.scale))):
                event(start, end, ev)
        if index == 12 and self.flipper:
            self.set_diffusion(self.flipper, "P", _rand_date(self.rng, start, end))
            ev["diffusion_changes"] += 1
        return ev

    def _when(self, start: date, end: date) -> date:
        """Event date: usually in the month, sometimes recorded a few weeks late."""
        if self.rng.random() < 0.2:
            return start - timedelta(days=self.rng.randint(1, 45))
        return _rand_date(self.rng, start, end)

    def event_creation(self, start: date, end: date, ev: Counter) -> None:
        late = self.rng.random() < 0.2
        created = start - timedelta(days=self.rng.randint(20, 180)) if late else _rand_date(self.rng, start, end)
        siren = self.new_company(created, self._place(), band=self._band(True))  # new units are small
        ev["creations"] += 1
        ev["creations_late"] += late
        ev["creations_in_territory"] += self.head_office(siren)["codeCommuneEtablissement"] in self.inside_codes

    def event_closure(self, start: date, end: date, ev: Counter) -> None:
        open_ = [s for s, e in self.et.items()
                 if e["etatAdministratifEtablissement"] == "A" and e["siren"] not in self.anchors]
        siret = self.rng.choice(open_)
        rec = self.et[siret]
        if rec["etablissementSiege"]:
            ev["closures"] += self.cease(rec["siren"], self._when(start, end))
            ev["companies_ceased"] += 1
        else:
            self.close(siret, self._when(start, end))
            ev["closures"] += 1
            ev["secondary_closures"] += 1

    def event_secondary_opening(self, start: date, end: date, ev: Counter) -> None:
        candidates = [s for s in self.active_companies() if self.ul[s]["categorieJuridiqueUniteLegale"] != "1000"]
        siren = self.rng.choice(candidates)
        self.new_establishment(siren, _rand_date(self.rng, start, end), self._place(), siege=False)
        ev["secondary_openings"] += 1

    def event_transfer(self, start: date, end: date, ev: Counter) -> None:
        kind = self.rng.choice(("move_in", "move_out", "within"))
        candidates = self.active_companies(inside=kind != "move_in")
        if not candidates:
            return
        siren = self.rng.choice(candidates)
        current = self.head_office(siren)["codeCommuneEtablissement"]
        place = self._place(kind != "move_out")
        if kind == "within" and len(self.inside) > 1:
            while place.code == current:
                place = self._place(True)
        self.transfer(siren, self._when(start, end), place)
        ev["transfers"] += 1
        ev[f"transfers_{kind}"] += 1

    def event_headcount(self, start: date, end: date, ev: Counter) -> None:
        siren = self.rng.choice(self.active_companies())
        self.shift_band(siren, self.rng.choice((-1, 1)), self._when(start, end))
        ev["headcount_changes"] += 1

    def event_activity(self, start: date, end: date, ev: Counter) -> None:
        siren = self.rng.choice(self.active_companies())
        tech = self.ul[siren]["activitePrincipaleUniteLegale"] in self.tech
        naf = self._naf(tech if self.rng.random() < 0.6 else not tech)
        self.change_activity(siren, naf, self._when(start, end))
        ev["activity_changes"] += 1

    # -- the published files -----------------------------------------------------------------------------------
    def snapshot(self, month: str) -> tuple[list[dict], list[dict]]:
        """Rows as INSEE publishes them: masked where diffusion is partial, NAF 2025 from December 2025."""
        naf25 = _month_bounds(month)[0] >= _NAF25_FROM
        ets = []
        for siret in sorted(self.et):
            row = dict(self.et[siret])
            if naf25 and row["etatAdministratifEtablissement"] == "A":
                row["activitePrincipaleNAF25Etablissement"] = _naf25(row["activitePrincipaleEtablissement"])
            if row["statutDiffusionEtablissement"] == "P":
                row.update(dict.fromkeys(PERSONAL_ETABLISSEMENT, ND))
            ets.append(row)
        uls = []
        for siren in sorted(self.ul):
            row = dict(self.ul[siren])
            if naf25 and row["etatAdministratifUniteLegale"] == "A":
                row["activitePrincipaleNAF25UniteLegale"] = _naf25(row["activitePrincipaleUniteLegale"])
            if row["statutDiffusionUniteLegale"] == "P" and row["categorieJuridiqueUniteLegale"] == "1000":
                row.update(dict.fromkeys(PERSONAL_UNITE_LEGALE, ND))
            uls.append(row)
        return ets, uls


def _add_noise(ets: list[dict], uls: list[dict], rng: random.Random) -> tuple[list[dict], set[str], Counter]:
    """Rows a loader must reject or deduplicate. Returns (all establishment rows, SIRETs of the rows that
    only CSV can carry, counts). Invalid rows use NICs 9xxxx, which the simulation never reaches."""
    ev: Counter = Counter()
    pool = [r for r in ets if r["etatAdministratifEtablissement"] == "A" and r["statutDiffusionEtablissement"] == "O"]
    extra: list[dict] = []
    seq = iter(range(9000, 9999))

    def variant(valid: bool = True, **changes) -> dict:
        row = dict(rng.choice(pool), etablissementSiege=False, **changes)
        siret = with_check_digit(row["siren"] + f"{next(seq):04d}")
        if not valid:
            siret = siret[:-1] + str((int(siret[-1]) + rng.randint(1, 9)) % 10)
        row.update(nic=siret[9:], siret=siret)
        extra.append(row)
        return row

    for _ in range(rng.randint(1, 2)):
        variant(valid=False)
        ev["invalid_siret"] += 1
    variant(activitePrincipaleEtablissement="62.99Q")
    ev["invalid_naf"] += 1
    if rng.random() < 0.6:
        variant(etatAdministratifEtablissement="Z")
        ev["invalid_etat"] += 1
    csv_only = {variant(dateCreationEtablissement="2025-02-30")["siret"]}
    ev["invalid_date_csv_only"] += 1
    for _ in range(rng.randint(1, 2)):
        extra.append(dict(rng.choice(pool)))
        ev["exact_duplicates"] += 1
    stale = dict(rng.choice(pool))
    stamp = date.fromisoformat(stale["dateDernierTraitementEtablissement"][:10]) - timedelta(rng.randint(30, 400))
    stale["dateDernierTraitementEtablissement"] = stamp.isoformat() + "T03:00:00"
    band = stale["trancheEffectifsEtablissement"]
    stale["trancheEffectifsEtablissement"] = rng.choice([b for b in BANDS if b != band])
    extra.append(stale)
    ev["stale_duplicates"] += 1

    bad_ul = dict(rng.choice([u for u in uls if u["statutDiffusionUniteLegale"] == "O"]))
    siren = with_check_digit(str(rng.randint(30_000_000, 99_999_999)))
    bad_ul["siren"] = siren[:-1] + str((int(siren[-1]) + 5) % 10)
    uls.append(bad_ul)
    uls.sort(key=lambda u: u["siren"])
    ev["invalid_siren_ul"] += 1

    rows = ets + extra
    rows.sort(key=lambda r: (r["siret"], r["dateDernierTraitementEtablissement"]))
    return rows, csv_only, ev


# ---------------------------------------------------------------------------------------------------------------
# Writers (atomic: write `<name>.tmp`, then rename)

def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_csv(rows: list[dict], columns: tuple[str, ...], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_text(row[c]) for c in columns] for row in rows)


def _write_parquet(rows: list[dict], columns: tuple[str, ...], path: Path, dates: frozenset, stamps: frozenset,
                   bools: frozenset) -> None:
    arrays = []
    for col in columns:
        values = [row[col] for row in rows]
        if col in bools:
            arrays.append(pa.array(values, pa.bool_()))
            continue
        arr = pa.array(values, pa.string())
        if col in dates:
            arr = arr.cast(pa.date32())
        elif col in stamps:
            arr = arr.cast(pa.timestamp("us"))
        arrays.append(arr)
    pq.write_table(pa.Table.from_arrays(arrays, names=list(columns)), path, compression="zstd")


def _zip_file(src: Path, dest: Path, member: str, *, level: int = 6) -> None:
    """Stream `src` into a one-member zip; fixed timestamp so that the bytes depend on the content only."""
    info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info._compresslevel = level  # ZipFile.open() ignores the archive's compresslevel for an explicit ZipInfo
    with zipfile.ZipFile(dest, "w", compresslevel=level) as zf:
        with open(src, "rb") as fin, zf.open(info, "w", force_zip64=src.stat().st_size > 2**31) as fout:
            shutil.copyfileobj(fin, fout, 16 * 2**20)


def _write_stock(rows: list[dict], columns: tuple[str, ...], path: Path, fmt: str, **types) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "parquet":
        _write_parquet(rows, columns, tmp, **types)
    elif fmt == "csv":
        _write_csv(rows, columns, tmp)
    else:
        csv_tmp = path.with_name(path.stem + ".csv.tmp")
        _write_csv(rows, columns, csv_tmp)
        _zip_file(csv_tmp, tmp, path.stem + ".csv")
        csv_tmp.unlink()
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------------
# Public entry points

def generate_demo(out_dir: Path, *, start: str = "2024-11", months: int = 24, seed: int = 2026,
                  companies: int = 1500, fmt: str = "parquet") -> list[dict]:
    """Write one pair of stock files per month (state at the end of the month) under `out_dir/YYYY-MM/`.

    Returns [{"month", "etablissements", "unites_legales", "events"}] where `events` counts what changed that
    month (creations, closures, transfers...) and the invalid or duplicated rows injected."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {sorted(FORMATS)}, not {fmt!r}")
    ext, out_dir = FORMATS[fmt], Path(out_dir)
    registry = _Registry(seed, companies, start)
    registry.populate(companies)
    written = []
    for index, month in enumerate(month_range(start, months)):
        events = registry.step(index, month)
        ets, uls = registry.snapshot(month)
        # Noise has its own RNG so that the history does not depend on it.
        ets, csv_only, noise = _add_noise(ets, uls, random.Random(f"{seed}/{month}/noise"))
        if fmt == "parquet":  # a DATE column cannot hold 2025-02-30
            ets = [r for r in ets if r["siret"] not in csv_only]
            noise.pop("invalid_date_csv_only")
        events.update(noise)
        events.update(etablissements=len(ets), unites_legales=len(uls))
        month_dir = out_dir / month
        month_dir.mkdir(parents=True, exist_ok=True)
        et_path, ul_path = month_dir / (ET_FILE + ext), month_dir / (UL_FILE + ext)
        _write_stock(ets, ETABLISSEMENT_COLUMNS, et_path, fmt, dates=ET_DATES, stamps=ET_STAMPS, bools=ET_BOOLS)
        _write_stock(uls, UNITE_LEGALE_COLUMNS, ul_path, fmt, dates=UL_DATES, stamps=UL_STAMPS, bools=frozenset())
        written.append({"month": month, "etablissements": et_path, "unites_legales": ul_path,
                        "events": dict(sorted(events.items()))})
    return written


# ---------------------------------------------------------------------------------------------------------------
# France-scale files, generated inside DuckDB (never row by row in Python)

_SCALE_DEPS = [f"{d:02d}" for d in range(1, 96) if d not in (20, 92)]
_SCALE_REV1 = _OLD_CODES["NAFRev1"]
_SCALE_LEGAL = ("5710", "5710", "5499", "5499", "5720", "5599", "6540", "9220")


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _luhn_terms(digits: int) -> str:
    """SQL sum of the Luhn terms of the `digits` rightmost digits of n, the check digit still to append:
    the rightmost digit of n is doubled."""
    terms = []
    for k in range(digits):
        d = f"((n // {10 ** k}) % 10)"
        terms.append(f"((2 * {d}) % 10 + (2 * {d}) // 10)" if k % 2 == 0 else d)
    return " + ".join(terms)


def _scale_macros(con, seed: int, n_ul: int) -> None:
    step = (999_999_999 - 5_000_000) // max(1, n_ul)
    con.execute(f"CREATE OR REPLACE TEMP MACRO rnd(x, k, m) AS CAST(hash(x, k, {int(seed)}) % CAST(m AS UBIGINT) "
                "AS BIGINT)")
    con.execute("CREATE OR REPLACE TEMP MACRO pick(l, x, k) AS l[1 + rnd(x, k, len(l))]")
    # Sirens increase with the company number, so rows come out sorted like the real files.
    # Valid check digits, like the real files (loads would otherwise quarantine every row), computed with
    # integer arithmetic unrolled per digit: string functions are an order of magnitude slower at 44M rows.
    con.execute(f"CREATE OR REPLACE TEMP MACRO luhn_digit(n) AS (10 - ({_luhn_terms(13)}) % 10) % 10")
    con.execute(f"CREATE OR REPLACE TEMP MACRO siren_base(c) AS (5000000 + c * {step} + rnd(c, 0, {step})) // 10")
    con.execute("CREATE OR REPLACE TEMP MACRO siren_of(c) AS "
                "lpad(CAST(siren_base(c) * 10 + luhn_digit(siren_base(c)) AS VARCHAR), 9, '0')")
    con.execute("CREATE OR REPLACE TEMP MACRO nic_of(c, k) AS lpad(CAST(k AS VARCHAR), 4, '0') || "
                "CAST(luhn_digit(CAST(siren_of(c) AS BIGINT) * 10000 + k) AS VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP MACRO band_of(x, k) AS CASE WHEN rnd(x, k, 100) < 30 THEN NULL "
                f"ELSE pick({_sql_list(BANDS + ('NN',) * 6 + ('01',) * 4)}, x, k + 1) END")
    # Processing dates from 2015 to the end of October 2026, the month the files describe, denser towards it (as
    # in the real files): a territory's rows then have their latest date in that month, which loads check.
    span = 373_420_800  # seconds from 2015-01-01 to 2026-10-31
    con.execute("CREATE OR REPLACE TEMP MACRO stamp_of(x, k, lo) AS greatest(CAST(lo AS TIMESTAMP), "
                f"TIMESTAMP '2026-10-31 23:59:59' - to_seconds(CAST(floor(pow(rnd(x, k, {span}) / {span}.0, 3) "
                f"* {span}) AS BIGINT)))")


def _select(columns: tuple[str, ...], exprs: dict[str, str], personal: tuple[str, ...], masked: str) -> str:
    """The SELECT list in official order; unlisted columns are NULL text, personal ones [ND] when masked."""
    unknown = set(exprs) - set(columns)
    if unknown:
        raise ValueError(f"not official columns: {sorted(unknown)}")
    out = []
    for col in columns:
        expr = exprs.get(col, "CAST(NULL AS VARCHAR)")
        if col in personal:
            expr = f"CASE WHEN {masked} THEN '{ND}' ELSE {expr} END"
        out.append(f"{expr} AS {col}")
    return ",\n  ".join(out)


def _scale_etablissement_sql(rows: int, n_ul: int, territory_share: float, inside: tuple[Place, ...]) -> str:
    tech, other = _naf_codes()
    ppm = int(round(territory_share * 1_000_000))
    codes, posts, names = (_sql_list(v) for v in zip(*((p.code, p.postcodes[0], p.name) for p in inside)))
    xs, ys = (f"[{', '.join(str(int(v)) for v in vs)}]" for vs in zip(*((p.x, p.y) for p in inside)))
    exprs = {
        "siren": "siren", "nic": "nic", "siret": "siren || nic",
        "statutDiffusionEtablissement": "CASE WHEN masked THEN 'P' ELSE 'O' END",
        "dateCreationEtablissement": "created", "trancheEffectifsEtablissement": "band",
        "anneeEffectifsEtablissement": "CASE WHEN band <> 'NN' THEN '2023' END",
        "dateDernierTraitementEtablissement": "stamp_of(i, 16, debut)", "etablissementSiege": "k = 1",
        "nombrePeriodesEtablissement": "CAST(1 + rnd(i, 17, 4) AS VARCHAR)",
        "complementAdresseEtablissement": f"CASE WHEN rnd(i, 18, 10) = 0 "
                                          f"THEN pick({_sql_list(_COMPLEMENTS)}, i, 19) END",
        "numeroVoieEtablissement": "CAST(num AS VARCHAR)",
        "indiceRepetitionEtablissement": "CASE WHEN rnd(i, 20, 20) = 0 THEN 'B' END",
        "typeVoieEtablissement": f"pick({_sql_list(_STREET_TYPES)}, i, 21)",
        "libelleVoieEtablissement": f"pick({_sql_list(_STREETS)}, i, 22)",
        "codePostalEtablissement": "postcode", "libelleCommuneEtablissement": "commune_name",
        "codeCommuneEtablissement": "commune",
        "identifiantAdresseEtablissement": "commune || '_' || lpad(CAST(rnd(i, 23, 10000) AS VARCHAR), 4, '0') || '_' "
                                           "|| lpad(CAST(num AS VARCHAR), 5, '0')",
        "coordonneeLambertAbscisseEtablissement": "CAST(x AS VARCHAR) || '.' || CAST(rnd(i, 24, 10) AS VARCHAR)",
        "coordonneeLambertOrdonneeEtablissement": "CAST(y AS VARCHAR) || '.' || CAST(rnd(i, 25, 10) AS VARCHAR)",
        "dateDebut": "debut", "etatAdministratifEtablissement": "etat",
        "enseigne1Etablissement": f"CASE WHEN rnd(i, 26, 12) = 0 THEN pick({_sql_list(_NAME_HEADS)}, i, 27) "
                                  f"|| pick({_sql_list(_NAME_TAILS)}, i, 28) END",
        "activitePrincipaleEtablissement": "naf",
        "nomenclatureActivitePrincipaleEtablissement": "CASE WHEN rev1 THEN 'NAFRev1' ELSE 'NAFRev2' END",
        "caractereEmployeurEtablissement": "CASE WHEN coalesce(band, 'NN') IN ('NN', '00') THEN 'N' ELSE 'O' END",
        "activitePrincipaleNAF25Etablissement": "CASE WHEN etat = 'A' THEN substr(naf, 1, 5) || 'Y' END",
    }
    return f"""
WITH ids AS (SELECT i, i * {n_ul} // {rows} AS c FROM range({rows}) t(i)),
b AS (
  SELECT i, c, i - (c * {rows} + {n_ul} - 1) // {n_ul} + 1 AS k, rnd(c, 2, 1000) < 60 AS masked,
    rnd(i, 3, 1000000) < {ppm} AS gpso, 1 + rnd(i, 4, {len(inside)}) AS gi, pick({_sql_list(_SCALE_DEPS)}, i, 5) AS dep,
    1 + rnd(i, 6, 600) AS cnum, DATE '1960-01-01' + CAST(rnd(i, 7, 24300) AS INTEGER) AS created,
    CASE WHEN rnd(i, 8, 100) < 45 THEN 'A' ELSE 'F' END AS etat, band_of(i, 9) AS band, 1 + rnd(i, 11, 200) AS num
  FROM ids),
d AS (
  SELECT *, siren_of(c) AS siren, nic_of(c, k) AS nic,
    CASE WHEN gpso THEN {codes}[gi] ELSE dep || lpad(CAST(cnum AS VARCHAR), 3, '0') END AS commune,
    CASE WHEN gpso THEN {posts}[gi] ELSE dep || lpad(CAST(cnum % 90 * 10 AS VARCHAR), 3, '0') END AS postcode,
    CASE WHEN gpso THEN {names}[gi] ELSE 'COMMUNE ' || dep || lpad(CAST(cnum AS VARCHAR), 3, '0') END AS commune_name,
    CASE WHEN gpso THEN {xs}[gi] - 800 + rnd(i, 12, 1600) ELSE 100000 + rnd(i, 12, 1100000) END AS x,
    CASE WHEN gpso THEN {ys}[gi] - 800 + rnd(i, 13, 1600) ELSE 6050000 + rnd(i, 13, 1050000) END AS y,
    created + CAST(rnd(i, 14, date_diff('day', created, DATE '2026-07-31') + 1) AS INTEGER) AS debut
  FROM b),
e AS (
  SELECT *, CASE WHEN rev1 THEN pick({_sql_list(_SCALE_REV1)}, i, 29)
                 WHEN rnd(i, 30, 100) < 5 THEN pick({_sql_list(tech)}, i, 31)
                 ELSE pick({_sql_list(other)}, i, 31) END AS naf
  FROM (SELECT *, etat = 'F' AND debut < DATE '2008-01-01' AND rnd(i, 15, 3) = 0 AS rev1 FROM d))
SELECT
  {_select(ETABLISSEMENT_COLUMNS, exprs, PERSONAL_ETABLISSEMENT, "masked")}
FROM e"""


def _scale_unite_legale_sql(n_ul: int) -> str:
    tech, other = _naf_codes()
    exprs = {
        "siren": "siren_of(c)", "statutDiffusionUniteLegale": "CASE WHEN masked THEN 'P' ELSE 'O' END",
        "dateCreationUniteLegale": "created",
        "sigleUniteLegale": f"CASE WHEN NOT person AND rnd(c, 36, 8) = 0 "
                            f"THEN pick({_sql_list(_NAME_HEADS)}, c, 37) END",
        "sexeUniteLegale": "CASE WHEN person THEN sexe END",
        "prenom1UniteLegale": "first_name", "prenomUsuelUniteLegale": "first_name",
        "identifiantAssociationUniteLegale": "CASE WHEN cj = '9220' THEN 'W' || lpad(CAST(rnd(c, 38, 999999999) "
                                             "AS VARCHAR), 9, '0') END",
        "trancheEffectifsUniteLegale": "band", "anneeEffectifsUniteLegale": "CASE WHEN band <> 'NN' THEN '2023' END",
        "dateDernierTraitementUniteLegale": "stamp_of(c, 39, debut)",
        "nombrePeriodesUniteLegale": "CAST(1 + rnd(c, 40, 5) AS VARCHAR)",
        "categorieEntreprise": "CASE WHEN etat = 'A' THEN CASE WHEN band IN ('52', '53') THEN 'GE' "
                               "WHEN band IN ('32', '41', '42', '51') THEN 'ETI' ELSE 'PME' END END",
        "anneeCategorieEntreprise": "CASE WHEN etat = 'A' THEN '2023' END",
        "dateDebut": "debut", "etatAdministratifUniteLegale": "etat",
        "nomUniteLegale": f"CASE WHEN person THEN pick({_sql_list(_SURNAME_A)}, c, 41) "
                          f"|| pick({_sql_list(_SURNAME_B)}, c, 42) END",
        "denominationUniteLegale": f"CASE WHEN NOT person THEN pick({_sql_list(_NAME_HEADS)}, c, 43) "
                                   f"|| pick({_sql_list(_NAME_TAILS)}, c, 44) || ' ' "
                                   f"|| pick({_sql_list(_WORDS_TECH + _WORDS_OTHER)}, c, 45) END",
        "categorieJuridiqueUniteLegale": "cj", "activitePrincipaleUniteLegale": "naf",
        "nomenclatureActivitePrincipaleUniteLegale": "'NAFRev2'", "nicSiegeUniteLegale": "nic_of(c, 1)",
        "economieSocialeSolidaireUniteLegale": "CASE WHEN NOT person THEN 'N' END",
        "caractereEmployeurUniteLegale": "CASE WHEN coalesce(band, 'NN') IN ('NN', '00') THEN 'N' ELSE 'O' END",
        "activitePrincipaleNAF25UniteLegale": "CASE WHEN etat = 'A' THEN substr(naf, 1, 5) || 'Y' END",
    }
    return f"""
WITH b AS (
  SELECT c, rnd(c, 2, 1000) < 60 AS masked,
    CASE WHEN rnd(c, 30, 100) < 56 THEN '1000' ELSE pick({_sql_list(_SCALE_LEGAL)}, c, 31) END AS cj,
    DATE '1960-01-01' + CAST(rnd(c, 32, 24300) AS INTEGER) AS created,
    CASE WHEN rnd(c, 33, 100) < 55 THEN 'A' ELSE 'C' END AS etat, band_of(c, 34) AS band,
    CASE WHEN rnd(c, 46, 2) = 0 THEN 'F' ELSE 'M' END AS sexe,
    CASE WHEN rnd(c, 47, 100) < 5 THEN pick({_sql_list(tech)}, c, 48) ELSE pick({_sql_list(other)}, c, 48) END AS naf
  FROM range({n_ul}) t(c)),
d AS (
  SELECT *, cj = '1000' AS person,
    created + CAST(rnd(c, 49, date_diff('day', created, DATE '2026-07-31') + 1) AS INTEGER) AS debut,
    CASE WHEN cj <> '1000' THEN NULL WHEN sexe = 'F' THEN pick({_sql_list(_FIRST["F"])}, c, 50)
         ELSE pick({_sql_list(_FIRST["M"])}, c, 50) END AS first_name
  FROM b)
SELECT
  {_select(UNITE_LEGALE_COLUMNS, exprs, PERSONAL_UNITE_LEGALE, "masked AND person")}
FROM d"""


def write_scale_stock(out_dir: Path, rows: int = 10_000_000, *, fmt: str = "parquet", seed: int = 1,
                      territory_share: float = 0.002, places: tuple[Place, ...] | None = None) -> dict:
    """Write France-sized StockEtablissement (`rows` rows) and StockUniteLegale (~0.68 x rows) files.

    `territory_share` of the establishments are spread evenly over `places` (default: the default territory's
    communes), within 800 m of each place's Lambert 93 point; the others over made-up communes of other
    departments.

    Returns {"etablissements": Path, "unites_legales": Path, "etablissement_rows": int, "unite_legale_rows": int}."""
    import duckdb

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {sorted(FORMATS)}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_ul = max(1, round(rows * 0.68))
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{out_dir / '.duckdb_tmp'}'")
    _scale_macros(con, seed, n_ul)
    result = {"etablissement_rows": rows, "unite_legale_rows": n_ul}
    et_sql = _scale_etablissement_sql(rows, n_ul, territory_share, places or _places()[0])
    for key, name, sql, n in (("etablissements", ET_FILE, et_sql, rows),
                              ("unites_legales", UL_FILE, _scale_unite_legale_sql(n_ul), n_ul)):
        path = out_dir / (name + FORMATS[fmt])
        started = time.monotonic()
        print(f"[scale] {name}: {n:,} rows -> {path}", flush=True)
        _copy_scale(con, sql, path, fmt)
        print(f"[scale] {name}: done in {time.monotonic() - started:.1f} s, "
              f"{path.stat().st_size / 2**20:,.1f} MiB", flush=True)
        result[key] = path
    con.close()
    shutil.rmtree(out_dir / ".duckdb_tmp", ignore_errors=True)
    return result


def _copy_scale(con, sql: str, path: Path, fmt: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "parquet":
        con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION snappy)")
    else:
        target = tmp if fmt == "csv" else path.with_name(path.stem + ".csv.tmp")
        con.execute(f"COPY ({sql}) TO '{target}' (FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d', "
                    "TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')")
        if fmt == "zip":
            print(f"[scale] zipping {target.stat().st_size / 2**20:,.0f} MiB of CSV", flush=True)
            _zip_file(target, tmp, path.stem + ".csv", level=1)
            target.unlink()
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------------
# Command line

def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["scale"]:
        parser = argparse.ArgumentParser(prog="python -m demo.generator scale",
                                         description="Write France-sized SIRENE stock files for benchmarks.")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--rows", type=int, default=10_000_000, help="establishments (default 10,000,000)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="parquet")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--territory-share", type=float, default=0.002)
        args = parser.parse_args(argv[1:])
        result = write_scale_stock(args.out, args.rows, fmt=args.format, seed=args.seed,
                                   territory_share=args.territory_share)
        print(f"{result['etablissement_rows']:,} establishments, {result['unite_legale_rows']:,} legal units")
        return 0
    parser = argparse.ArgumentParser(prog="python -m demo.generator",
                                     description="Write monthly synthetic SIRENE stock files for the demo "
                                                 "(see also: python -m demo.generator scale --help).")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=sorted(FORMATS), default="parquet")
    parser.add_argument("--start", default="2024-11", help="first month, YYYY-MM")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--companies", type=int, default=1500)
    args = parser.parse_args(argv)
    for month in generate_demo(args.out, start=args.start, months=args.months, seed=args.seed,
                               companies=args.companies, fmt=args.format):
        ev = month["events"]
        print(f"{month['month']}: {ev['etablissements']:,} establishments, {ev['unites_legales']:,} legal units, "
              f"{ev['creations']} creations, {ev['closures']} closures, {ev['transfers']} transfers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
