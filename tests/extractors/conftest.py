"""Fixtures of the HTTP client's tests: a fake clock, a loopback server that reads it, clients that never wait."""

from __future__ import annotations

import random

import pytest

from extractors.http import HostPolicy, HttpClient, install_log_redaction
from tests.fakes.http_server import FakeClock, FakeServer

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


@pytest.fixture
def log_redaction() -> None:
    """What the `radar` command line does first: the log filter that turns registered secrets into "***"."""
    install_log_redaction()
