"""Territory files for multi-territory tests: the default territory's sectors and settings, other communes."""

from __future__ import annotations

from pathlib import Path

from radar.config import DEFAULT_TERRITORY


def territory_text(slug: str, name: str, communes: list[str]) -> str:
    text = DEFAULT_TERRITORY.read_text(encoding="utf-8")
    head = f'name = "{name}"\nslug = "{slug}"\n\n' + "".join(
        f'[[communes]]\ncode = "{c}"\nname = "Commune {c}"\n\n' for c in communes)
    # A few companies each, which move in and out on purpose: the plausibility gate's drop check does not apply.
    return head + text[text.index("[sectors]"):] + "\n[plausibility]\nmax_drop = 1.0\n"


def write_territories(folder: Path, specs: dict[str, list[str]]) -> dict[str, Path]:
    """slug -> its file in `folder`, one per (slug: communes)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for slug, communes in specs.items():
        paths[slug] = folder / f"{slug}.toml"
        paths[slug].write_text(territory_text(slug, slug.title(), communes), encoding="utf-8")
    return paths


# Over tests/warehouse/months.py's companies: west is the two communes most of them are in, issy overlaps it,
# paris follows the companies with an establishment in Paris 15e (they moved in or out).
SPECS = {"west": ["92040", "92012"], "issy": ["92040"], "paris": ["75115"]}
