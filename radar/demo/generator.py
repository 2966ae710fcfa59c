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

from extractors.sirene_schema import (
    ETABLISSEMENT_COLUMNS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_COLUMNS,
)
from radar.config import load_territory

ET_FILE, UL_FILE = "StockEtablissement_utf8", "StockUniteLegale_utf8"
FORMATS = {"parquet": ".parquet", "csv": ".csv", "zip": ".zip"}
ND = "[ND]"

ET_DATES = frozenset({"dateCreationEtablissement", "dateDebut"})
UL_DATES = frozenset({"dateCreationUniteLegale", "dateDebut"})
ET_STAMPS = frozenset({"dateDernierTraitementEtablissement"})
UL_STAMPS = frozenset({"dateDernierTraitementUniteLegale"})
ET_BOOLS = frozenset({"etablissementSiege"})

_REFERENCE = Path(__file__).resolve().parent.parent / "reference"
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

def luhn_valid(digits: str) -> bool:
    """Luhn check used by SIREN (9 digits) and SIRET (14 digits)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    """`prefix` followed by the check digit that makes it Luhn-valid."""
    return next(prefix + c for c in "0123456789" if luhn_valid(prefix + c))


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
            siren = luhn_complete(str(self.rng.randint(30_000_000, 99_999_999)))
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
            known = when.year < self.horizon.year - 1
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
        siret = luhn_complete(siren + f"{len(self.sirets[siren]) + 1:04d}")
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
            addr["distributionSpecialeEtablissement"] = r.choice(("CS ", "BP ")) + str(r.randint(10, 90999))
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
            if inside is None or (self.head_office(siren)["codeCommuneEtablissement"] in self._inside_codes) == inside:
                out.append(siren)
        return out

    @property
    def _inside_codes(self) -> set[str]:
        return {p.code for p in self.inside}
