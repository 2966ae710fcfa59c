"""Offline news for the demo: feed snapshots (WordPress RSS 2.0, Atom, Arc XP RSS, Google News RSS) and article
pages with synthetic French text about the demo companies, served on loopback with ETag/Last-Modified and a
robots.txt, so the demo goes through exactly the same fetch/parse/load path as live feeds.

Files under site/ use the placeholder {{BASE}} for the server's base URL.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from extractors.feeds import FeedConfig

DEMO_PORT = 48765
SITE = Path(__file__).resolve().parent / "site"
_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
_LAST_MODIFIED = email.utils.formatdate(1_793_000_000, usegmt=True)  # fixed: the bundle never changes

DEMO_FEEDS = (
    ("Maddyness (démo)", "/feeds/maddyness.xml", "national"),
    ("Siècle Digital (démo)", "/feeds/siecle-digital.atom", "national"),
    ("Le Parisien Hauts-de-Seine (démo)", "/arc/outboundfeeds/rss/category/hauts-de-seine-92.xml", "local"),
    ("actu.fr Issy-les-Moulineaux (démo)", "/feeds/actu-issy-les-moulineaux.xml", "local"),
    ("Google News Boulogne-Billancourt (démo)", "/feeds/google-news-boulogne.xml", "search"),
)


def demo_feeds(base_url: str) -> list[FeedConfig]:
    return [FeedConfig(name, base_url.rstrip("/") + path, kind) for name, path, kind in DEMO_FEEDS]


class _Handler(BaseHTTPRequestHandler):
    server_version = "RadarDemoNews/1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/arc/outboundfeeds/rss/category/"):
            path = "/feeds/" + path.rsplit("/", 1)[-1]
        target = (SITE / path.lstrip("/")).resolve()
        if SITE not in target.parents or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes().replace(b"{{BASE}}", self.server.base_url.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", _TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _LAST_MODIFIED)
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_demo_news() -> Iterator[str]:
    """Serve the bundle on 127.0.0.1 (a free port) for the duration of the block; yields the base URL."""
    # A stable port keeps feed URLs (the key of their ETag state) the same from one demo run to the next.
    try:
        server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("RADAR_DEMO_NEWS_PORT", DEMO_PORT))), _Handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-news", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
