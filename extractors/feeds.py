"""RSS/Atom feeds: fetched through the project's HTTP client, checked, then parsed safely.

Safety rules (docs/reliability.md T24, T26, T28, T30):
* feedparser only ever receives bytes wrapped in io.BytesIO: given a string it would open URLs or local files;
* a document with a DTD internal subset or an ENTITY declaration is rejected before any XML parser sees it
  (billion laughs, quadratic blowup, XXE); an external DOCTYPE without internal subset (RSS 0.91) is removed;
* parsing runs in a separate worker process with an address-space limit and a timeout, so a hostile feed that
  still got through can only kill that worker;
* text is repaired first: BOM, NUL and other control bytes, Latin-1 bytes in a document declared UTF-8.

No Prefect, no warehouse here.
"""

from __future__ import annotations

import calendar
import codecs
import io
import multiprocessing
import re
import threading
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime

from extractors.http import MB, HttpClient, SourceError

MAX_FEED_BYTES = 10 * MB  # a 5 MB description must still parse (T24); bombs are refused before parsing
PARSE_TIMEOUT_SECONDS = 10.0
WORKER_STARTUP_SECONDS = 120.0
PARSE_MEMORY_BYTES = 256 * MB  # extra address space the worker may take on top of its start-up size
FEED_KINDS = frozenset({"national", "local", "search"})


class BadFeed(SourceError):
    """The feed cannot be used: unsafe (DTD/entities), unparseable, too big or too slow to parse."""


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    kind: str = "national"


@dataclass
class FeedFetch:
    feed: FeedConfig
    status: str  # "ok", "not_modified", "error"
    items: list[dict] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    raw: bytes = b""
    error: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# Byte-level checks and repairs

_GZIP_MAGIC = b"\x1f\x8b"
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.I)
_ENTITY = re.compile(rb"<!ENTITY\b", re.I)
_DOCTYPE_EXTERNAL = re.compile(rb"<!DOCTYPE\s+[^\[>]*>", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.I)
_ENCODING_DECL = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.I)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inflate_capped(data: bytes, cap: int = MAX_FEED_BYTES) -> bytes:
    """A gzip body served without Content-Encoding: inflate, but never beyond `cap` bytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, cap + 1)
    if len(out) > cap or inflater.unconsumed_tail:
        raise BadFeed(f"feed inflates beyond {cap // MB} MB", cause="too large")
    return out


def to_utf8(data: bytes) -> bytes:
    """UTF-8 bytes with a matching XML declaration, whatever the feed declared or really used."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            data = data[len(bom):]
            if codec != "utf-8":
                data = data.decode(codec, "replace").encode("utf-8")
            break
    else:
        decl = _XML_DECL.match(data)
        declared = _ENCODING_DECL.search(decl.group(0)) if decl else None
        codec = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if codec not in ("utf-8", "utf8"):
            try:
                data = data.decode(codec).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                pass  # fall through: treated as UTF-8 with Latin-1 repair below
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Declared UTF-8, sent as Latin-1/Windows-1252 (or a mix): repair byte by byte.
        text = data.decode("utf-8", errors="latin1_fallback")
    data = text.encode("utf-8")
    data = _CONTROL_BYTES.sub(b"", data)
    decl = _XML_DECL.match(data)
    if decl:
        data = _ENCODING_DECL.sub(b'encoding="utf-8"', decl.group(0)) + data[decl.end():]
    return data


def _latin1_fallback(exc: UnicodeDecodeError):
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", ""), exc.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def check_feed_bytes(data: bytes, *, source: str = "feed", url: str | None = None) -> bytes:
    """The document as the parser may see it, or BadFeed. Never parses XML."""
    if data.startswith(_GZIP_MAGIC):
        data = inflate_capped(data)
    if len(data) > MAX_FEED_BYTES:
        raise BadFeed(f"{source}: bad feed: larger than {MAX_FEED_BYTES // MB} MB", source=source, url=url,
                      cause="too large")
    data = to_utf8(data)
    if _ENTITY.search(data) or re.search(rb"<!DOCTYPE[^>\[]*\[", data, re.I):
        raise BadFeed(f"{source}: bad feed: DTD/entities not allowed", source=source, url=url,
                      cause="DTD/entities not allowed")
    data = _DOCTYPE_EXTERNAL.sub(b"", data)
    if _DOCTYPE.search(data):
        raise BadFeed(f"{source}: bad feed: DTD/entities not allowed", source=source, url=url,
                      cause="DTD/entities not allowed")
    return data


# ---------------------------------------------------------------------------------------------------------------
# Parsing in a memory- and time-limited worker process


