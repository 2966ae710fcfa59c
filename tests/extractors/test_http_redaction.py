"""Secrets (extractors/http/redaction.py): never in a log record, an error or a URL, never sent to another origin
(docs/reliability.md T27); the log filter is installed by the process, once, not by the client."""

from __future__ import annotations

import logging
import traceback

import pytest

from extractors.http import RetryPolicy, SourceError, redact
from extractors.http.redaction import RedactingFilter, install_log_redaction
from tests.fakes.http_server import FakeServer, Reply

CANARY = "SECRET-CANARY-7f3a"
KEY_HEADER = "X-INSEE-Api-Key-Integration"


def _all_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + repr(vars(exc))


def test_T27_secret_canary_never_leaks(server, make_client, caplog, clock, log_redaction):
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


def _redacting_filters(name: str) -> int:
    return sum(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters)


def test_the_client_leaves_log_redaction_to_the_process(fresh_log_redaction, make_client, caplog):
    make_client(secret_headers={KEY_HEADER: CANARY}).close()
    assert _redacting_filters("radar.http") == 0  # constructing a client installs nothing
    install_log_redaction()
    factory = logging.getLogRecordFactory()
    install_log_redaction()
    assert logging.getLogRecordFactory() is factory  # once, however often it is called
    assert all(_redacting_filters(name) == 1 for name in ("httpx", "httpcore", "radar", "radar.http", "extractors"))
    logging.getLogger("flows.anything").warning("key %s", CANARY)  # a logger without the filter: the factory
    assert CANARY not in caplog.text and "key ***" in caplog.text
