"""The tests' scripted loopback HTTP server: demo.loopback's server with scripted replies and misbehaviour on top.

    with FakeServer() as srv:
        srv.route("/page", Reply(429, headers={"Retry-After": "3"}), Reply.json({"ok": True}))
        srv.route("/file.zip", StaticFile(data, etag='"v1"'))
        client.get(srv.url("/page"), source="test")
        assert len(srv.requests_for("/page")) == 2

A route plays its replies in order, then repeats the last one. A route may also be any callable
`(RecordedRequest) -> Reply`, and a path ending in `*` matches every path it begins (`/tiles/*`). Each request is
recorded (method, path, query, headers, time from `clock`). Misbehaviour on demand: delay, stall before or after
the headers, truncation after N bytes (connection closed), chunked bodies (finite, truncated or endless), and
gzip bombs.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from demo import loopback
from demo.loopback import LoopbackServer, RecordedRequest, Route

__all__ = ["FakeClock", "FakeServer", "RecordedRequest", "Reply", "StaticFile", "gzip_bomb"]


class FakeClock:
    """A monotonic clock and a wall clock that only move when `sleep` is called. Thread-safe."""

    def __init__(self, start: float = 1000.0, wall_start: float = 1_767_225_600.0) -> None:  # 2026-01-01 UTC
        self._lock = threading.Lock()
        self._now = start
        self._wall_offset = wall_start - start
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    __call__ = now

    def wall(self) -> float:
        with self._lock:
            return self._now + self._wall_offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass
class Reply(loopback.Reply):
    """A reply that can misbehave. Without any of the fields below it is sent like demo.loopback's Reply."""

    delay: float = 0.0  # seconds before anything is sent
    stall: bool = False  # read the request, never answer (until the server stops)
    stall_after: int | None = None  # send headers and this many body bytes, then stall
    truncate_after: int | None = None  # send headers (full Content-Length) and this many body bytes, then close
    chunked: bool = False  # Transfer-Encoding: chunked (with truncate_after: no final chunk, then close)
    endless: bool = False  # a chunked body that never ends
    content_length: int | None = None  # declared Content-Length, if not the body's length
    gzip: bool = False  # gzip the body, add Content-Encoding

    @classmethod
    def bomb(cls, decoded_size: int, content_type: str = "application/json") -> Reply:
        """A gzip body of zeros: about decoded_size/1000 bytes on the wire."""
        return cls(200, gzip_bomb(decoded_size), {"Content-Type": content_type, "Content-Encoding": "gzip"})

    def send(self, h, stop: threading.Event) -> None:
        if self.delay and stop.wait(self.delay):
            return
        if self.stall:
            stop.wait(60)
            h.close_connection = True
            return
        if (self.stall_after, self.truncate_after, self.content_length) == (None, None, None) and not (
                self.chunked or self.endless or self.gzip):
            super().send(h, stop)
            return
        self._misbehave(h, stop)

    def _misbehave(self, h, stop: threading.Event) -> None:
        body = self.payload()
        headers = dict(self.headers)
        if self.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        h.send_response(self.status)
        chunked = self.chunked or self.endless
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif "Content-Length" not in headers:
            headers["Content-Length"] = str(self.content_length if self.content_length is not None else len(body))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        if h.command == "HEAD":
            return
        if self.endless:
            piece = b"x" * 65536
            frame = b"%x\r\n%s\r\n" % (len(piece), piece)
            while not stop.is_set():
                h.wfile.write(frame)
            h.close_connection = True
            return
        limit = self.truncate_after if self.truncate_after is not None else self.stall_after
        data = body if limit is None else body[:limit]
        if chunked:
            for i in range(0, len(data), 8192):
                piece = data[i:i + 8192]
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            if limit is None:
                h.wfile.write(b"0\r\n\r\n")
        else:
            h.wfile.write(data)
        h.wfile.flush()
        if self.stall_after is not None:
            stop.wait(60)
            h.close_connection = True
        elif self.truncate_after is not None:
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass


@functools.lru_cache(maxsize=4)
def gzip_bomb(decoded_size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = []
    left = decoded_size
    while left > 0:
        n = min(left, len(zeros))
        parts.append(comp.compress(zeros[:n]))
        left -= n
    parts.append(comp.flush())
    return b"".join(parts)


class StaticFile:
    """A file served like a real static server: ETag/Last-Modified, If-None-Match/If-Modified-Since → 304,
    `Range: bytes=N-` (+ If-Range) → 206, unless `ranges=False` (the server then ignores Range and sends 200).

    `cuts`: for the first requests, send only this many body bytes and close (None = serve fully).
    """

    def __init__(self, data: bytes, *, etag: str | None = '"v1"', last_modified: float | None = 1_767_225_600.0,
                 content_type: str = "application/zip", ranges: bool = True,
                 cuts: list[int | None] | None = None) -> None:
        self.data = data
        self.etag = etag
        self.last_modified = email.utils.formatdate(last_modified, usegmt=True) if last_modified else None
        self.content_type = content_type
        self.ranges = ranges
        self.cuts = list(cuts or [])
        self._lock = threading.Lock()
        self.bytes_sent = 0

    def _validators(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["ETag"] = self.etag
        if self.last_modified:
            out["Last-Modified"] = self.last_modified
        return out

    def __call__(self, req: RecordedRequest) -> Reply:
        with self._lock:
            cut = self.cuts.pop(0) if self.cuts else None
        headers = {"Content-Type": self.content_type, **self._validators()}
        inm, ims = req.headers.get("if-none-match"), req.headers.get("if-modified-since")
        if inm is not None:
            if self.etag and self.etag in [t.strip() for t in inm.split(",")]:
                return Reply(304, b"", self._validators())
        elif ims is not None and self.last_modified:
            if email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(self.last_modified):
                return Reply(304, b"", self._validators())
        body, status = self.data, 200
        rng = req.headers.get("range")
        if_range = req.headers.get("if-range")
        if self.ranges and rng and rng.startswith("bytes=") and (if_range is None or if_range in (
                self.etag, self.last_modified)):
            start = int(rng[6:].split("-", 1)[0])
            if start >= len(self.data):
                return Reply(416, b"", {"Content-Range": f"bytes */{len(self.data)}"})
            body, status = self.data[start:], 206
            headers["Content-Range"] = f"bytes {start}-{len(self.data) - 1}/{len(self.data)}"
        if self.ranges:
            headers["Accept-Ranges"] = "bytes"
        with self._lock:
            self.bytes_sent += len(body) if cut is None else min(cut, len(body))
        return Reply(status, body, headers, truncate_after=cut)


class FakeServer(LoopbackServer):
    """Scripted HTTP server on 127.0.0.1 (random port). Use as a context manager."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, host: str = "127.0.0.1") -> None:
        super().__init__(0, host=host, clock=clock, name="FakeServer")
        self._routes: dict[str, Route | list[Reply]] = {}  # each path's callable or script, as given

    def route(self, path: str, *replies: Reply | Route) -> FakeServer:
        """Script `path`: one callable, or replies played in order (the last one repeats). A path ending in `*`
        matches every path it begins (tile servers: `/tiles/*`); exact paths win."""
        if len(replies) == 1 and callable(replies[0]) and not isinstance(replies[0], loopback.Reply):
            self._routes[path] = replies[0]
            super().route(path, replies[0])
        else:
            script = self._routes[path] = list(replies)
            super().route(path, functools.partial(self._play, script))
        return self

    def _play(self, script: list[Reply], req: RecordedRequest) -> Reply:
        with self._lock:
            return script.pop(0) if len(script) > 1 else script[0]
