"""The hardened HTTP client against loopback fakes: requests, redirects, status handling, hangs and truncation
(docs/reliability.md T04, T05, T08), and the client every product module builds (`client_from_env`)."""

from __future__ import annotations

import gc
import json
import logging
import os
import pickle
import socket
import threading
import time

import httpx
import pytest

from extractors.http import (
    DEFAULT_CONTACT,
    AuthError,
    HostPolicy,
    HttpClient,
    HttpStatusError,
    RedirectError,
    RetryExhausted,
    RetryPolicy,
    SourceError,
    UnexpectedContent,
    client_from_env,
)
from radar import __version__
from tests.fakes.http_server import FakeServer, Reply

CANARY = "SECRET-CANARY-7f3a"
KEY_HEADER = "X-INSEE-Api-Key-Integration"


FAST = {"127.0.0.1": HostPolicy(1000.0, burst=1000), "localhost": HostPolicy(1000.0, burst=1000)}


# ---------------------------------------------------------------------------------------------------------------
# Basics


def test_user_agent_names_product_version_and_contact(server, make_client):
    server.route("/ua", Reply.json({"ok": True}))
    make_client().get_json(server.url("/ua"), source="test")
    ua = server.requests[0].headers["user-agent"]
    assert ua == f"EcosystemRadar/{__version__} (+mailto:data@example.org)"


def test_get_json_returns_data_and_raw_bytes_and_logs_one_line(server, make_client, caplog):
    server.route("/api", Reply.json({"a": [1, 2]}))
    caplog.set_level(logging.INFO, logger="radar.http")
    data, raw = make_client().get_json(server.url("/api"), source="test", params={"q": "siren:123", "page": 2})
    assert data == {"a": [1, 2]} and json.loads(raw) == data
    assert server.requests[0].query == {"q": "siren:123", "page": "2"}
    lines = [r.getMessage() for r in caplog.records if r.name == "radar.http"]
    assert len(lines) == 1
    assert lines[0].startswith(f"GET 127.0.0.1:{server.port} /api -> 200 in ")
    assert "siren" not in lines[0]  # the path only, never the query string


def test_conditional_get_returns_not_modified(server, make_client):
    server.route("/feed", Reply(304, b"", {"ETag": '"abc"'}))
    resp = make_client().get(server.url("/feed"), source="feed", if_none_match='"abc"',
                             if_modified_since="Thu, 01 Jan 2026 00:00:00 GMT")
    assert resp.not_modified and resp.content == b""
    assert server.requests[0].headers["if-none-match"] == '"abc"'
    assert server.requests[0].headers["if-modified-since"] == "Thu, 01 Jan 2026 00:00:00 GMT"


def test_other_4xx_is_terminal(server, make_client):
    server.route("/missing", Reply(404, b"nope", {"Content-Type": "text/plain"}))
    with pytest.raises(HttpStatusError) as info:
        make_client().get(server.url("/missing"), source="BODACC records")
    assert info.value.status == 404 and info.value.body == b"nope"
    assert "BODACC records request failed: 404" in str(info.value)
    assert server.hits == 1


def test_errors_survive_pickling(server, make_client):
    server.route("/html", Reply.html("<html>maintenance</html>"))
    with pytest.raises(UnexpectedContent) as info:
        make_client().get_json(server.url("/html"), source="test")
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is UnexpectedContent and str(clone) == str(info.value) and clone.body == info.value.body


def test_redirects_are_followed_by_hand_with_a_hop_limit(server, make_client):
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect(server.url("/c"), 301))
    server.route("/c", Reply.json({"done": True}))
    resp = make_client().get(server.url("/a"), source="test")
    assert resp.json() == {"done": True} and resp.url == server.url("/c")
    for i in range(7):
        server.route(f"/loop{i}", Reply.redirect(f"/loop{i + 1}"))
    with pytest.raises(RedirectError, match="more than 5 redirects"):
        make_client().get(server.url("/loop0"), source="test")
    assert len([r for r in server.requests if r.path.startswith("/loop")]) == 6


