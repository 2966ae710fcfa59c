"""Filters shared through the URL. Everything a user types is validated against the snapshot's own reference
values (allowlists) and reaches SQL only as a bound parameter; sort columns come from a fixed mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

ALL = "tous"
STATES = {"A": "Active", "C": "Cessée"}
# Sort keys a URL may name -> the SQL expression they mean. Anything else falls back to the default.
SORTS = {
    "nom": "name",
    "siren": "siren",
    "commune": "commune_name",
    "activite": "naf_label",
    "taille": "headcount_order",
    "etat": "state",
    "creation": "created_on",
}
DEFAULT_SORT = "nom"
_SIREN = re.compile(r"^\d{9}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Allowed:
    """The values the snapshot knows (read from its reference tables)."""
    communes: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    naf: frozenset[str] = frozenset()
    bands: frozenset[str] = frozenset()
    months: tuple[date, ...] = ()


@dataclass(frozen=True)
class Filters:
    q: str = ""
    communes: tuple[str, ...] = ()
    secteur: str = ALL
    naf: tuple[str, ...] = ()
    tailles: tuple[str, ...] = ()
    cree_du: date | None = None
    cree_au: date | None = None
    etat: str = ALL
    tri: str = DEFAULT_SORT
    desc: bool = False
    mois: date | None = None
    siren: str | None = None
    rejected: tuple[str, ...] = field(default=(), compare=False)


def _list(params, key: str) -> list[str]:
    """Query params may hold one value, a list, or a comma-joined list."""
    raw = params.get_all(key) if hasattr(params, "get_all") else params.get(key, [])
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for item in raw or []:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out


def _one(params, key: str) -> str | None:
    values = _list(params, key)
    return values[0] if values else None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_month(text: str | None) -> date | None:
    m = _MONTH.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def from_params(params, allowed: Allowed) -> Filters:
    """Filters from the URL; unknown values are dropped (and listed in `rejected`), never passed on."""
    rejected: list[str] = []

    def keep(key: str, values: list[str], allow: frozenset[str]) -> tuple[str, ...]:
        good = tuple(dict.fromkeys(v for v in values if v in allow))
        rejected.extend(f"{key}={v}" for v in values if v not in allow)
        return good

    secteur = _one(params, "secteur") or ALL
    if secteur != ALL and secteur not in allowed.sectors:
        rejected.append(f"secteur={secteur}")
        secteur = ALL
    etat = _one(params, "etat") or ALL
    if etat != ALL and etat not in STATES:
        rejected.append(f"etat={etat}")
        etat = ALL
    tri = _one(params, "tri") or DEFAULT_SORT
    if tri not in SORTS:
        rejected.append(f"tri={tri}")
        tri = DEFAULT_SORT
    mois = parse_month(_one(params, "mois"))
    if mois is not None and allowed.months and mois not in allowed.months:
        rejected.append(f"mois={_one(params, 'mois')}")
        mois = None
    siren = _one(params, "siren")
    if siren is not None and not _SIREN.match(siren):
        rejected.append(f"siren={siren}")
        siren = None
    return Filters(
        q=(_one(params, "q") or "")[:100],
        communes=keep("commune", _list(params, "commune"), allowed.communes),
        secteur=secteur,
        naf=keep("naf", _list(params, "naf"), allowed.naf),
        tailles=keep("taille", _list(params, "taille"), allowed.bands),
        cree_du=_date(_one(params, "cree_du")),
        cree_au=_date(_one(params, "cree_au")),
        etat=etat,
        tri=tri,
        desc=_one(params, "ordre") == "desc",
        mois=mois,
        siren=siren,
        rejected=tuple(rejected),
    )


def to_params(f: Filters) -> dict[str, str | list[str]]:
    """The URL form of the filters: only what differs from the defaults."""
    out: dict[str, str | list[str]] = {}
    if f.q:
        out["q"] = f.q
    if f.communes:
        out["commune"] = list(f.communes)
    if f.secteur != ALL:
        out["secteur"] = f.secteur
    if f.naf:
        out["naf"] = list(f.naf)
    if f.tailles:
        out["taille"] = list(f.tailles)
    if f.cree_du:
        out["cree_du"] = f.cree_du.isoformat()
    if f.cree_au:
        out["cree_au"] = f.cree_au.isoformat()
    if f.etat != ALL:
        out["etat"] = f.etat
    if f.tri != DEFAULT_SORT:
        out["tri"] = f.tri
    if f.desc:
        out["ordre"] = "desc"
    if f.mois:
        out["mois"] = f.mois.strftime("%Y-%m")
    if f.siren:
        out["siren"] = f.siren
    return out


def replace(f: Filters, **changes) -> Filters:
    values = {fl.name: getattr(f, fl.name) for fl in fields(f)}
    values.update(changes)
    return Filters(**values)
