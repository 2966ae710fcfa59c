"""The SSRF guard (extractors/http/guard.py): private targets refused before connecting, on every redirect hop
and again at connect time (docs/reliability.md T30)."""

from __future__ import annotations

import socket

import pytest

from extractors.http import BlockedUrl
from tests.fakes.http_server import FakeServer, Reply


@pytest.fixture
def canary_server():
    with FakeServer() as srv:
        srv.route("/", Reply(200, b"canary"))
        yield srv


def test_T30_guard_refuses_private_targets_before_connecting(canary_server, make_client):
    p = canary_server.port
    client = make_client(guard=True)
    urls = [
        f"http://127.0.0.1:{p}/", f"http://[::1]:{p}/", f"http://2130706433:{p}/", "http://2130706433/",
        f"http://0177.0.0.1:{p}/", f"http://0x7f000001:{p}/", f"http://[::ffff:127.0.0.1]:{p}/",
        f"http://localhost:{p}/", f"http://0.0.0.0:{p}/", "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/", "http://192.168.1.1/", "http://[fe80::1]/", "http://224.0.0.1/",
        "file:///etc/passwd", "/etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/",
    ]
    for url in urls:
        with pytest.raises(BlockedUrl) as info:
            client.get(url, source="feed config")
        assert "passwd" not in str(info.value) or "root:" not in str(info.value)
    assert canary_server.hits == 0


def test_T30_unguarded_client_still_refuses_non_http_schemes(make_client):
    client = make_client()
    for url in ("file:///etc/passwd", "/etc/passwd"):
        with pytest.raises(BlockedUrl):
            client.get(url, source="feed config")


def test_T30_allowlisted_host_redirecting_to_loopback_is_refused(canary_server, make_client):
    with FakeServer() as allowed:
        allowed.route("/feed", Reply.redirect(canary_server.url("/")))
        allowed.route("/ok", Reply(200, b"<rss/>", {"Content-Type": "application/rss+xml"}))
        client = make_client(guard=True, allow_hosts={"localhost"})
        assert client.get(allowed.url("/ok", host="localhost"), source="feed").content == b"<rss/>"
        with pytest.raises(BlockedUrl, match="non-public address"):
            client.get(allowed.url("/feed", host="localhost"), source="feed test")
        assert len(allowed.requests_for("/feed")) == 1
    assert canary_server.hits == 0


def test_T30_dns_rebinding_is_caught_at_connect_time(canary_server, make_client, monkeypatch):
    calls = []

    def resolver(host, port):  # the attacker's DNS: a public address first, loopback afterwards
        calls.append(host)
        return ["93.184.216.34"] if len(calls) == 1 else ["127.0.0.1"]

    real_getaddrinfo = socket.getaddrinfo

    def system_dns(host, *args, **kwargs):  # what a connect by name would see on its own lookup
        return real_getaddrinfo("127.0.0.1" if host == "rebind.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", system_dns)
    client = make_client(guard=True, resolver=resolver)
    with pytest.raises(BlockedUrl, match="non-public address"):
        client.get(f"http://rebind.test:{canary_server.port}/", source="feed rebind")
    assert canary_server.hits == 0
    assert len(calls) == 2  # checked before the request, then again (and pinned) at connect time
