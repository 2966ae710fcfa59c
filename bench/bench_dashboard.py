"""Time until each dashboard page is interactive in Chromium, on the demo snapshot and on a Paris-size snapshot
(about 600,000 establishments). Goal: under 2 s per page.

    .venv/bin/python -m bench.bench_dashboard [--cache DIR] [--establishments 600000] [--rounds 3] [--tiles]
                                              [--build-only]

The Paris-size snapshot comes from the project's generator (write_scale_stock, every establishment in one of
Paris's 20 arrondissements, listed in a territory file written by the bench) loaded by the real pipeline steps.
Both snapshots are built once under the cache folder (delete it to rebuild). Two timings per page: a cold visit
(a shared link opened in a new tab: the whole frontend starts; its bundles come from the browser's cache, as for
a returning user) and a navigation from the sidebar (the usual case once the dashboard is open). Base tiles are
off unless --tiles.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from steps import common  # noqa: E402
from tests.dashboard.browser import PAGES, Browser, running_dashboard  # noqa: E402
from tests.snapshots import build_demo_snapshot  # noqa: E402

NAV_LABELS = {"": "Vue d'ensemble", "carte": "Carte", "entreprises": "Entreprises", "fiche": "Fiche entreprise",
              "signaux": "Signaux", "qualite": "Qualité des données"}


def demo_snapshot(cache: Path) -> Path:
    path = cache / "demo" / "wd" / "published" / "radar.duckdb"
    if not path.is_file():
        shutil.rmtree(cache / "demo", ignore_errors=True)
        build_demo_snapshot(cache / "demo", months=24, companies=1500)
    return path


# The 20 arrondissements of Paris: INSEE code, postcode, approximate centre (WGS84).
ARRONDISSEMENTS = [(f"751{n:02d}", f"750{n:02d}", lat, lon) for n, (lat, lon) in enumerate((
    (48.8625, 2.3364), (48.8683, 2.3428), (48.8630, 2.3600), (48.8543, 2.3576), (48.8445, 2.3507),
    (48.8491, 2.3328), (48.8562, 2.3121), (48.8727, 2.3125), (48.8770, 2.3375), (48.8761, 2.3608),
    (48.8591, 2.3800), (48.8400, 2.3880), (48.8283, 2.3623), (48.8292, 2.3265), (48.8401, 2.2929),
    (48.8637, 2.2769), (48.8873, 2.3067), (48.8925, 2.3484), (48.8871, 2.3848), (48.8634, 2.4011)), start=1)]
PARIS_MONTHS = ("2026-07", "2026-08")


def write_paris_territory(path: Path) -> Path:
    """The default territory's sectors and settings with the 20 arrondissements of Paris as communes."""
    gpso = (ROOT / "territories" / "gpso.toml").read_text(encoding="utf-8")
    settings = gpso[gpso.index("[sectors]"):gpso.index("[[feeds]]")]
    names = {code: f"Paris {int(code[-2:])}{'er' if code == '75101' else 'e'}" for code, *_ in ARRONDISSEMENTS}
    communes = "".join(f'[[communes]]\ncode = "{code}"\nname = "{names[code]}"\npostcodes = ["{post}"]\n\n'
                       for code, post, _, _ in ARRONDISSEMENTS)
    path.write_text(f'name = "Paris (benchmark)"\nslug = "paris-bench"\n\n{communes}{settings}', encoding="utf-8")
    return path


def paris_places():
    from pyproj import Transformer

    from demo.generator import Place

    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    places = []
    for code, post, lat, lon in ARRONDISSEMENTS:
        x, y = to_l93.transform(lon, lat)
        places.append(Place(code, f"PARIS {code[-2:]}", (post,), round(x), round(y), 1.0, None, True))
    return tuple(places)


