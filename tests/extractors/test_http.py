"""The hardened HTTP client against loopback fakes (RELIABILITY.md T01-T09, T27, T29, T30)."""

from __future__ import annotations

import email.utils
import gc
import json
import logging
import os
import pickle
import random
import socket
import threading
import time
import traceback
import tracemalloc

import httpx
import pytest

from extractors.http import (
    DEFAULT_HOST_POLICIES,
    DEFAULT_HOST_POLICY,
    MB,
    AuthError,
    BlockedUrl,
    HostPolicy,
    HttpClient,
    HttpStatusError,
    RateLimiter,
    RedirectError,
    ResponseTooLarge,
    RetryExhausted,
    RetryPolicy,
    SourceError,
    UnexpectedContent,
    redact,
)
from radar import __version__
from tests.fakes.http_server import FakeClock, FakeServer, Reply

CANARY = "SECRET-CANARY-7f3a"
KEY_HEADER = "X-INSEE-Api-Key-Integration"
FAST = {"127.0.0.1": HostPolicy(1000.0, burst=1000), "localhost": HostPolicy(1000.0, burst=1000)}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock):
    clients = []

    def make(**kw) -> HttpClient:
        kw.setdefault("host_policies", FAST)
        kw.setdefault("clock", clock.now)
        kw.setdefault("sleep", clock.sleep)
        kw.setdefault("wallclock", clock.wall)
        kw.setdefault("rng", random.Random(7).random)
        kw.setdefault("contact", "mailto:data@example.org")
        client = HttpClient(**kw)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def server(clock):
    with FakeServer(clock=clock.now) as srv:
        yield srv


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


def test_gzip_response_is_decoded(server, make_client):
    server.route("/gz", Reply(200, json.dumps({"x": "é" * 1000}).encode(), {"Content-Type": "application/json"},
                              gzip=True))
    data, raw = make_client().get_json(server.url("/gz"), source="test")
    assert data == {"x": "é" * 1000}


def test_default_policies_and_timeouts():
    assert DEFAULT_HOST_POLICIES["recherche-entreprises.api.gouv.fr"].rate_per_second == 5
    assert DEFAULT_HOST_POLICIES["api.insee.fr"].rate_per_second == 0.5
    assert DEFAULT_HOST_POLICIES["bodacc-datadila.opendatasoft.com"].rate_per_second == 3
    assert DEFAULT_HOST_POLICY.rate_per_second == 2
    with HttpClient() as client:
        t = client.timeout
        assert None not in (t.connect, t.read, t.write, t.pool)
        assert client.rate_limiter.policy_for("example.org")[1] == DEFAULT_HOST_POLICY


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
# T01-T03: 429, Retry-After, persistent 5xx


def test_T01_429_retry_after_seconds(server, make_client, clock):
    server.route("/siret", Reply(429, b"", {"Retry-After": "3"}), Reply(429, b"", {"Retry-After": "3"}),
                 Reply.json({"etablissements": [1]}))
    data, _ = make_client().get_json(server.url("/siret"), source="INSEE API")
    assert data == {"etablissements": [1]}
    assert clock.sleeps == [3.0, 3.0]
    times = [r.t for r in server.requests]
    assert len(times) == 3
    assert all(b - a >= 3.0 for a, b in zip(times, times[1:]))  # no burst after a 429


def test_T01_429_forever_is_bounded(server, make_client, clock):
    server.route("/siret", Reply(429, b"", {"Retry-After": "3"}))
    with pytest.raises(RetryExhausted, match="INSEE API failed after 4 attempts: 429"):
        make_client().get_json(server.url("/siret"), source="INSEE API")
    assert server.hits == 4 and clock.sleeps == [3.0, 3.0, 3.0]


def test_T01_retry_after_pauses_the_host_for_other_callers(clock):
    limiter = RateLimiter({"h": HostPolicy(100.0, burst=100)}, clock=clock.now, sleep=clock.sleep)
    limiter.acquire("h")
    limiter.defer("h", 3.0)
    assert limiter.acquire("h") == pytest.approx(3.0)


def test_T02_retry_after_http_date(server, make_client, clock):
    when = email.utils.formatdate(clock.wall() + 10, usegmt=True)
    server.route("/page1", Reply(503, b"", {"Retry-After": when}), Reply.json({"ok": 1}))
    make_client().get_json(server.url("/page1"), source="INSEE API")
    assert clock.sleeps == [pytest.approx(10.0)]


def test_T02_absurd_retry_after_is_capped(server, make_client, clock):
    server.route("/page3", Reply(429, b"", {"Retry-After": "86400"}), Reply.json({"ok": 1}))
    make_client(retry=RetryPolicy(retry_after_cap=120, budget_seconds=300)).get_json(
        server.url("/page3"), source="INSEE API")
    assert clock.sleeps == [120.0]


