"""Territory configuration (one TOML file per territory) and the layout of the working directory."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from radar.errors import RadarError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TERRITORY = PROJECT_ROOT / "territories" / "gpso.toml"
DEFAULT_WORKDIR = Path("radar-data")
# The file that makes a working directory a multi-territory one (one sub-folder per territory).
TERRITORIES_MARKER = "territories.json"

_COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_NAF_CODE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
_SIREN = re.compile(r"^\d{9}$")


class ConfigError(RadarError, ValueError):
    """A territory file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postcodes: tuple[str, ...]


@dataclass(frozen=True)
class SectorSet:
    name: str
    label: str
    naf_rev2: frozenset[str]
    naf_2025: frozenset[str]


@dataclass(frozen=True)
class Territory:
    name: str
    slug: str
    communes: tuple[Commune, ...]
    sector_sets: dict[str, SectorSet]
    default_sector: str
    excluded_sirens: frozenset[str]
    landing_retention_days: int = 400
    source_file: Path | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def commune_codes(self) -> list[str]:
        return [c.code for c in self.communes]

    @property
    def tech_codes(self) -> frozenset[str]:
        return self.sector_sets[self.default_sector].naf_rev2


def load_territory(path: str | Path | None = None) -> Territory:
    path = Path(path) if path else DEFAULT_TERRITORY
    if not path.is_file():
        raise ConfigError(f"territory file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_territory(data, path)


def parse_territory(data: dict, path: Path | None = None) -> Territory:
    where = str(path or "territory")

    def need(mapping: dict, key: str, ctx: str):
        if key not in mapping:
            raise ConfigError(f"{where}: missing key '{ctx}{key}'")
        return mapping[key]

    communes = []
    for i, c in enumerate(need(data, "communes", "")):
        code = str(need(c, "code", f"communes[{i}]."))
        if not _COMMUNE_CODE.match(code):
            raise ConfigError(f"{where}: communes[{i}].code '{code}' is not an INSEE commune code")
        communes.append(Commune(code, str(need(c, "name", f"communes[{i}]."))
                                , tuple(str(p) for p in c.get("postcodes", []))))
    if not communes:
        raise ConfigError(f"{where}: 'communes' is empty")

    sectors = need(data, "sectors", "")
    raw_sets = need(sectors, "sets", "sectors.")
    sets: dict[str, SectorSet] = {}
    for name, spec in raw_sets.items():
        codes = set(spec.get("naf_rev2", []))
        for included in spec.get("includes", []):
            if included not in raw_sets:
                raise ConfigError(f"{where}: sectors.sets.{name}.includes names unknown set '{included}'")
            codes |= set(raw_sets[included].get("naf_rev2", []))
        bad = sorted(c for c in codes if not _NAF_CODE.match(c))
        if bad:
            raise ConfigError(f"{where}: sectors.sets.{name}: not NAF codes: {', '.join(bad)}")
        sets[name] = SectorSet(name, spec.get("label", name), frozenset(codes),
                               frozenset(spec.get("naf_2025", [])))
    default = sectors.get("default", next(iter(sets)))
    if default not in sets:
        raise ConfigError(f"{where}: sectors.default '{default}' is not a defined set")

    excluded = [str(s) for s in data.get("exclusions", {}).get("sirens", [])]
    bad = [s for s in excluded if not _SIREN.match(s)]
    if bad:
        raise ConfigError(f"{where}: exclusions.sirens: not SIRENs: {', '.join(bad)}")

    return Territory(
        name=str(need(data, "name", "")),
        slug=str(data.get("slug", "territory")),
        communes=tuple(communes),
        sector_sets=sets,
        default_sector=default,
        excluded_sirens=frozenset(excluded),
        landing_retention_days=int(data.get("landing", {}).get("retention_days", 400)),
        source_file=path,
        raw=data,
    )


@dataclass(frozen=True)
class Workdir:
    """Where everything a run writes lives; one directory per deployment."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published" / "radar.duckdb"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def cache(self) -> Path:
        # A territory of a multi-territory working directory shares its parent's cache: the national files are
        # downloaded and hashed once for all its territories (radar/territories.py).
        if (self.root.parent / TERRITORIES_MARKER).is_file():
            return self.root.parent / "cache"
        return self.root / "cache"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def demo_data(self) -> Path:
        return self.root / "demo-data"

    def ensure(self) -> Workdir:
        for p in (self.root, self.published.parent, self.landing, self.cache, self.reports):
            p.mkdir(parents=True, exist_ok=True)
        return self
