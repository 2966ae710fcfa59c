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
from collections.abc import Callable, Iterator
from pathlib import Path

from demo.loopback import LoopbackServer, RecordedRequest, Reply
from extractors.feeds import FeedConfig

# Below Linux's range of ephemeral ports (32768-60999), so an outgoing connection never holds it.
DEMO_PORT = 28765
SITE = Path(__file__).resolve().parent / "site"
_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
_LAST_MODIFIED = email.utils.formatdate(1_793_000_000, usegmt=True)  # fixed: the bundle never changes
_ARC = "/arc/outboundfeeds/rss/category/"  # Arc XP's feed path, served from feeds/

DEMO_FEEDS = (
    ("Maddyness (démo)", "/feeds/maddyness.xml", "national"),
    ("Siècle Digital (démo)", "/feeds/siecle-digital.atom", "national"),
    ("Le Parisien Hauts-de-Seine (démo)", _ARC + "hauts-de-seine-92.xml", "local"),
    ("actu.fr Issy-les-Moulineaux (démo)", "/feeds/actu-issy-les-moulineaux.xml", "local"),
    ("Google News Boulogne-Billancourt (démo)", "/feeds/google-news-boulogne.xml", "search"),
)


def demo_feeds(base_url: str) -> list[FeedConfig]:
    return [FeedConfig(name, base_url.rstrip("/") + path, kind) for name, path, kind in DEMO_FEEDS]


def site(base_url: Callable[[], str], root: Path = SITE) -> Callable[[RecordedRequest], Reply]:
    """The route serving the files under `root`: {{BASE}} replaced by `base_url()`, ETag (304 on If-None-Match)
    and Last-Modified, 404 for anything outside the folder."""

    def serve(req: RecordedRequest) -> Reply:
        path = req.path
        if path.startswith(_ARC):
            path = "/feeds/" + path.rsplit("/", 1)[-1]
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents or not target.is_file():
            return Reply.not_found()
        body = target.read_bytes().replace(b"{{BASE}}", base_url().encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if req.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, {"Content-Type": _TYPES.get(target.suffix, "application/octet-stream"),
                                 "ETag": etag, "Last-Modified": _LAST_MODIFIED})

    return serve


@contextlib.contextmanager
def serve_demo_news() -> Iterator[str]:
    """Serve the bundle on 127.0.0.1 for the duration of the block; yields the base URL. The port is
    $RADAR_DEMO_NEWS_PORT (default 28765), or a free one when that is taken."""
    # A stable port keeps feed URLs (the key of their ETag state) the same from one demo run to the next.
    server = LoopbackServer(int(os.environ.get("RADAR_DEMO_NEWS_PORT", DEMO_PORT)), name="demo-news")
    try:
        server.start()
    except OSError:
        server = LoopbackServer(name="demo-news").start()
    server.route("/*", site(lambda: server.base_url))
    with server:
        yield server.base_url