def test_T02_retry_after_beyond_budget_gives_up_clearly(server, make_client, clock):
    server.route("/page3", Reply(429, b"", {"Retry-After": "86400"}), Reply.json({"ok": 1}))
    with pytest.raises(RetryExhausted) as info:
        make_client(retry=RetryPolicy(retry_after_cap=120, budget_seconds=60)).get_json(
            server.url("/page3"), source="INSEE API")
    message = str(info.value)
    assert message.startswith("INSEE API failed after 1 attempt: 429")
    assert "Retry-After 86400 s exceeds the remaining time budget" in message
    assert f"127.0.0.1:{server.port}/page3" in message
    assert server.hits == 1 and clock.sleeps == []


def test_T03_persistent_503(server, make_client, clock):
    server.route("/exports/json", Reply(503, b"busy", {"Content-Type": "text/plain"}))
    policy = RetryPolicy(max_attempts=4, backoff_base=1.0, jitter=0.5)
    with pytest.raises(RetryExhausted) as info:
        make_client(retry=policy).get(server.url("/exports/json"), source="BODACC export")
    assert "BODACC export failed after 4 attempts: 503" in str(info.value)
    assert info.value.attempts == 4 and info.value.source == "BODACC export"
    assert server.hits == 4
    waits = clock.sleeps
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]  # exponential
    for n, w in enumerate(waits, start=1):  # with jitter in [0, 50 %)
        assert 2 ** (n - 1) <= w < 1.5 * 2 ** (n - 1)
    assert len(set(w / 2 ** n for n, w in enumerate(waits))) == 3


def test_T03_backoff_is_bounded_by_the_time_budget(server, make_client, clock):
    server.route("/x", Reply(500))
    policy = RetryPolicy(max_attempts=10, backoff_base=10, budget_seconds=25)
    with pytest.raises(RetryExhausted, match="exceeds the remaining time budget"):
        make_client(retry=policy).get(server.url("/x"), source="BODACC export")
    assert sum(clock.sleeps) <= 25 and server.hits < 10


# ---------------------------------------------------------------------------------------------------------------
# T04-T06: hangs, truncation, "200 but wrong"


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


def test_T06_html_instead_of_json_keeps_the_body(server, make_client):
    page = "<!DOCTYPE html><html><body>Maintenance en cours</body></html>"
    server.route("/search", Reply.html(page))
    with pytest.raises(UnexpectedContent) as info:
        make_client().get_json(server.url("/search"), source="Recherche API")
    exc = info.value
    assert exc.body == page.encode() and exc.content_type == "text/html" and exc.status == 200
    assert "Recherche API returned unexpected content: expected json, got text/html" in str(exc)
    assert server.hits == 1


def test_T06_html_labelled_as_json_and_invalid_json(server, make_client):
    server.route("/lie", Reply(200, b"<html>oops</html>", {"Content-Type": "application/json"}))
    server.route("/bad", Reply(200, b'{"header": ', {"Content-Type": "application/json"}))
    client = make_client()
    with pytest.raises(UnexpectedContent):
        client.get_json(server.url("/lie"), source="INSEE API")
    with pytest.raises(UnexpectedContent, match="invalid JSON") as info:
        client.get_json(server.url("/bad"), source="INSEE API")
    assert info.value.body == b'{"header": '


# ---------------------------------------------------------------------------------------------------------------
# T08, T27: authentication and secrets


@pytest.mark.parametrize("status", [401, 403])
def test_T08_auth_error_is_terminal(server, make_client, status):
    server.route("/siret", Reply.json({"message": "Invalid API key"}, status=status))
    client = make_client(secret_headers={KEY_HEADER: CANARY})
    with pytest.raises(AuthError) as info:
        client.get_json(server.url("/siret"), source="INSEE API")
    assert str(info.value).startswith(f"authentication failed for INSEE API: {status}")
    assert server.hits == 1


def _all_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + repr(vars(exc))


def test_T27_secret_canary_never_leaks(server, make_client, caplog, clock):
    caplog.set_level(logging.DEBUG)  # everything, httpx and httpcore included
    server.route("/ok", Reply.json({"ok": True}))
    server.route("/401", Reply.json({"error": f"key {CANARY} rejected"}, status=401))
    server.route("/500", Reply(500, f"internal error for {CANARY}".encode()))
    server.route("/hang", Reply(stall=True))
    client = make_client(secret_headers={KEY_HEADER: CANARY}, read_timeout=0.3,
                         retry=RetryPolicy(max_attempts=2))
    client.get_json(server.url("/ok"), source="INSEE API")
    assert server.requests[0].headers[KEY_HEADER.lower()] == CANARY  # it is sent, as a header
    errors = []
    for path in ("/401", "/500", "/hang"):
        with pytest.raises(SourceError) as info:
            client.get(server.url(path), source="INSEE API")
        errors.append(info.value)
    with pytest.raises(ValueError) as in_url:  # a secret in a URL is refused outright
        client.get(server.url("/ok") + f"?token={CANARY}", source="INSEE API")
    errors.append(in_url.value)
    try:  # an exception inside a task that mentions the secret, logged with its traceback
        raise RuntimeError(f"task failed with key {CANARY}")
    except RuntimeError:
        logging.getLogger("flows.sirene").exception("task crashed")
    logging.getLogger("radar.http").warning("explicit %s", CANARY)
    assert CANARY not in caplog.text
    assert all(CANARY not in r.getMessage() for r in caplog.records)
    for exc in errors:
        assert CANARY not in _all_text(exc)
        assert CANARY.encode() not in (getattr(exc, "body", None) or b"")
    assert CANARY not in repr(client)
    assert redact(f"a {CANARY} b") == "a *** b"


