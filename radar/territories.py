"""A multi-territory working directory: one folder per territory, each laid out as a single-territory working
directory, and the national files' cache shared at the top.

    WORKDIR/territories.json        the territories it holds (slug -> name): what makes it multi-territory
    WORKDIR/cache/                  downloads, file hashes, the scan's scratch: shared by every territory
    WORKDIR/<slug>/                 warehouse.duckdb, published/, landing/, reports/, ... as in a single one
    WORKDIR/<slug>/territory.toml   the territory file as of the last run (report, news, sql... read it there,
                                    and so do the Dask workers, which share the working directory, not the CLI's files)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from radar.config import TERRITORIES_MARKER, ConfigError, Territory, Workdir, load_territory

# A slug names a folder: no separator, no dot, nothing a shell or a URL would mangle.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
TERRITORY_FILE = "territory.toml"


def iter_territory_files(folder: Path) -> Iterator[Path]:
    """The territory files (*.toml) of a folder, by name."""
    if not folder.is_dir():
        raise ConfigError(f"--territories: not a folder: {folder}")
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ConfigError(f"--territories: no territory file (*.toml) in {folder}")
    yield from files


def check_slugs(territories: list[Territory]) -> None:
    """Each territory of a multi-territory run has a slug of its own that can name its folder."""
    seen: dict[str, Territory] = {}
    for t in territories:
        if "slug" not in t.raw:
            raise ConfigError(f"{t.source_file}: missing key 'slug' (each territory of a multi-territory run names "
                              "its folder with it)")
        if not _SLUG.match(t.slug):
            raise ConfigError(f"{t.source_file}: slug '{t.slug}' cannot name a folder: use lowercase letters, "
                              "digits, '-' and '_'")
        if t.slug in seen:
            raise ConfigError(f"{seen[t.slug].source_file} and {t.source_file} have the same slug '{t.slug}'")
        seen[t.slug] = t


def is_multi_territory(root: Path) -> bool:
    return (root / TERRITORIES_MARKER).is_file()


def holds_one_territory(root: Path) -> bool:
    """A single-territory working directory: its warehouse or snapshot sits at the top."""
    wd = Workdir(root)
    return wd.warehouse.exists() or wd.published.exists()


def territory_workdir(root: Path, slug: str) -> Workdir:
    return Workdir(root / slug)


def territory_file(root: Path, slug: str) -> Path:
    return root / slug / TERRITORY_FILE


def recorded_territories(root: Path) -> dict[str, str]:
    """slug -> name of the territories the working directory holds, by slug; empty for a single-territory one."""
    if not is_multi_territory(root):
        return {}
    return dict(sorted(json.loads((root / TERRITORIES_MARKER).read_text(encoding="utf-8"))["territories"].items()))


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def record_territories(root: Path, territories: list[Territory]) -> None:
    """Make `root` a multi-territory working directory holding these territories besides those it held, each
    territory's file copied into its folder. A single-territory working directory is refused: its warehouse
    would sit beside the territories' folders, and readers could not tell which one they read."""
    check_slugs(territories)
    if holds_one_territory(root) and not is_multi_territory(root):
        raise ConfigError(f"{root} is a single-territory working directory ({Workdir(root).warehouse.name} at its "
                          "top): give a multi-territory run a --workdir of its own")
    known = recorded_territories(root)
    for t in territories:
        folder = root / t.slug
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(territory_file(root, t.slug), Path(t.source_file).read_text(encoding="utf-8"))
        known[t.slug] = t.name
    _write_atomically(root / TERRITORIES_MARKER,
                      json.dumps({"territories": dict(sorted(known.items()))}, indent=2, ensure_ascii=False))


def choose_territory(root: Path, value: str | None) -> str:
    """The slug a reader's `--territory` names in a multi-territory working directory: a slug it holds, or a
    territory file whose slug it holds."""
    known = recorded_territories(root)
    listed = ", ".join(known)
    if value is None:
        raise ConfigError(f"{root} holds {len(known)} territories ({listed}): pick one with --territory SLUG")
    if value in known:
        return value
    if Path(value).is_file():
        slug = load_territory(value).slug
        if slug in known:
            return slug
    raise ConfigError(f"no territory '{value}' in {root} (it holds: {listed})")
