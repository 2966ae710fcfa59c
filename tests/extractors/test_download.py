"""Cached, resumable downloads of the SIRENE stock files against a loopback static server."""

from __future__ import annotations

import io
import json
import os
import random

import pytest

from extractors.download import META_NAME, cache_entry_dir, fetch_to_cache, print_progress
from extractors.http import HostPolicy, HttpClient, ResponseTooLarge, RetryExhausted, RetryPolicy
from extractors.resumable import download, file_name_from_url
from tests.fakes.http_server import FakeClock, FakeServer, Reply, StaticFile

DATA = random.Random(42).randbytes(3_000_000)
ONE_TRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def client():
    clock = FakeClock()
    with HttpClient(host_policies={"127.0.0.1": HostPolicy(1000, burst=1000)}, clock=clock.now,
                    sleep=clock.sleep, wallclock=clock.wall) as c:
        yield c


@pytest.fixture
def server():
    with FakeServer() as srv:
        yield srv


def _leftovers(entry):
    return sorted(p.name for p in entry.iterdir() if p.name.endswith((".part", ".part.json", ".tmp")))


def test_full_download_with_progress(server, client, tmp_path):
    server.route("/StockEtablissement_utf8.zip", StaticFile(DATA))
    calls = []
    got = fetch_to_cache(client, server.url("/StockEtablissement_utf8.zip"), tmp_path,
                         progress=lambda done, total: calls.append((done, total)))
    assert got.path.read_bytes() == DATA and got.size == len(DATA) and not got.from_cache
    assert got.path.name == "StockEtablissement_utf8.zip" and got.etag == '"v1"'
    assert got.path.parent == cache_entry_dir(tmp_path, got.url)
    assert calls[0] == (0, len(DATA)) and calls[-1] == (len(DATA), len(DATA))
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    meta = json.loads((got.path.parent / META_NAME).read_text())
    assert meta["etag"] == '"v1"' and meta["size"] == len(DATA) and meta["name"] == got.path.name
    assert _leftovers(got.path.parent) == []
    assert server.requests[0].headers["accept-encoding"] == "identity"


def test_unchanged_remote_file_is_not_transferred_again(server, client, tmp_path):
    static = StaticFile(DATA)
    server.route("/f.zip", static)
    first = fetch_to_cache(client, server.url("/f.zip"), tmp_path)
    sent = static.bytes_sent
    second = fetch_to_cache(client, server.url("/f.zip"), tmp_path)
    assert second.from_cache and second.path == first.path and second.path.read_bytes() == DATA
    assert static.bytes_sent == sent  # 304: no body
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert "if-modified-since" in server.requests[1].headers


def test_changed_remote_file_replaces_the_cached_one(server, client, tmp_path):
    static = StaticFile(DATA)
    server.route("/f.zip", static)
    fetch_to_cache(client, server.url("/f.zip"), tmp_path)
    static.data, static.etag = DATA[::-1], '"v2"'
    got = fetch_to_cache(client, server.url("/f.zip"), tmp_path)
    assert not got.from_cache and got.path.read_bytes() == DATA[::-1] and got.etag == '"v2"'


def test_resume_after_a_cut(server, client, tmp_path):
    static = StaticFile(DATA, cuts=[1_000_000])
    server.route("/f.zip", static)
    url = server.url("/f.zip")
    with pytest.raises(RetryExhausted, match="SIRENE stock failed after 1 attempt: truncated"):
        fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    entry = cache_entry_dir(tmp_path, url)
    part = entry / "f.zip.part"
    assert part.stat().st_size == 1_000_000 and not (entry / "f.zip").exists()

    calls = []
    got = fetch_to_cache(client, url, tmp_path, retry=ONE_TRY, progress=lambda d, t: calls.append((d, t)))
    assert server.requests[1].headers["range"] == "bytes=1000000-"
    assert server.requests[1].headers["if-range"] == '"v1"'
    assert got.path.read_bytes() == DATA and not got.from_cache
    assert static.bytes_sent == len(DATA)  # each byte sent once
    assert calls[0] == (1_000_000, len(DATA))
    assert _leftovers(entry) == []


def test_cut_is_resumed_within_one_call_by_the_retry(server, client, tmp_path):
    server.route("/f.zip", StaticFile(DATA, cuts=[700_000, 1_500_000]))
    got = fetch_to_cache(client, server.url("/f.zip"), tmp_path)
    assert got.path.read_bytes() == DATA
    assert [r.headers.get("range") for r in server.requests] == [None, "bytes=700000-", "bytes=2200000-"]