def paris_snapshot(cache: Path, establishments: int) -> tuple[Path, dict]:
    """A Paris-size snapshot built by the real pipeline steps (no Prefect) from the generator's stock files, in
    which every establishment lies in one of the 20 arrondissements. The generator writes one state of the
    stock: it is loaded as two consecutive months (the second month has no events), so that the pages which
    compare months have two to compare. Built once under the cache folder; returns (path, build timings)."""
    from demo.generator import write_scale_stock
    from radar.config import Workdir, load_territory
    from steps import sirene_month as steps

    root = cache / f"paris-{establishments}"
    path = root / "wd" / "published" / "radar.duckdb"
    timings_file = root / "build.json"
    if path.is_file() and timings_file.is_file():
        return path, json.loads(timings_file.read_text())
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    timings: dict = {}
    started = time.monotonic()
    stock = write_scale_stock(root / "stock", establishments, territory_share=1.0, places=paris_places())
    timings["generate_s"] = round(time.monotonic() - started, 1)
    territory = load_territory(write_paris_territory(root / "paris.toml"))
    workdir = Workdir(root / "wd")
    common.prepare_warehouse(workdir)
    for month in PARIS_MONTHS:
        started = time.monotonic()
        counts = steps.load_files(workdir, territory, stock["etablissements"], stock["unites_legales"], month)
        timings[f"load_{month}_s"] = round(time.monotonic() - started, 1)
        print(f"[paris] {month} loaded in {timings[f'load_{month}_s']} s: {counts['in_territory']:,} "
              "establishments in the territory", flush=True)
    started = time.monotonic()
    common.publish(workdir, territory)
    timings["publish_s"] = round(time.monotonic() - started, 1)
    timings_file.write_text(json.dumps(timings))
    return path, timings


def time_pages(snapshot: Path, rounds: int, log: Path, tiles: str = "none") -> dict:
    from playwright.sync_api import sync_playwright

    con = duckdb.connect(str(snapshot), read_only=True)
    # The company with the most events (the generator's Paris-size stock has none: the most establishments).
    siren = con.execute("SELECT siren FROM (SELECT siren, 1 AS k, count(*) AS n FROM event GROUP BY siren UNION ALL "
                        "SELECT siren, 2, count(*) FROM establishment WHERE in_territory GROUP BY siren) "
                        "ORDER BY k, n DESC, siren LIMIT 1").fetchone()[0]
    est = con.execute("SELECT count(*) FROM establishment").fetchone()[0]
    con.close()
    load_before = os.getloadavg()[0]
    cold: dict[str, list[float]] = {s: [] for s in PAGES}
    nav: dict[str, list[float]] = {s: [] for s in PAGES}
    with running_dashboard(snapshot.parent.parent, log, tiles=tiles) as base, sync_playwright() as pw:
        b = Browser(pw, cache=True)  # a returning browser: Streamlit's hashed bundles come from its cache
        try:
            b.open(base + "/", PAGES[""], timeout=120_000)  # warm the server (imports, first connection)
            for _ in range(rounds):
                for slug, title in PAGES.items():
                    query = f"?siren={siren}" if slug == "fiche" else ""
                    cold[slug].append(b.open(f"{base}/{slug}{query}", title, timeout=120_000))
                for slug, title in PAGES.items():
                    started = time.monotonic()
                    b.page.locator('[data-testid="stSidebarNav"] a', has_text=NAV_LABELS[slug]).first.click()
                    b.wait_idle(title, timeout=120_000)
                    nav[slug].append(time.monotonic() - started)
        finally:
            b.close()
    page = lambda s: s or "vue-ensemble"
    return {"establishments": est,
            "cold_visit_s": {page(s): round(statistics.median(v), 2) for s, v in cold.items()},
            "sidebar_navigation_s": {page(s): round(statistics.median(v), 2) for s, v in nav.items()},
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "console_errors": len([e for e in b.console_errors if "404" not in e]),
            "outside_requests": len(b.outside_requests)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "data" / "dashboard")
    ap.add_argument("--establishments", type=int, default=600_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build-only", action="store_true", help="Build (or find) the snapshots, time nothing.")
    ap.add_argument("--tiles", action="store_true",
                    help="Also time the Paris-size pages with base tiles from a loopback tile server.")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    demo = demo_snapshot(args.cache)
    paris, build = paris_snapshot(args.cache, args.establishments)
    if args.build_only:
        print(json.dumps(build))
        return
    results = {"demo": time_pages(demo, args.rounds, args.cache / "demo.log"),
               "paris_size": time_pages(paris, args.rounds, args.cache / "paris.log"),
               "paris_build_s": build, "goal_s": 2.0}
    if args.tiles:
        from tests.fakes.http_server import FakeServer
        from tests.fakes.tiles import serve_tiles, tile_requests

        with FakeServer() as tile_host:
            results["paris_size_with_tiles"] = time_pages(paris, args.rounds, args.cache / "tiles.log",
                                                          tiles=serve_tiles(tile_host))
            results["paris_size_with_tiles"]["tile_requests"] = len(tile_requests(tile_host))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
