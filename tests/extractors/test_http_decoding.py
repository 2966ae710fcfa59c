"""Bounded decoding (extractors/http/decoding.py): gzip/deflate under a cap on decoded bytes, content checks
(docs/reliability.md T06, T29)."""

from __future__ import annotations

import json
import random
import time
import tracemalloc

import pytest

from extractors.http import MB, ResponseTooLarge, UnexpectedContent
from tests.fakes.http_server import Reply


def test_gzip_response_is_decoded(server, make_client):
    server.route("/gz", Reply(200, json.dumps({"x": "é" * 1000}).encode(), {"Content-Type": "application/json"},
                              gzip=True))
    data, raw = make_client().get_json(server.url("/gz"), source="test")
    assert data == {"x": "é" * 1000}


# ---------------------------------------------------------------------------------------------------------------
# T06: "200 but wrong"


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
# The bounded decoder itself


@pytest.mark.parametrize("chunk", [1, 1000, 300_000])
def test_bounded_decoder_matches_zlib(chunk):
    import gzip
    import zlib

    from extractors.http.decoding import _Inflater

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
