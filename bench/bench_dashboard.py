"""Time until each dashboard page is interactive in Chromium, on the demo snapshot and on a Paris-size snapshot
(about 600,000 establishments). Goal: under 2 s per page.

    .venv/bin/python -m bench.bench_dashboard [--cache DIR] [--establishments 600000] [--rounds 3] [--tiles]

The Paris-size snapshot is synthetic: the demo snapshot's companies, establishments and events replicated under
new SIRENs (coordinates jittered) until the target count; the monthly aggregate tables are the demo's. It is
built once under the cache folder. Two timings per page: a cold visit (a shared link opened in a new tab: the
whole frontend starts; its bundles come from the browser's cache, as for a returning user) and a navigation from
the sidebar (the usual case once the dashboard is open). Base tiles are off unless --tiles.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dashboard.browser import PAGES, Browser, running_dashboard  # noqa: E402
from tests.dashboard.conftest import build_demo_snapshot  # noqa: E402

NAV_LABELS = {"": "Vue d'ensemble", "carte": "Carte", "entreprises": "Entreprises", "fiche": "Fiche entreprise",
              "signaux": "Signaux", "qualite": "Qualité des données"}


def demo_snapshot(cache: Path) -> Path:
    path = cache / "demo" / "wd" / "published" / "radar.duckdb"
    if not path.is_file():
        shutil.rmtree(cache / "demo", ignore_errors=True)
        build_demo_snapshot(cache / "demo", months=24, companies=1500)
    return path


def scaled_snapshot(demo: Path, cache: Path, establishments: int) -> Path:
    path = cache / f"scaled-{establishments}" / "published" / "radar.duckdb"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    shutil.copyfile(demo, tmp)
    con = duckdb.connect(str(tmp))
    try:
        n = con.execute("SELECT count(*) FROM establishment").fetchone()[0]
        copies = -(-establishments // n)
        new_siren = "CASE WHEN r.i = 0 THEN {c} ELSE lpad(r.i::VARCHAR, 3, '0') || substr({c}, 4) END"
        con.execute(f"CREATE TEMP TABLE copies AS SELECT range AS i FROM range({copies})")
        con.execute(f"""CREATE OR REPLACE TABLE company AS SELECT * REPLACE ({new_siren.format(c='siren')} AS siren,
            CASE WHEN r.i = 0 OR name IS NULL THEN name ELSE name || ' ' || r.i END AS name)
            FROM company, copies r""")
        con.execute(f"""CREATE OR REPLACE TABLE establishment AS SELECT * REPLACE (
            {new_siren.format(c='siren')} AS siren, {new_siren.format(c='siret')} AS siret,
            latitude + (random() - 0.5) * 0.01 AS latitude, longitude + (random() - 0.5) * 0.015 AS longitude)
            FROM establishment, copies r LIMIT {establishments}""")
        con.execute(f"""CREATE OR REPLACE TABLE event AS SELECT * REPLACE (
            CASE WHEN r.i = 0 THEN event_id ELSE event_id || r.i END AS event_id, {new_siren.format(c='siren')} AS siren)
            FROM event, copies r""")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(path)
    return path


def time_pages(snapshot: Path, rounds: int, log: Path, tiles: str = "none") -> dict:
    from playwright.sync_api import sync_playwright

    con = duckdb.connect(str(snapshot), read_only=True)
    siren = con.execute("SELECT siren FROM event GROUP BY siren ORDER BY count(*) DESC, siren LIMIT 1").fetchone()[0]
    est = con.execute("SELECT count(*) FROM establishment").fetchone()[0]
    con.close()
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
    page = lambda s: s or "vue-ensemble"  # noqa: E731
    return {"establishments": est,
            "cold_visit_s": {page(s): round(statistics.median(v), 2) for s, v in cold.items()},
            "sidebar_navigation_s": {page(s): round(statistics.median(v), 2) for s, v in nav.items()},
            "console_errors": len([e for e in b.console_errors if "404" not in e]),
            "outside_requests": len(b.outside_requests)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "data" / "dashboard")
    ap.add_argument("--establishments", type=int, default=600_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiles", action="store_true",
                    help="Also time the Paris-size pages with base tiles from a loopback tile server.")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    demo = demo_snapshot(args.cache)
    started = time.monotonic()
    scaled = scaled_snapshot(demo, args.cache, args.establishments)
    built = time.monotonic() - started
    results = {"demo": time_pages(demo, args.rounds, args.cache / "demo.log"),
               "paris_size": time_pages(scaled, args.rounds, args.cache / "scaled.log"),
               "scaled_build_s": round(built, 1), "goal_s": 2.0}
    if args.tiles:
        from tests.fakes.http_server import FakeServer
        from tests.fakes.tiles import serve_tiles, tile_requests

        with FakeServer() as tile_host:
            results["paris_size_with_tiles"] = time_pages(scaled, args.rounds, args.cache / "tiles.log",
                                                          tiles=serve_tiles(tile_host))
            results["paris_size_with_tiles"]["tile_requests"] = len(tile_requests(tile_host))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
