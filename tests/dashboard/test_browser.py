"""A real browser (Debian's Chromium, driven by Playwright) on a running `radar dashboard`: every page opens,
a filter applied in the page gives the number SQL gives, no console error, no dialog, no request leaves the
machine. Screenshots of each page go to $RADAR_SCREENSHOTS (default: a pytest temporary folder)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from babel.numbers import format_decimal

from dashboard.tiles import tile_x, tile_y
from tests.dashboard.browser import CHROMIUM, PAGES, Browser, free_port, running_dashboard
from tests.fakes.http_server import FakeServer
from tests.fakes.tiles import serve_tiles, tile_requests
from tests.hostile import IMG, MUSTACHE, XSS
from warehouse.db import connect_snapshot

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
sync_api = pytest.importorskip("playwright.sync_api")

# Streamlit's frontend probes '<page path>/_stcore/health' and '/host-config' to find its base URL before
# trying the root: those two 404s (and the console lines they cause) are the only tolerated ones.
PROBES = ("/_stcore/health", "/_stcore/host-config")
PROBE_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"
# What a page must never show its French reader: a missing value as the machine writes it, a code in snake_case
# (`strike_off`, `judgment_date`, `success`-style statuses are words on the page), Streamlit's English dialog.
NOT_FRENCH = re.compile(r"\b(?:None|NaN|NaT|nan|null|undefined)\b|Page not found|\b[a-z]+_[a-z0-9_]+\b")


def sql(snapshot: Path, query: str, params=None):
    con = connect_snapshot(snapshot)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def republish_without(snapshot: Path, siren: str) -> None:
    """What warehouse.publish does: a new file beside the served one, renamed over it."""
    tmp = snapshot.with_name(snapshot.name + ".tmp")
    shutil.copyfile(snapshot, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("DELETE FROM company_in_difficulty WHERE siren = ?", [siren])
    con.close()
    os.replace(tmp, snapshot)


def fr(n: int) -> str:
    return format_decimal(n, locale="fr_FR")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("RADAR_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_in_a_real_browser(salted, shots, tmp_path):
    shared, sirens = salted
    workdir = tmp_path / "wd"  # a private copy: this test publishes over it
    snapshot = workdir / "published" / "radar.duckdb"
    snapshot.parent.mkdir(parents=True)
    shutil.copyfile(shared, snapshot)
    month = sql(snapshot, "SELECT max(month) FROM establishment_monthly")[0][0]
    (tech_companies,), = sql(snapshot, "SELECT count(DISTINCT siren) FROM establishment_monthly "
                                       "WHERE month = ? AND state = 'A' AND is_tech", [month])
    count_sql = ("SELECT count(*) FROM company c WHERE c.state = ? AND c.naf_code IN (SELECT naf_code FROM ref_sector "
                 "WHERE set_name = 'numerique') AND EXISTS (SELECT 1 FROM establishment e WHERE e.siren = c.siren "
                 "AND e.in_territory AND e.commune_code = '92040')")
    (active,), = sql(snapshot, count_sql, ["A"])
    (closed,), = sql(snapshot, count_sql, ["C"])

    with running_dashboard(workdir, tmp_path / "dashboard.log") as base, sync_api.sync_playwright() as pw:
        b = Browser(pw)
        try:
            for slug, title in PAGES.items():
                query = {"fiche": f"?siren={sirens['hostile']}",
                         "entreprises": "?commune=92040&secteur=numerique&etat=A"}.get(slug, "")
                b.open(f"{base}/{slug}{query}", title)
                b.page.screenshot(path=str(shots / f"{slug or 'vue-ensemble'}.png"))
                body = b.page.locator("body").inner_text()
                assert "[ND]" not in body and "Traceback" not in body
                assert not NOT_FRENCH.findall(body), (slug, sorted(set(NOT_FRENCH.findall(body))))
                if slug == "":
                    assert b.metric("Entreprises") == fr(tech_companies)
                if slug == "entreprises":
                    assert b.metric("Entreprises correspondant aux filtres") == fr(active)
                    b.page.get_by_text("Cessée", exact=True).click()  # apply a filter in the page
                    b.page.wait_for_url("**etat=C**")
                    b.wait_idle()
                    b.page.wait_for_function(
                        "v => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === v)",
                        arg=fr(closed), timeout=20_000)
                    assert "commune=92040" in b.page.url
                    b.page.screenshot(path=str(shots / "entreprises-cessees.png"))
                if slug == "fiche":
                    heading = b.page.get_by_role("heading", level=2).first.inner_text()
                    assert XSS in heading and IMG in heading
                    assert b.page.locator("a[href^='javascript:'], a[href^='data:']").count() == 0
                    assert b.page.locator("script:text('xss')").count() == 0
            b.open(f"{base}/vue-ensemble", "Vue d'ensemble")  # every page has its own URL, this one too
            assert not NOT_FRENCH.findall(b.page.locator("body").inner_text())
            b.open(f"{base}/fiche?siren={sirens['curly']}", "Fiche entreprise")
            assert MUSTACHE in b.page.get_by_role("heading", level=2).first.inner_text()
            b.page.screenshot(path=str(shots / "fiche-accolades.png"))
            # T18: a new snapshot is published under the running dashboard; the next request shows it.
            b.open(f"{base}/signaux?perimetre=tous", "Signaux")
            con = duckdb.connect(str(snapshot), read_only=True)
            (troubled,) = con.execute("SELECT count(DISTINCT siren) FROM company_in_difficulty").fetchone()
            con.close()
            assert b.metric("Entreprises en difficulté") == fr(troubled)
            republish_without(snapshot, sirens["troubled"])
            b.open(f"{base}/signaux?perimetre=tous", "Signaux")
            assert b.metric("Entreprises en difficulté") == fr(troubled - 1)
        finally:
            b.close()
    assert not b.dialogs, b.dialogs
    assert not b.outside_requests, b.outside_requests
    unexpected = [r for r in b.bad_responses if not r.startswith("404 ") or not r.endswith(PROBES)]
    assert not unexpected, unexpected
    errors = [e for e in b.console_errors if e != PROBE_404]
    assert not errors, errors
    assert {p.name for p in shots.glob("*.png")} >= {f"{s or 'vue-ensemble'}.png" for s in PAGES}


def test_a_shared_link_is_the_first_visit_of_a_fresh_server(salted, shots, tmp_path):
    """People arrive by shared links: the first request a new server gets may be any page, with its filters."""
    shared, _ = salted
    (located,), = sql(shared, "SELECT count(*) FROM establishment WHERE in_territory AND state = 'A' "
                              "AND latitude IS NOT NULL AND longitude IS NOT NULL")
    (filtered,), = sql(shared, "SELECT count(*) FROM establishment WHERE in_territory AND state = 'A' "
                               "AND latitude IS NOT NULL AND longitude IS NOT NULL AND commune_code = '92040' "
                               "AND naf_code IN (SELECT naf_code FROM ref_sector WHERE set_name = 'numerique')")
    assert 0 < filtered < located
    with running_dashboard(shared.parent.parent, tmp_path / "dashboard.log") as base, \
            sync_api.sync_playwright() as pw:
        b = Browser(pw)
        try:
            b.open(f"{base}/carte?commune=92040&secteur=numerique", PAGES["carte"])
            b.page.screenshot(path=str(shots / "carte-lien-partage.png"))
            shown = b.metric("Établissements actifs localisés")
            url = b.page.url
        finally:
            b.close()
    assert shown == fr(filtered)
    assert url.endswith("/carte?commune=92040&secteur=numerique")
    assert not b.dialogs and not b.outside_requests
    assert [r for r in b.bad_responses if not r.endswith(PROBES)] == []
    assert [e for e in b.console_errors if e != PROBE_404] == []


def tile_pixels(png_path: Path) -> float:
    """Share of a screenshot's pixels with the fake tiles' hue (cyan: green and blue high, red low; the exact
    values depend on the layer's opacity and the page's background)."""
    from PIL import Image

    data = Image.open(png_path).convert("RGB").tobytes()
    pixels = len(data) // 3
    cyan = sum(1 for i in range(0, len(data), 3) if data[i + 1] > 150 and data[i + 2] > 150 and data[i] < data[i + 1] - 100)
    return cyan / pixels


def open_map(base: str, b: Browser, shot: Path):
    b.open(f"{base}/carte", PAGES["carte"])
    chart = b.page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    b.page.wait_for_timeout(1500)  # images arrive after the chart is drawn
    chart.screenshot(path=str(shot))
    return chart


def test_map_draws_base_tiles_when_the_tile_host_answers(salted, shots, tmp_path):
    shared, _ = salted
    with FakeServer() as tile_host:
        template = serve_tiles(tile_host)
        with running_dashboard(shared.parent.parent, tmp_path / "dashboard.log", tiles=template) as base, \
                sync_api.sync_playwright() as pw:
            b = Browser(pw)
            try:
                open_map(base, b, shots / "carte-fond.png")
                caption = b.page.get_by_text("Fond de carte").first.inner_text()
            finally:
                b.close()
        requests = tile_requests(tile_host)
    probes = [r for z, _, _, r in requests if z == 0]
    drawn = [(z, x, y) for z, x, y, r in requests if "Chrome" in r.headers.get("user-agent", "")]
    assert probes and all(r.headers["user-agent"].startswith("EcosystemRadar/") for r in probes)  # the server's probe
    assert len(drawn) >= 4 and all(z >= 10 for z, _, _ in drawn), drawn  # the browser fetched the territory's tiles
    (lat, lon), = sql(shared, "SELECT avg(latitude), avg(longitude) FROM establishment WHERE in_territory")
    z = drawn[0][0]
    assert (z, tile_x(lon, z), tile_y(lat, z)) in drawn  # ...including the one under the territory's centre
    assert tile_pixels(shots / "carte-fond.png") > 0.2  # and drew them
    assert "© OpenStreetMap" in caption
    assert not b.outside_requests and not b.dialogs
    assert [e for e in b.console_errors if e != PROBE_404] == []


def test_map_has_no_tile_layer_when_the_tile_host_is_unreachable(salted, shots, tmp_path):
    shared, _ = salted
    dead = f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png"  # nothing listens there
    with running_dashboard(shared.parent.parent, tmp_path / "dashboard.log", tiles=dead) as base, \
            sync_api.sync_playwright() as pw:
        b = Browser(pw)
        requested: list[str] = []
        b.page.on("request", lambda r: requested.append(r.url))
        try:
            open_map(base, b, shots / "carte-sans-fond.png")
            assert b.page.get_by_text("Fond de carte").count() == 0
        finally:
            b.close()
    assert not [u for u in requested if "/tiles/" in u], requested  # no tile layer: not one tile asked for
    assert tile_pixels(shots / "carte-sans-fond.png") < 0.01
    assert not b.outside_requests and not b.dialogs
    assert [e for e in b.console_errors if e != PROBE_404] == []