def _limit_memory(extra: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        current = 512 * MB
    limit = current + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _struct_to_iso(value) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


# feedparser forgets a GUID's isPermaLink once the item has a link: read it from the document. Explicit "true", or
# no attribute (RSS 2.0's default) on an http(s) GUID.
_GUID = re.compile(r"<guid\b([^>]*)>\s*(?:<!\[CDATA\[)?\s*(https?://[^<\]\s]+?)\s*(?:\]\]>)?\s*</guid>", re.I)
_NOT_PERMALINK = re.compile(r"""isPermaLink\s*=\s*["']false["']""", re.I)


def permalink_guids(data: bytes) -> set[str]:
    text = data.decode("utf-8", "replace")
    return {m.group(2) for m in _GUID.finditer(text) if not _NOT_PERMALINK.search(m.group(1))}


def _entry_to_dict(e, permalinks: set[str] = frozenset()) -> dict:
    content = e.get("content") or []
    source = e.get("source") or {}
    return {
        "guid": e.get("id"),
        "guid_permalink": e.get("id") if e.get("id") in permalinks else None,
        "source_name": source.get("title"),  # Google News: the publisher of the article it points to
        "url": e.get("link"),
        "title": e.get("title"),
        "summary": e.get("summary"),
        "content": content[0].get("value") if content else None,
        "author": e.get("author"),
        "published_at": _struct_to_iso(e.get("published_parsed") or e.get("updated_parsed")),
        "categories": [t.get("term") for t in (e.get("tags") or []) if t.get("term")],
    }


def _parse_in_worker(data: bytes) -> dict:
    import feedparser

    # Bytes only: feedparser.parse(<str>) would fetch a URL or read a local file.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    feed = parsed.get("feed") or {}
    return {
        "version": parsed.get("version") or "",
        "bozo": bool(parsed.get("bozo")),
        "bozo_exception": repr(parsed.get("bozo_exception"))[:300] if parsed.get("bozo") else None,
        "title": feed.get("title"),
        "language": feed.get("language"),
        "entries": [_entry_to_dict(e, permalink_guids(data)) for e in parsed.get("entries", [])],
    }


def _warm_up(extra: int) -> bool:
    """First job of a fresh worker: import the parser, then cap the address space at what that took + `extra`."""
    import feedparser  # noqa: F401

    _limit_memory(extra)
    return True


class FeedParserPool:
    """One worker process (spawned, so no inherited threads or locks) reused across feeds; replaced after a
    timeout or a crash."""

    def __init__(self, *, timeout: float = PARSE_TIMEOUT_SECONDS, memory_bytes: int = PARSE_MEMORY_BYTES,
                 worker=None) -> None:
        self.worker = worker or _parse_in_worker  # tests substitute a hostile worker
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self, source: str, url: str | None) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            # Start-up (a fresh interpreter importing feedparser) must not eat the parse time limit.
            try:
                self._executor.submit(_warm_up, self.memory_bytes).result(timeout=WORKER_STARTUP_SECONDS)
            except Exception:
                self._kill()
                raise BadFeed(f"{source}: feed parser worker did not start", source=source, url=url,
                              cause="parser start-up") from None
        return self._executor

    def _kill(self) -> None:
        if self._executor is not None:
            for proc in list(getattr(self._executor, "_processes", {}).values()):
                proc.kill()
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def parse(self, data: bytes, *, source: str = "feed", url: str | None = None) -> dict:
        with self._lock:
            future = self._pool(source, url).submit(self.worker, data)
            try:
                return future.result(timeout=self.timeout)
            except FutureTimeout:
                self._kill()
                raise BadFeed(f"{source}: bad feed: parsing took more than {self.timeout:.0f} s", source=source,
                              url=url, cause="parse timeout") from None
            except (BrokenProcessPool, MemoryError):
                self._kill()
                raise BadFeed(f"{source}: bad feed: parser ran out of memory or crashed", source=source, url=url,
                              cause="parser crashed") from None

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def __enter__(self) -> FeedParserPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def parse_feed(data: bytes, pool: FeedParserPool, *, source: str = "feed", url: str | None = None) -> dict:
    """Check, repair and parse one feed document. Raises BadFeed."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_feed takes bytes, never a URL or a path")
    safe = check_feed_bytes(bytes(data), source=source, url=url)
    parsed = pool.parse(safe, source=source, url=url)
    if not parsed["version"] and not parsed["entries"]:
        raise BadFeed(f"{source}: bad feed: not RSS or Atom ({parsed['bozo_exception'] or 'no entries'})",
                      source=source, url=url, cause="not a feed")
    return parsed


# ---------------------------------------------------------------------------------------------------------------
# Fetching


def fetch_feed(client: HttpClient, feed: FeedConfig, pool: FeedParserPool, *, etag: str | None = None,
               last_modified: str | None = None, robots=None) -> FeedFetch:
    """One feed: conditional GET (a 304 means no work), robots.txt, size cap, safe parse. Never raises for a
    feed problem: the error is on the result so the other feeds go on."""
    try:
        refusal = robots.refusal(feed.url) if robots is not None else None
        if refusal:
            return FeedFetch(feed, "error", error=f"{feed.name}: {refusal}")
        resp = client.get(feed.url, source=feed.name, expect="feed", if_none_match=etag,
                          if_modified_since=last_modified, max_bytes=MAX_FEED_BYTES,
                          headers={"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                                             "text/xml;q=0.8"})
        if resp.not_modified:
            return FeedFetch(feed, "not_modified", etag=etag, last_modified=last_modified)
        parsed = parse_feed(resp.content, pool, source=feed.name, url=feed.url)
    except SourceError as exc:
        return FeedFetch(feed, "error", error=str(exc))
    items = [{**e, "feed_name": feed.name, "feed_url": feed.url, "feed_kind": feed.kind,
              "feed_language": parsed.get("language")} for e in parsed["entries"]]
    return FeedFetch(feed, "ok", items, etag=resp.etag, last_modified=resp.last_modified, raw=resp.content)
