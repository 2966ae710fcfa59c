"""What the body may be, and reading it under a cap on *decoded* bytes.

gzip and deflate are decoded here, in bounded steps, rather than by httpx: the cap then counts the bytes the caller
would get, so a decompression bomb or an endless body stops at the cap instead of filling the memory. Also here:
the checks of Content-Encoding, Content-Type (`expect=`) and charset.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx

from extractors.http.errors import BudgetExceeded, ResponseTooLarge, Truncated, UnexpectedContent
from extractors.http.redaction import safe_url

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

_INFLATE_CHUNK = 256 * KB


class _Inflater:
    """gzip/deflate decoder that never produces more than `_INFLATE_CHUNK` bytes per step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._d: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if self._gzip else None
        self._head = b""  # deflate: the first two bytes tell a zlib wrapper from a raw stream
        self._members = 0
        self._member_out = 0
        self._dropped = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        pending = data
        if self._d is None:
            self._head += pending
            if len(self._head) < 2:
                return
            cmf, flg = self._head[0], self._head[1]
            wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
            self._d = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            pending, self._head = self._head, b""
        while not self._dropped:
            if self._d.eof:
                pending = self._d.unused_data + pending
                if not self._gzip or not pending:
                    return  # bytes after a deflate stream are ignored, like httpx does
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
                self._members += 1
                self._member_out = 0
            try:
                out = self._d.decompress(pending, _INFLATE_CHUNK)
            except zlib.error:
                if self._members:  # garbage after a complete gzip member: ignore the rest, like httpx does
                    self._dropped = True
                    return
                raise
            if out:
                self._member_out += len(out)
                yield out
            # At the end of a member the leftover input is in unused_data (CPython 3.11 may copy it to
            # unconsumed_tail as well: take it from one place only).
            pending = b"" if self._d.eof else self._d.unconsumed_tail
            # An output-limited call may leave output inside zlib even with no input left: drain it.
            if not pending and len(out) < _INFLATE_CHUNK and not (self._d.eof and self._d.unused_data):
                return

    def finish(self) -> bytes:
        if self._dropped:
            return b""
        if self._d is None:
            raise Truncated(f"{self.encoding} stream ended early")
        tail = self._d.flush()
        if not self._d.eof and not (self._members and not self._member_out and not tail):
            raise Truncated(f"{self.encoding} stream ended early")
        return tail


def content_encoding(headers: httpx.Headers) -> str | None:
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",") if v.strip()]
    values = [v for v in values if v != "identity"]
    if not values:
        return None
    if len(values) > 1 or values[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnexpectedContent(f"unsupported Content-Encoding {headers.get('content-encoding')!r}")
    return values[0]


def int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def media_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def charset(headers: httpx.Headers) -> str | None:
    match = re.search(r"charset=\"?([\w.:-]+)", headers.get("content-type", ""), re.I)
    return match.group(1) if match else None


_EXPECT: dict[str, tuple[str, ...]] = {
    "json": ("application/json", "text/json", "+json"),
    "xml": ("application/xml", "text/xml", "+xml"),
    "feed": ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
             "text/xml", "+xml"),
    "html": ("text/html", "application/xhtml+xml"),
    "csv": ("text/csv", "application/csv", "text/plain"),
    "text": ("text/",),
}


def content_matches(expect: str | Iterable[str], media: str, body: bytes) -> bool:
    wanted: list[str] = []
    for item in [expect] if isinstance(expect, str) else list(expect):
        wanted.extend(_EXPECT.get(item.lower(), (item.lower(),)))
    looks_html = body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))
    if not media:  # no Content-Type: sniff JSON only
        return "application/json" in wanted and body.lstrip()[:1] in (b"{", b"[")
    for w in wanted:
        if (w.startswith("+") and media.endswith(w)) or (w.endswith("/") and media.startswith(w)) or media == w:
            return not (looks_html and "text/html" not in wanted)
    return False


def expect_text(expect: str | Iterable[str]) -> str:
    return expect if isinstance(expect, str) else " or ".join(expect)


def read_body(resp: httpx.Response, url: str, source: str, cap: int, sink: Callable[[bytes], None], *,
              clock: Callable[[], float], deadline: float = math.inf) -> int:
    """Stream the body into `sink`, decoding gzip/deflate ourselves so the cap counts decoded bytes."""
    encoding = response_encoding(resp, url, source)
    declared = int_header(resp.headers, "content-length")
    if declared is not None and declared > cap:
        raise too_large(source, url, cap, declared=declared)
    inflater = _Inflater(encoding) if encoding else None
    raw_total = decoded = 0

    def emit(piece: bytes) -> None:
        nonlocal decoded
        decoded += len(piece)
        if decoded > cap:
            raise too_large(source, url, cap)
        sink(piece)

    try:
        for raw in resp.iter_raw():
            raw_total += len(raw)
            if raw_total > cap:
                raise too_large(source, url, cap)
            if inflater is None:
                emit(raw)
            else:
                for piece in inflater.feed(raw):
                    emit(piece)
            if clock() > deadline:
                raise BudgetExceeded()
        if declared is not None and raw_total < declared:
            raise Truncated(f"body ended after {raw_total} of {declared} bytes")
        if inflater is not None:
            tail = inflater.finish()
            if tail:
                emit(tail)
    except zlib.error as exc:
        raise UnexpectedContent(f"{source}: corrupt {encoding} body: {exc} (GET {safe_url(url)})",
                                source=source, url=safe_url(url), cause="corrupt encoding") from None
    return decoded


def response_encoding(resp: httpx.Response, url: str, source: str) -> str | None:
    try:
        return content_encoding(resp.headers)
    except UnexpectedContent as exc:
        raise UnexpectedContent(f"{source}: {exc} (GET {safe_url(url)})", source=source, url=safe_url(url),
                                cause=str(exc)) from None


def too_large(source: str, url: str, cap: int, declared: int | None = None) -> ResponseTooLarge:
    what = f"declared Content-Length {declared}" if declared is not None else "body"
    return ResponseTooLarge(
        f"{source} response too large: {what} exceeds the cap of {cap} bytes (GET {safe_url(url)})",
        source=source, url=safe_url(url), cause="too large")


def read_error_body(resp: httpx.Response, limit: int = 64 * KB) -> bytes:
    """The start of an error body, for diagnostics; errors while reading it are ignored."""
    out = bytearray()
    try:
        for chunk in resp.iter_raw():
            out += chunk
            if len(out) >= limit:
                break
    except httpx.HTTPError:
        pass
    if _content_encoding_safe(resp.headers) and out:
        try:
            return zlib.decompressobj(47).decompress(bytes(out), limit)
        except zlib.error:
            pass
    return bytes(out[:limit])


def _content_encoding_safe(headers: httpx.Headers) -> bool:
    try:
        return content_encoding(headers) is not None
    except UnexpectedContent:
        return False