def test_connection_refused_is_retried_then_reported(make_client, clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(RetryExhausted) as info:
        make_client().get(f"http://127.0.0.1:{port}/x", source="Recherche API")
    assert "Recherche API failed after 4 attempts: connection error" in str(info.value)
    assert len(clock.sleeps) == 3


# ---------------------------------------------------------------------------------------------------------------
# client_from_env: the contact of the User-Agent


def test_client_from_env_puts_radar_contact_in_the_user_agent(server, monkeypatch):
    server.route("/ua", Reply.json({"ok": True}))
    monkeypatch.setenv("RADAR_CONTACT", "mailto:ops@example.net")
    with client_from_env(host_policies=FAST, read_timeout=5.0) as client:
        client.get_json(server.url("/ua"), source="test")
        assert client.timeout.read == 5.0  # the other options reach the client
    assert server.requests[0].headers["user-agent"] == f"EcosystemRadar/{__version__} (+mailto:ops@example.net)"


@pytest.mark.parametrize("value", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_client_from_env_default_contact(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("RADAR_CONTACT", raising=False)
    else:
        monkeypatch.setenv("RADAR_CONTACT", value)
    assert DEFAULT_CONTACT == "mailto:data@example.org"
    with client_from_env() as client:
        assert client.user_agent == f"EcosystemRadar/{__version__} (+mailto:data@example.org)"


# ---------------------------------------------------------------------------------------------------------------
# T04-T05: hangs, truncation


def _open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


@pytest.mark.parametrize("reply", [Reply(stall=True), Reply.json({"k": "v" * 5000}, stall_after=100)],
                         ids=["never-answers", "stalls-mid-body"])
def test_T04_read_timeout_retried_and_bounded(reply, clock):
    threads_before = set(threading.enumerate())
    fds_before = _open_fds()
    started = time.monotonic()
    with FakeServer() as srv:
        srv.route("/hang", reply)
        with HttpClient(read_timeout=0.5, connect_timeout=0.5, host_policies=FAST, sleep=clock.sleep,
                        retry=RetryPolicy(max_attempts=2)) as client:
            with pytest.raises(RetryExhausted) as info:
                client.get(srv.url("/hang"), source="BODACC export")
        assert srv.hits == 2
    elapsed = time.monotonic() - started
    assert "BODACC export failed after 2 attempts: read timeout" in str(info.value)
    assert 1.0 <= elapsed < 4.0
    gc.collect()
    assert set(threading.enumerate()) == threads_before
    assert _open_fds() <= fds_before


def test_T05_truncated_body_is_retried_never_returned(server, make_client):
    full = Reply.json({"unitesLegales": ["x" * 99_000]})
    assert len(full.body) > 99_000
    cut = Reply.json({"unitesLegales": ["x" * 99_000]}, truncate_after=5000)
    server.route("/siren", cut, full)
    data, raw = make_client().get_json(server.url("/siren"), source="INSEE API")
    assert data == {"unitesLegales": ["x" * 99_000]} and raw == full.body
    assert server.hits == 2


def test_T05_truncated_chunked_body(server, make_client):
    body = json.dumps({"results": list(range(20000))}).encode()
    server.route("/records", Reply(200, body, {"Content-Type": "application/json"}, chunked=True,
                                   truncate_after=5000),
                 Reply(200, body, {"Content-Type": "application/json"}, chunked=True))
    data, _ = make_client().get_json(server.url("/records"), source="BODACC records")
    assert data["results"][-1] == 19999 and server.hits == 2


def test_T05_truncation_on_every_attempt_is_an_error(server, make_client):
    server.route("/siren", Reply.json({"k": "x" * 100_000}, truncate_after=5000))
    with pytest.raises(RetryExhausted, match="INSEE API failed after 2 attempts: truncated"):
        make_client(retry=RetryPolicy(max_attempts=2)).get_json(server.url("/siren"), source="INSEE API")


# ---------------------------------------------------------------------------------------------------------------
# T08: authentication


@pytest.mark.parametrize("status", [401, 403])
def test_T08_auth_error_is_terminal(server, make_client, status):
    server.route("/siret", Reply.json({"message": "Invalid API key"}, status=status))
    client = make_client(secret_headers={KEY_HEADER: CANARY})
    with pytest.raises(AuthError) as info:
        client.get_json(server.url("/siret"), source="INSEE API")
    assert str(info.value).startswith(f"authentication failed for INSEE API: {status}")
    assert server.hits == 1


def test_transport_errors_outside_the_family_are_wrapped():
    def handler(request):
        raise httpx.UnsupportedProtocol("nope")

    with HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None) as client:
        with pytest.raises(SourceError, match="test request failed: UnsupportedProtocol"):
            client.get("https://example.org/x", source="test")