def test_server_ignoring_range_restarts_cleanly(server, client, tmp_path):
    server.route("/f.zip", StaticFile(DATA, ranges=False, cuts=[1_000_000]))
    url = server.url("/f.zip")
    with pytest.raises(RetryExhausted):
        fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    got = fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    assert server.requests[1].headers["range"] == "bytes=1000000-"  # asked, got a 200
    assert got.path.read_bytes() == DATA


def test_file_changed_between_attempts_restarts(server, client, tmp_path):
    static = StaticFile(DATA, cuts=[1_000_000])
    server.route("/f.zip", static)
    url = server.url("/f.zip")
    with pytest.raises(RetryExhausted):
        fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    static.data, static.etag = DATA[::-1], '"v2"'  # If-Range no longer matches: the server sends it all
    got = fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    assert got.path.read_bytes() == DATA[::-1] and got.etag == '"v2"'


def test_partial_longer_than_the_file_restarts(server, client, tmp_path):
    server.route("/f.zip", StaticFile(DATA, cuts=[1_000_000]))
    url = server.url("/f.zip")
    with pytest.raises(RetryExhausted):
        fetch_to_cache(client, url, tmp_path, retry=ONE_TRY)
    part = cache_entry_dir(tmp_path, url) / "f.zip.part"
    part.write_bytes(b"\0" * (len(DATA) + 10))  # 416 Range Not Satisfiable, then a clean restart
    got = fetch_to_cache(client, url, tmp_path)
    assert got.path.read_bytes() == DATA
    assert server.requests[-1].headers.get("range") is None


def test_stable_url_redirects_to_the_latest_file(server, client, tmp_path):
    static = StaticFile(DATA)
    server.route("/datasets/r/0651fb76-bcf3-4f6a-a38d-bc04fa708576",
                 Reply.redirect("/resources/sirene/20260801/StockEtablissement_utf8.zip"))
    server.route("/resources/sirene/20260801/StockEtablissement_utf8.zip", static)
    url = server.url("/datasets/r/0651fb76-bcf3-4f6a-a38d-bc04fa708576")
    got = fetch_to_cache(client, url, tmp_path)
    assert got.path.name == "StockEtablissement_utf8.zip"
    assert got.final_url == server.url("/resources/sirene/20260801/StockEtablissement_utf8.zip")
    assert got.url == url and got.path.read_bytes() == DATA
    again = fetch_to_cache(client, url, tmp_path)
    assert again.from_cache and again.path == got.path


def test_size_cap_refuses_before_reading(server, client, tmp_path):
    static = StaticFile(DATA)
    server.route("/f.zip", static)
    with pytest.raises(ResponseTooLarge, match="declared Content-Length 3000000 exceeds the cap"):
        fetch_to_cache(client, server.url("/f.zip"), tmp_path, max_bytes=1_000_000)
    entry = cache_entry_dir(tmp_path, server.url("/f.zip"))
    assert [p.name for p in entry.iterdir()] == []


def test_download_to_a_file_path(server, client, tmp_path):
    server.route("/x.parquet", StaticFile(DATA, cuts=[10]))
    dest = tmp_path / "stock.parquet"
    result = download(client, server.url("/x.parquet"), dest, source="SIRENE stock")
    assert dest.read_bytes() == DATA and result.path == dest and result.resumed_from == 10
    assert sorted(os.listdir(tmp_path)) == ["stock.parquet"]


def test_file_name_from_url():
    assert file_name_from_url("https://h/a/StockUniteLegale_utf8.zip?x=1") == "StockUniteLegale_utf8.zip"
    assert file_name_from_url("https://h/a/../.hidden") == "hidden"
    assert file_name_from_url("https://h/") == "download"
    assert file_name_from_url("https://h/a%2Fb%20c.zip") == "a_b_c.zip"


def test_print_progress_not_a_tty_prints_about_ten_lines():
    out = io.StringIO()
    ticks = iter(range(10_000))
    report = print_progress("StockEtablissement", stream=out, tty=False, clock=lambda: next(ticks) * 0.1)
    total = 2_000_000_000
    for done in range(0, total + 1, 1_048_576):
        report(done, total)
    report(total, total)
    lines = out.getvalue().splitlines()
    assert 9 <= len(lines) <= 11
    assert lines[-1].startswith("StockEtablissement: 100.0% 2,000.0/2,000.0 MB")
    assert "MB/s" in lines[0]


def test_print_progress_unknown_total_and_tty():
    out = io.StringIO()
    report = print_progress("feed", stream=out, tty=False)
    for done in range(0, 2_000_000_000, 4_000_000):
        report(done, None)
    assert len(out.getvalue().splitlines()) <= 6
    tty = io.StringIO()
    report = print_progress("stock", stream=tty, tty=True)
    for done in range(0, 10_000_001, 1_000_000):
        report(done, 10_000_000)
    text = tty.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1
