"""The demo news site on loopback: the stable port (or a free one), {{BASE}} filled in, ETag/304, Arc XP's feed
path, robots.txt, and 404 for anything outside the bundle."""

from __future__ import annotations

import socket

import httpx

from demo.news import DEMO_FEEDS, SITE, serve_demo_news


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serves_the_bundle_with_etags_on_the_configured_port(monkeypatch):
    port = _free_port()
    monkeypatch.setenv("RADAR_DEMO_NEWS_PORT", str(port))
    with serve_demo_news() as base, httpx.Client() as client:
        assert base == f"http://127.0.0.1:{port}"
        for _, path, _ in DEMO_FEEDS:
            first = client.get(base + path)
            assert first.status_code == 200, path
            assert first.headers["etag"] and first.headers["last-modified"]
            assert "{{BASE}}" not in first.text and base in first.text
            again = client.get(base + path, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"] and not again.content
        arc = client.get(base + "/arc/outboundfeeds/rss/category/hauts-de-seine-92.xml")
        assert arc.content == client.get(base + "/feeds/hauts-de-seine-92.xml").content
        assert arc.headers["content-type"].startswith("application/rss+xml")
        robots = client.get(base + "/robots.txt")
        assert robots.status_code == 200 and robots.text == (SITE / "robots.txt").read_text(encoding="utf-8")
        for outside in ("/nope.xml", "/feeds/", "/../__init__.py", "/%2e%2e/__init__.py", "/feeds/../../__init__.py"):
            assert client.get(base + outside).status_code == 404, outside


def test_falls_back_to_a_free_port_when_the_stable_one_is_taken(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("RADAR_DEMO_NEWS_PORT", str(taken.getsockname()[1]))
        with serve_demo_news() as base:
            assert base != f"http://127.0.0.1:{taken.getsockname()[1]}"
            assert httpx.get(base + "/robots.txt").status_code == 200
