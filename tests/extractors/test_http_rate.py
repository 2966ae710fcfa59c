"""Politeness and persistence (extractors/http/rate.py and the retry loop): per-host token buckets, 429,
Retry-After, backoff within a time budget (docs/reliability.md T01-T03, T09)."""

from __future__ import annotations

import email.utils
import threading

import pytest

from extractors.http import (
    DEFAULT_HOST_POLICIES,
    DEFAULT_HOST_POLICY,
    HostPolicy,
    HttpClient,
    RateLimiter,
    RetryExhausted,
    RetryPolicy,
)
from tests.fakes.http_server import FakeServer, Reply

# ---------------------------------------------------------------------------------------------------------------
# Policies


def test_default_policies_and_timeouts():
    assert DEFAULT_HOST_POLICIES["recherche-entreprises.api.gouv.fr"].rate_per_second == 5
    assert DEFAULT_HOST_POLICIES["api.insee.fr"].rate_per_second == 0.5
    assert DEFAULT_HOST_POLICIES["bodacc-datadila.opendatasoft.com"].rate_per_second == 3
    assert DEFAULT_HOST_POLICY.rate_per_second == 2
    with HttpClient() as client:
        t = client.timeout
        assert None not in (t.connect, t.read, t.write, t.pool)
        assert client.rate_limiter.policy_for("example.org")[1] == DEFAULT_HOST_POLICY


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