def test_secret_header_not_forwarded_to_another_origin(make_client):
    with FakeServer() as a, FakeServer() as b:
        b.route("/data", Reply.json({"ok": True}))
        a.route("/start", Reply.redirect(b.url("/data")))
        make_client(secret_headers={KEY_HEADER: CANARY}).get_json(a.url("/start"), source="INSEE API")
        assert a.requests[0].headers[KEY_HEADER.lower()] == CANARY
        assert KEY_HEADER.lower() not in b.requests[0].headers


# ---------------------------------------------------------------------------------------------------------------
# T09: rate limit


def test_T09_rate_limit_with_fake_clock(server, make_client, clock):
    rate, burst, n = 5.0, 2, 40
    client = make_client(host_policies={"127.0.0.1": HostPolicy(rate, burst=burst)})
    server.route("/p", Reply.json({}))
    for _ in range(n):
        client.get(server.url("/p"), source="Recherche API")
    times = [r.t for r in server.requests]
    assert len(times) == n
    for i in range(n):  # token bucket: any window of length T holds at most burst + rate * T requests
        for j in range(i + 1, n):
            assert j - i + 1 <= burst + rate * (times[j] - times[i]) + 1e-9
    assert times[-1] - times[0] == pytest.approx((n - burst) / rate)


def test_T09_rate_limit_real_clock_across_threads():
    rate = 20.0
    with FakeServer() as srv, HttpClient(host_policies={"127.0.0.1": HostPolicy(rate)}) as client:
        srv.route("/p", Reply.json({}))

        def work():
            for _ in range(4):
                client.get(srv.url("/p"), source="Recherche API")

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        times = sorted(r.t for r in srv.requests)
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert 0.9 * rate <= achieved <= rate * 1.02  # 2 %: timestamp noise between client and server


# ---------------------------------------------------------------------------------------------------------------
# T29: decompression bomb and huge bodies


def test_T29_gzip_bomb_stops_at_the_decoded_cap(server, make_client):
    server.route("/feed.xml", Reply.bomb(200 * MB))
    assert len(server._routes["/feed.xml"][0].body) < 400_000
    client = make_client()
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ResponseTooLarge) as info:
            client.get(server.url("/feed.xml"), source="feed Maddyness", max_bytes=5 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 5 * MB + 4 * MB
    assert "feed Maddyness response too large" in str(info.value)
    assert server.hits == 1  # not retried


def test_T29_endless_chunked_body_stops_at_cap(server, make_client):
    server.route("/stream", Reply(200, headers={"Content-Type": "application/rss+xml"}, endless=True))
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge):
        make_client().get(server.url("/stream"), source="feed", max_bytes=5 * MB)
    assert time.monotonic() - started < 3.0


def test_T29_declared_length_above_cap_is_refused_before_reading(server, make_client):
    # The body never comes: reading it would hang until the read timeout.
    server.route("/big", Reply(200, b"x" * 10, {"Content-Type": "application/json"}, content_length=10 * 1024 ** 3,
                               stall_after=0))
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="declared Content-Length"):
        make_client(read_timeout=5).get(server.url("/big"), source="feed", max_bytes=5 * MB)
    assert time.monotonic() - started < 1.0


# ---------------------------------------------------------------------------------------------------------------
# T30: SSRF guard


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


def test_transport_errors_outside_the_family_are_wrapped():
    def handler(request):
        raise httpx.UnsupportedProtocol("nope")

    with HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None) as client:
        with pytest.raises(SourceError, match="test request failed: UnsupportedProtocol"):
            client.get("https://example.org/x", source="test")


@pytest.mark.parametrize("chunk", [1, 1000, 300_000])
def test_bounded_decoder_matches_zlib(chunk):
    import gzip
    import zlib

    from extractors.http import _Inflater

    raw = random.Random(1).randbytes(50_000) + bytes(2_000_000)
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    cases = [
        ("gzip", gzip.compress(raw), raw),
        ("gzip", gzip.compress(raw) + gzip.compress(b"abc"), raw + b"abc"),  # two members
        ("gzip", gzip.compress(raw) + b"\0\0junk", raw),  # trailing garbage ignored
        ("deflate", zlib.compress(raw), raw),
        ("deflate", raw_deflate.compress(raw) + raw_deflate.flush(), raw),
    ]
    for encoding, wire, expected in cases:
        if chunk == 1 and len(wire) > 20_000:
            wire, expected = gzip.compress(b"tiny" * 10), b"tiny" * 10
            encoding = "gzip"
        inflater = _Inflater(encoding)
        pieces = [p for i in range(0, len(wire), chunk) for p in inflater.feed(wire[i:i + chunk])]
        assert max(map(len, pieces), default=0) <= 256 * 1024
        assert b"".join(pieces) + inflater.finish() == expected
