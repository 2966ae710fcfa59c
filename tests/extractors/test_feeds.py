"""Feeds: every format, encoding oddities (T24), XML bombs (T26), XXE (T28), huge bodies (T29), SSRF (T30),
hostile markup (T31), robots.txt and politeness (T36)."""

from __future__ import annotations

import gzip
import resource
import time

import pytest

from extractors.feeds import BadFeed, FeedConfig, FeedParserPool, check_feed_bytes, fetch_feed, parse_feed, to_utf8
from extractors.http import HostPolicy, HttpClient
from extractors.robots import RobotsCache
from steps.news import news_client
from tests.fakes.hostile_parsers import greedy_worker, hang_worker
from tests.fakes.http_server import FakeClock, FakeServer, Reply

RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
FAST = {"127.0.0.1": HostPolicy(1000.0, burst=1000), "localhost": HostPolicy(1000.0, burst=1000)}


@pytest.fixture(scope="module")
def pool():
    with FeedParserPool(timeout=5) as p:
        yield p


@pytest.fixture
def client():
    with HttpClient(host_policies=FAST, guard=True, allow_hosts={"127.0.0.1"}) as c:
        yield c


def rss(items: str, *, encoding: str = "UTF-8", version: str = "2.0") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="{version}" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>T</title><link>https://e.fr</link><language>fr-FR</language>{items}</channel></rss>")


ITEM = ("<item><title>Issy Data Labs lève 10 millions d'euros</title><link>https://e.fr/a/?utm_source=x</link>"
        "<dc:creator>Rédaction</dc:creator><pubDate>Fri, 27 Nov 2026 08:00:00 +0100</pubDate>"
        "<category>Levées</category><guid isPermaLink='false'>https://e.fr/?p=1</guid>"
        "<description><![CDATA[<p>Chapô</p>]]></description>"
        "<content:encoded><![CDATA[<p>Texte <b>complet</b></p>]]></content:encoded></item>")

# -- formats --------------------------------------------------------------------------------------------------------

RSS091 = ('<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
          '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel><title>T</title>'
          "<link>https://e.fr</link><description>d</description><language>fr</language><item><title>Un</title>"
          "<link>https://e.fr/1</link><description>Texte</description></item></channel></rss>")
RSS10 = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
         'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
         '<channel rdf:about="https://e.fr"><title>T</title><link>https://e.fr</link><description>d</description>'
         '</channel><item rdf:about="https://e.fr/1"><title>Un</title><link>https://e.fr/1</link>'
         "<dc:date>2026-11-27T08:00:00+01:00</dc:date></item></rdf:RDF>")
ATOM = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<id>urn:x</id><updated>2026-11-27T08:00:00Z</updated><entry><title>Un</title>'
        '<link rel="alternate" href="https://e.fr/1"/><id>urn:1</id><published>2026-11-27T09:00:00+01:00</published>'
        "<updated>2026-11-27T09:00:00+01:00</updated><author><name>A</name></author><summary>Résumé</summary>"
        "</entry></feed>")


@pytest.mark.parametrize("doc,version", [(RSS091, "rss091"), (RSS10, "rss10"), (rss(ITEM), "rss20"),
                                         (ATOM, "atom10")])
def test_every_format_parses(pool, doc, version):
    parsed = parse_feed(doc.encode("utf-8"), pool)
    assert parsed["version"].startswith(version[:5])
    entry = parsed["entries"][0]
    assert entry["url"].startswith("https://e.fr/")
    assert entry["title"] in ("Un", "Issy Data Labs lève 10 millions d'euros")


def test_rss2_fields(pool):
    e = parse_feed(rss(ITEM).encode(), pool)["entries"][0]
    assert e["published_at"] == "2026-11-27T07:00:00+00:00"  # UTC
    assert e["author"] == "Rédaction" and e["categories"] == ["Levées"] and "complet" in e["content"]


def test_feedparser_never_gets_a_path_or_url(pool):
    with pytest.raises(TypeError):
        parse_feed("/etc/passwd", pool)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_feed("http://127.0.0.1/feed", pool)  # type: ignore[arg-type]


# -- T24 encodings ----------------------------------------------------------------------------------------------------


