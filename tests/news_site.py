"""One funding round told by four real-shaped feeds (WordPress RSS 2.0, Atom, Arc XP RSS, Google News RSS), and
stories that share its words, served on a loopback fake (tests/fixtures/news/). Files use {{BASE}} for the
server's address and {{GN:/path}} for a Google News article id carrying the URL BASE/path (the form Google News
RSS links have long had: a base64url protobuf whose first string is the article's URL)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from extractors.feeds import FeedConfig
from tests.fakes.http_server import FakeServer, Reply

SITE = Path(__file__).resolve().parent / "fixtures" / "news"
FEEDS = (
    ("Start-up Hebdo", "/wp/feed/", "wordpress.xml", "national", "application/rss+xml; charset=UTF-8"),
    ("Tech Ouest", "/atom/feed.atom", "atom.xml", "national", "application/atom+xml; charset=utf-8"),
    ("Le Quotidien 92", "/arc/outboundfeeds/rss/category/hauts-de-seine-92/", "arc.xml", "local",
     "application/rss+xml; charset=utf-8"),
    ("Google News Issy Data Labs", "/gn/rss/search", "google-news.xml", "search", "application/rss+xml; charset=utf-8"),
)
PAGES = {"/atom/articles/issy-data-labs-12-millions": "atom-page.html"}
# The companies these stories are about: (name, commune code).
COMPANIES = (("ISSY DATA LABS", "92040"), ("BILLANCOURT CLOUD", "92012"))


def google_news_id(url: str) -> str:
    raw = b"\x08\x13\x22" + bytes([len(url)]) + url.encode() + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def render(text: str, base: str) -> str:
    text = re.sub(r"\{\{GN:([^}]+)\}\}", lambda m: google_news_id(base + m.group(1)), text)
    return text.replace("{{BASE}}", base)


def serve(srv: FakeServer) -> list[FeedConfig]:
    """Route the feeds and pages on `srv`; the feeds to read."""
    base = srv.base_url
    srv.route("/robots.txt", Reply(404, b"", {"Content-Type": "text/plain"}))
    for _name, path, file, _kind, content_type in FEEDS:
        srv.route(path, Reply(200, render((SITE / file).read_text(encoding="utf-8"), base).encode(),
                              {"Content-Type": content_type}))
    for path, file in PAGES.items():
        srv.route(path, Reply.html(render((SITE / file).read_text(encoding="utf-8"), base)))
    return [FeedConfig(name, base + path, kind) for name, path, _file, kind, _type in FEEDS]
