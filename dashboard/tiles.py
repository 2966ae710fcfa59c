"""Base tiles under the map, only when the network allows.

The tile source is a URL template (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`) from `RADAR_DASHBOARD_TILES`
(set by `radar dashboard` from the territory's `[dashboard] tiles`); `none` or nothing disables them. Whether the
network allows is decided by the server: it fetches one tile through the project's HTTP client, with a short
timeout, once (the answer is kept for a while). When that fails the page has no tile layer at all, so the browser
never requests a tile it cannot get (no failed request, no console error); the map still reads without tiles.

Tiles are drawn as Vega-Lite image marks, one per tile, placed by their corners' longitude and latitude on the
same Mercator projection as the points: no extra library, and nothing to load when there are no tiles.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass

import pandas as pd

from extractors.http import RetryPolicy, SourceError, client_from_env

TILES_ENV = "RADAR_DASHBOARD_TILES"
ATTRIBUTION_ENV = "RADAR_DASHBOARD_TILES_ATTRIBUTION"
MAX_TILES = 24  # about 5 tiles across a wide page at native size
MAX_ZOOM = 18
PROBE_TIMEOUT = 2.0  # seconds: a reachable tile host answers a cached tile well within this
PROBE_TTL_OK, PROBE_TTL_FAILED = 3600.0, 300.0  # a failure is retried sooner: the network may come back


@dataclass(frozen=True)
class TileSource:
    template: str
    attribution: str

    def url(self, z: int, x: int, y: int) -> str:
        return self.template.format(z=z, x=x, y=y)


def parse_tile_source(template: str | None, attribution: str | None) -> TileSource | None:
    """The configured tile source, or None when disabled. A template must be http(s) and name {z}, {x} and {y}."""
    template = (template or "").strip()
    if not template or template.lower() == "none":
        return None
    if not template.startswith(("https://", "http://")) or not all(k in template for k in ("{z}", "{x}", "{y}")):
        raise ValueError(f"tile URL template must be http(s) and contain {{z}}, {{x}} and {{y}}: {template!r}")
    return TileSource(template, (attribution or "").strip() or "© OpenStreetMap")


def configured_source() -> TileSource | None:
    return parse_tile_source(os.environ.get(TILES_ENV), os.environ.get(ATTRIBUTION_ENV))


# --- Slippy-map tile arithmetic (Web Mercator, the tiles' and Vega-Lite's projection) --------------------------

def tile_x(lon: float, z: int) -> int:
    return min(2 ** z - 1, max(0, math.floor((lon + 180.0) / 360.0 * 2 ** z)))


def tile_y(lat: float, z: int) -> int:
    lat = max(-85.0511, min(85.0511, lat))
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * 2 ** z
    return min(2 ** z - 1, max(0, math.floor(y)))


def tile_lon(x: int, z: int) -> float:
    return x / 2 ** z * 360.0 - 180.0


def tile_lat(y: int, z: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))


def tile_range(bbox: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    lon_min, lat_min, lon_max, lat_max = bbox
    return (range(tile_x(lon_min, z), tile_x(lon_max, z) + 1), range(tile_y(lat_max, z), tile_y(lat_min, z) + 1))


def choose_zoom(bbox: tuple[float, float, float, float], max_tiles: int = MAX_TILES) -> int:
    """The most detailed zoom whose tiles covering `bbox` are at most `max_tiles`."""
    for z in range(MAX_ZOOM, -1, -1):
        xs, ys = tile_range(bbox, z)
        if len(xs) * len(ys) <= max_tiles:
            return z
    return 0


def tile_frame(source: TileSource, bbox: tuple[float, float, float, float]) -> pd.DataFrame:
    """One row per tile covering `bbox`: its URL and the longitude/latitude of its corners."""
    z = choose_zoom(bbox)
    xs, ys = tile_range(bbox, z)
    rows = [{"url": source.url(z, x, y), "lon": tile_lon(x, z), "lat": tile_lat(y, z),
             "lon2": tile_lon(x + 1, z), "lat2": tile_lat(y + 1, z)} for x in xs for y in ys]
    return pd.DataFrame(rows, columns=["url", "lon", "lat", "lon2", "lat2"])


# --- Does the network allow? ----------------------------------------------------------------------------------

class _Probe:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.when = 0.0

    def expired(self, now: float) -> bool:
        return self.done.is_set() and now - self.when >= (PROBE_TTL_OK if self.ok else PROBE_TTL_FAILED)


_probes: dict[str, _Probe] = {}  # template -> its latest probe
_probe_lock = threading.Lock()


def probe(source: TileSource) -> bool:
    """Fetch the world tile (z=0): an image answer that allows cross-origin use means tiles can be drawn."""
    # A User-Agent naming the product and a contact: OpenStreetMap's tile policy requires it.
    client = client_from_env(connect_timeout=PROBE_TIMEOUT, read_timeout=PROBE_TIMEOUT, write_timeout=PROBE_TIMEOUT,
                             pool_timeout=PROBE_TIMEOUT,
                             retry=RetryPolicy(max_attempts=1, budget_seconds=PROBE_TIMEOUT * 2))
    try:
        resp = client.get(source.url(0, 0, 0), source="base tiles", expect="image/", max_bytes=2 * 1024 * 1024,
                          headers={"Origin": "http://localhost"})
        # Vega loads images with crossOrigin="anonymous": without this header every tile would fail in the browser.
        return bool(resp.headers.get("access-control-allow-origin"))
    except SourceError:
        return False
    finally:
        client.close()


def _run_probe(source: TileSource, state: _Probe, clock) -> None:
    try:
        state.ok = probe(source)
    finally:
        state.when = clock()
        state.done.set()


def start_probe(source: TileSource | None, *, clock=time.monotonic) -> _Probe | None:
    """Probe in the background unless a recent answer is known: one probe in flight per template, shared by
    every session. Called when any page runs, so the answer is usually there before the map is opened."""
    if source is None:
        return None
    with _probe_lock:
        state = _probes.get(source.template)
        if state is None or state.expired(clock()):
            state = _probes[source.template] = _Probe()
            threading.Thread(target=_run_probe, args=(source, state, clock), daemon=True, name="tile-probe").start()
        return state


def tiles_reachable(source: TileSource | None, *, wait: float = PROBE_TIMEOUT + 0.5, clock=time.monotonic) -> bool:
    """Whether to draw tiles: the probe's answer, waiting for it at most `wait` seconds (name resolution is not
    bounded by the HTTP timeouts); no answer yet counts as unreachable, and the next page run asks again.
    Cached an hour when reachable, five minutes when not (the network may come back)."""
    state = start_probe(source, clock=clock)
    return state is not None and state.done.wait(wait) and state.ok