def test_T24_latin1_declared_utf8_bom_crlf_nul_emoji_rtl(pool):
    title = "Sèvres : l'été 🚀 مرحبا"
    doc = rss(f"<item><title>{title}</title><link>https://e.fr/1</link><description>a\x00b\x07c</description>"
              "</item><item><title>Café crème</title><link>https://e.fr/2</link></item>")
    latin1_part = doc.replace("Café crème", "Caf\udce9 cr\udce8me")
    raw = b"\xef\xbb\xbf" + latin1_part.encode("utf-8", "surrogateescape").replace(b"\n", b"\r\n")
    parsed = parse_feed(raw, pool)
    titles = [e["title"] for e in parsed["entries"]]
    assert titles == [title, "Café crème"]
    assert parsed["entries"][0]["summary"] == "abc"


def test_T24_declared_latin1_and_utf16(pool):
    doc = rss("<item><title>Vanves : élan numérique</title><link>https://e.fr/1</link></item>",
              encoding="ISO-8859-1")
    assert parse_feed(doc.encode("latin-1"), pool)["entries"][0]["title"] == "Vanves : élan numérique"
    utf16 = rss("<item><title>Été</title><link>https://e.fr/1</link></item>", encoding="UTF-16")
    assert parse_feed(b"\xff\xfe" + utf16.encode("utf-16-le"), pool)["entries"][0]["title"] == "Été"


def test_T24_five_megabyte_description_parses(pool):
    big = "é" * (5 * 1024 * 1024 // 2)
    parsed = parse_feed(rss(f"<item><title>Gros</title><link>https://e.fr/1</link><description>{big}"
                            "</description></item>").encode(), pool)
    assert len(parsed["entries"][0]["summary"]) == len(big)


def test_to_utf8_rewrites_the_declaration():
    out = to_utf8('<?xml version="1.0" encoding="windows-1252"?><rss/>'.encode("cp1252"))
    assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


# -- T26 / T28 bombs and entities ------------------------------------------------------------------------------------

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>').encode()
QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 50_000 + b'">]><rss version="2.0">'
             b"<channel><title>t</title><item><title>" + b"&a;" * 5000 + b"</title></item></channel></rss>")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("body,headers", [
    (BILLION_LAUGHS, RSS_TYPE),
    (QUADRATIC, RSS_TYPE),
    (gzip.compress(QUADRATIC), {**RSS_TYPE, "Content-Encoding": "gzip"}),
    (gzip.compress(QUADRATIC), {"Content-Type": "application/xml"}),  # a .gz body without Content-Encoding
], ids=["billion-laughs", "quadratic", "quadratic-gzip-encoding", "quadratic-gzip-body"])
def test_T26_bombs_are_rejected_fast_and_small_and_other_feeds_load(pool, client, body, headers):
    with FakeServer() as srv:
        srv.route("/bomb", Reply(200, body, headers))
        srv.route("/good", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        before, started = _peak_rss_mb(), time.monotonic()
        bad = fetch_feed(client, FeedConfig("bomb", srv.url("/bomb")), pool)
        elapsed = time.monotonic() - started
        good = fetch_feed(client, FeedConfig("good", srv.url("/good")), pool)
    assert bad.status == "error" and "DTD/entities not allowed" in bad.error
    assert elapsed < 2.0 and _peak_rss_mb() - before < 256
    assert good.status == "ok" and len(good.items) == 1


@pytest.mark.parametrize("decl", ['<!ENTITY x SYSTEM "file:///etc/hostname">', '<!ENTITY % p SYSTEM "{canary}">',
                                  '<!ENTITY x SYSTEM "{canary}">'])
def test_T28_xxe_is_rejected_and_nothing_is_fetched(pool, decl):
    with FakeServer() as canary:
        canary.route("/x", Reply(200, b"CANARY"))
        doc = (f'<?xml version="1.0"?><!DOCTYPE rss [{decl.format(canary=canary.url("/x"))}]><rss version="2.0">'
               "<channel><title>&x;</title><item><title>&x;</title><link>https://e.fr/1</link></item></channel></rss>")
        with pytest.raises(BadFeed, match="DTD/entities not allowed"):
            parse_feed(doc.encode(), pool)
        assert canary.hits == 0


def test_T28_external_dtd_is_never_fetched(pool):
    with FakeServer() as canary:
        canary.route("/x.dtd", Reply(200, b'<!ENTITY x "CANARY">'))
        doc = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{canary.url("/x.dtd")}"><rss version="2.0"><channel>'
               "<title>t</title><item><title>ok</title><link>https://e.fr/1</link></item></channel></rss>")
        parsed = parse_feed(doc.encode(), pool)
        assert parsed["entries"][0]["title"] == "ok" and canary.hits == 0
    with open("/etc/hostname", "rb") as fh:
        hostname = fh.read().strip()
    assert hostname not in repr(parsed).encode()


