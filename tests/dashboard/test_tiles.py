"""Base tiles: the slippy-map arithmetic, the probe that decides whether the network allows them (real HTTP over
loopback through the project's client), and how `radar dashboard` reads the setting."""

from __future__ import annotations

import time

import pytest

from cli.dashboard import tile_settings
from dashboard import tiles
from radar.config import ConfigError, load_territory
from tests.dashboard.browser import free_port
from tests.fakes.http_server import Reply
from tests.fakes.tiles import png, serve_tiles

GPSO = (2.14, 48.78, 2.30, 48.86)  # lon_min, lat_min, lon_max, lat_max


def test_tile_corners_are_inverse_of_tile_indices():
    for z in (0, 5, 13, 18):
        x, y = tiles.tile_x(2.2399, z), tiles.tile_y(48.8245, z)
        assert tiles.tile_lon(x, z) <= 2.2399 < tiles.tile_lon(x + 1, z)
        assert tiles.tile_lat(y + 1, z) < 48.8245 <= tiles.tile_lat(y, z)
    assert (tiles.tile_x(0.0, 1), tiles.tile_y(0.0, 1)) == (1, 1)
    assert tiles.tile_x(180.0, 3) == 7 and tiles.tile_y(-89.0, 3) == 7  # clamped at the world's edge


def test_zoom_is_the_most_detailed_that_fits_the_tile_budget():
    z = tiles.choose_zoom(GPSO)
    xs, ys = tiles.tile_range(GPSO, z)
    assert len(xs) * len(ys) <= tiles.MAX_TILES
    xs, ys = tiles.tile_range(GPSO, z + 1)
    assert len(xs) * len(ys) > tiles.MAX_TILES
    assert tiles.choose_zoom((2.2399, 48.8245, 2.2399, 48.8245)) == tiles.MAX_ZOOM  # one point: one tile


def test_tile_frame_covers_the_box_with_urls_from_the_template():
    source = tiles.parse_tile_source("https://tiles.example/{z}/{x}/{y}.png", None)
    frame = tiles.tile_frame(source, GPSO)
    assert frame["lon"].min() <= GPSO[0] and frame["lon2"].max() >= GPSO[2]
    assert frame["lat2"].min() <= GPSO[1] and frame["lat"].max() >= GPSO[3]
    z = tiles.choose_zoom(GPSO)
    assert f"https://tiles.example/{z}/{tiles.tile_x(2.2, z)}/{tiles.tile_y(48.82, z)}.png" in set(frame["url"])
    assert source.attribution == "© OpenStreetMap"


@pytest.mark.parametrize("template", ["none", "", "NONE", None])
def test_none_disables_tiles(template):
    assert tiles.parse_tile_source(template, "x") is None


@pytest.mark.parametrize("template", ["ftp://t.example/{z}/{x}/{y}.png", "https://t.example/{z}/{x}.png",
                                      "javascript:alert(1)//{z}{x}{y}"])
def test_bad_templates_are_refused(template):
    with pytest.raises(ValueError, match="tile URL template"):
        tiles.parse_tile_source(template, None)


def test_probe_needs_an_image_that_the_browser_may_use(fake_server):
    good = tiles.parse_tile_source(serve_tiles(fake_server), None)
    assert tiles.probe(good)
    (req,) = fake_server.requests_for("/tiles/0/0/0.png")
    assert req.headers["user-agent"].startswith("EcosystemRadar/")
    fake_server.route("/nocors/0/0/0.png", Reply(200, png(1, 1, (0, 0, 0)), {"Content-Type": "image/png"}))
    fake_server.route("/html/0/0/0.png", Reply.html("<html>captive portal</html>"))
    fake_server.route("/down/0/0/0.png", Reply(503))
    for path in ("nocors", "html", "down", "missing"):
        assert not tiles.probe(tiles.parse_tile_source(fake_server.url(f"/{path}/{{z}}/{{x}}/{{y}}.png"), None)), path


def test_unreachable_or_silent_hosts_mean_no_tiles_within_the_timeout(fake_server):
    closed = tiles.parse_tile_source(f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png", None)
    fake_server.route("/slow/0/0/0.png", Reply(stall=True))
    silent = tiles.parse_tile_source(fake_server.url("/slow/{z}/{x}/{y}.png"), None)
    for source in (closed, silent):
        started = time.monotonic()
        assert not tiles.tiles_reachable(source)
        assert time.monotonic() - started < tiles.PROBE_TIMEOUT + 1.0


def test_the_probe_runs_once_and_its_answer_is_kept(fake_server):
    now = [100.0]
    source = tiles.parse_tile_source(serve_tiles(fake_server).replace("/tiles/", "/tiles/cached/"), None)
    fake_server.route("/tiles/*", Reply(200, png(1, 1, (0, 0, 0)), {"Content-Type": "image/png",
                                                                    "Access-Control-Allow-Origin": "*"}))
    assert all(tiles.tiles_reachable(source, clock=lambda: now[0]) for _ in range(5))
    assert fake_server.hits == 1
    now[0] += tiles.PROBE_TTL_OK + 1  # an hour later: asked again
    assert tiles.tiles_reachable(source, clock=lambda: now[0])
    assert fake_server.hits == 2


def test_settings_come_from_the_environment_then_the_territory(tmp_path):
    territory = load_territory()
    assert tile_settings(territory, {}) == {"RADAR_DASHBOARD_TILES": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                            "RADAR_DASHBOARD_TILES_ATTRIBUTION": "© OpenStreetMap"}
    assert tile_settings(territory, {"RADAR_DASHBOARD_TILES": "none"})["RADAR_DASHBOARD_TILES"] == "none"
    custom = tile_settings(territory, {"RADAR_DASHBOARD_TILES": "http://127.0.0.1:9/t/{z}/{x}/{y}.png",
                                       "RADAR_DASHBOARD_TILES_ATTRIBUTION": "© IGN"})
    assert custom == {"RADAR_DASHBOARD_TILES": "http://127.0.0.1:9/t/{z}/{x}/{y}.png",
                      "RADAR_DASHBOARD_TILES_ATTRIBUTION": "© IGN"}
    bad = tmp_path / "t.toml"
    bad.write_text(territory.source_file.read_text(encoding="utf-8").replace("{y}.png", ".png"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[dashboard\] tiles: tile URL template"):
        tile_settings(load_territory(bad), {})
    without = tmp_path / "u.toml"
    without.write_text(territory.source_file.read_text(encoding="utf-8").split("[dashboard]")[0], encoding="utf-8")
    assert tile_settings(load_territory(without), {})["RADAR_DASHBOARD_TILES"] == "none"  # opt-in only