@pytest.mark.parametrize("worker,message", [(hang_worker, "parsing took more than"),
                                            (greedy_worker, "out of memory or crashed")])
def test_parser_worker_time_and_memory_limits_are_survived(worker, message):
    hostile = FeedParserPool(timeout=1.5, worker=worker)
    try:
        started, before = time.monotonic(), _peak_rss_mb()
        with pytest.raises(BadFeed, match=message):
            hostile.parse(b"<rss/>")
        assert time.monotonic() - started < 10  # the 1.5 s limit plus the worker's restart, never a hang
        assert _peak_rss_mb() - before < 256
        hostile.worker = FeedParserPool().worker  # the pool recovers with a fresh worker
        assert hostile.parse(rss(ITEM).encode())["entries"][0]["url"] == "https://e.fr/a/?utm_source=x"
    finally:
        hostile.close()


# -- T29 huge bodies ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", [
    Reply.bomb(200 * 1024 * 1024, content_type="application/rss+xml"),
    Reply(200, b"<rss>" + b"x" * 1024, RSS_TYPE, chunked=True, endless=True),
    Reply(200, b"<rss/>", RSS_TYPE, content_length=500 * 1024 * 1024),
], ids=["gzip-bomb", "endless-chunked", "declared-length"])
def test_T29_huge_bodies_stop_at_the_cap_and_the_next_feed_loads(pool, client, reply):
    with FakeServer() as srv:
        srv.route("/huge", reply)
        srv.route("/good", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        before = _peak_rss_mb()
        bad = fetch_feed(client, FeedConfig("huge", srv.url("/huge")), pool)
        good = fetch_feed(client, FeedConfig("good", srv.url("/good")), pool)
    assert bad.status == "error" and ("larger than" in bad.error or "cap" in bad.error or "MB" in bad.error)
    assert _peak_rss_mb() - before < 64
    assert good.status == "ok"


def test_T29_gzip_body_without_encoding_is_capped():
    with pytest.raises(BadFeed, match="inflates beyond"):
        check_feed_bytes(gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024) + b"</rss>"))


# -- T30 configured URLs -------------------------------------------------------------------------------------------------


def test_T30_feed_urls_to_private_targets_are_refused_before_connecting(pool):
    with FakeServer() as canary, FakeServer(host="127.0.0.1") as allowed:
        canary.route("/", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        allowed.route("/feed", Reply.redirect(canary.url("/")))
        p = canary.port
        urls = [f"http://127.0.0.1:{p}/", f"http://[::1]:{p}/", "http://2130706433/", "http://169.254.169.254/",
                "file:///etc/passwd", "/etc/passwd", allowed.url("/feed", host="localhost")]
        with news_client(allow_hosts={"localhost"}, host_policies=FAST) as guarded:
            results = [fetch_feed(guarded, FeedConfig("cfg", u), pool) for u in urls]
        assert all(r.status == "error" for r in results), [r.error for r in results]
        assert canary.hits == 0
        assert all("root:" not in (r.error or "") for r in results)


# -- T31 hostile markup ---------------------------------------------------------------------------------------------------


def test_T31_entries_keep_no_script(pool):
    item = ("<item><title><![CDATA[<script>alert(1)</script>Titre {{ 7*7 }}]]></title><link>https://e.fr/1</link>"
            "<description><![CDATA[<img src=x onerror=alert(1)><svg onload=alert(1)></svg><a href=\"javascript:a()\">"
            "x</a>]]></description></item>")
    e = parse_feed(rss(item).encode(), pool)["entries"][0]
    # Titles are plain text to feedparser (markup stays literal): transforms.news makes every field plain text
    # before storage (tests/transforms/test_news.py). HTML fields come out sanitised already.
    assert "onerror" not in (e["summary"] or "")
    assert "javascript:" not in (e["summary"] or "") and "onload" not in (e["summary"] or "")


# -- T36 robots.txt, politeness, conditional GET, User-Agent -------------------------------------------------------------


def _robots_client(clock: FakeClock, delay: float = 2.0) -> HttpClient:
    return HttpClient(guard=True, allow_hosts={"127.0.0.1"}, default_policy=HostPolicy(1 / delay),
                      clock=clock.now, sleep=clock.sleep, wallclock=clock.wall, read_timeout=0.5,
                      contact="mailto:data@example.org")


@pytest.mark.parametrize("robots,allowed_public,allowed_private", [
    (Reply(404, b"nope"), True, True),
    (Reply(503, b"down"), False, False),
    (Reply(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"}), True, False),
    (Reply(200, b"", stall=True), False, False),
], ids=["404-allows", "503-disallows", "disallow-private", "timeout-disallows"])
def test_T36_robots(robots, allowed_public, allowed_private):
    clock = FakeClock()
    with FakeServer(clock=clock.now) as srv, _robots_client(clock) as client:
        srv.route("/robots.txt", robots)
        cache = RobotsCache(client)
        assert cache.allowed(srv.url("/news/a.html")) is allowed_public
        assert cache.allowed(srv.url("/private/b.html")) is allowed_private
        assert len(srv.requests_for("/robots.txt")) >= 1
        n = len(srv.requests_for("/robots.txt"))
        cache.allowed(srv.url("/other"))
        assert len(srv.requests_for("/robots.txt")) == n  # once per host and run


def test_T36_politeness_user_agent_and_conditional_get(pool):
    clock = FakeClock()
    from tests.fakes.http_server import StaticFile

    with FakeServer(clock=clock.now) as srv, _robots_client(clock, delay=2.0) as client:
        srv.route("/robots.txt", Reply(404))
        srv.route("/feed", StaticFile(rss(ITEM).encode(), etag='"v1"', content_type="application/rss+xml"))
        robots = RobotsCache(client)
        first = fetch_feed(client, FeedConfig("f", srv.url("/feed")), pool, robots=robots)
        second = fetch_feed(client, FeedConfig("f", srv.url("/feed")), pool, etag=first.etag,
                            last_modified=first.last_modified, robots=robots)
    assert first.status == "ok" and second.status == "not_modified" and second.items == []
    feed_requests = srv.requests_for("/feed")
    assert feed_requests[1].headers.get("if-none-match") == '"v1"'
    times = [r.t for r in srv.requests]
    assert all(b - a >= 2.0 - 1e-6 for a, b in zip(times, times[1:]))  # one request per 2 s and per host
    ua = feed_requests[0].headers["user-agent"]
    assert "EcosystemRadar" in ua and "data@example.org" in ua


def test_feed_errors_say_the_real_reason(pool):
    """A host refused by the address guard is reported as such (not as a robots.txt refusal), and nothing is
    requested from it; robots.txt refusals say which kind they are."""
    with FakeServer() as private, FakeServer() as public:
        private.route("/robots.txt", Reply(404))
        private.route("/feed", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        public.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /closed\n", {"Content-Type": "text/plain"}))
        public.route("/closed/feed", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        # Only "localhost" is allowed: 127.0.0.1 is a loopback address the guard refuses.
        with news_client(allow_hosts={"localhost"}, host_policies=FAST) as guarded:
            robots = RobotsCache(guarded)
            blocked = fetch_feed(guarded, FeedConfig("privé", private.url("/feed")), pool, robots=robots)
            closed = fetch_feed(guarded, FeedConfig("fermé", public.url("/closed/feed", host="localhost")), pool,
                                robots=robots)
        assert private.hits == 0
    assert blocked.status == "error" and "robots" not in blocked.error
    assert "refused URL" in blocked.error and "non-public address" in blocked.error
    assert closed.status == "error" and closed.error == "fermé: disallowed by robots.txt"


def test_unreadable_robots_txt_is_named_as_such(pool):
    with FakeServer() as srv, HttpClient(host_policies=FAST, guard=True, allow_hosts={"127.0.0.1"},
                                         read_timeout=1.0) as client:
        srv.route("/robots.txt", Reply(503, b"down"))
        srv.route("/feed", Reply(200, rss(ITEM).encode(), RSS_TYPE))
        res = fetch_feed(client, FeedConfig("f", srv.url("/feed")), pool, robots=RobotsCache(client))
    assert res.status == "error" and "robots.txt could not be read" in res.error and "503" in res.error
    assert srv.requests_for("/feed") == []
