"""A scripted loopback HTTP server for tests (stdlib only, 127.0.0.1:0, one thread per connection).

    with FakeServer() as srv:
        srv.route("/page", Reply(429, headers={"Retry-After": "3"}), Reply.json({"ok": True}))
        srv.route("/file.zip", StaticFile(data, etag='"v1"'))
        client.get(srv.url("/page"), source="test")
        assert len(srv.requests_for("/page")) == 2

A route plays its replies in order, then repeats the last one. A route may also be any callable
`(RecordedRequest) -> Reply`. Each request is recorded (method, path, query, headers, time from `clock`).
Misbehaviour on demand: delay, stall before or after the headers, truncation after N bytes (connection closed),
chunked bodies (finite, truncated or endless), and gzip bombs.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import json as jsonlib
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

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
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent
    stall: bool = False  # read the request, never answer (until the server stops)
    stall_after: int | None = None  # send headers and this many body bytes, then stall
    truncate_after: int | None = None  # send headers (full Content-Length) and this many body bytes, then close
    chunked: bool = False  # Transfer-Encoding: chunked (with truncate_after: no final chunk, then close)
    endless: bool = False  # a chunked body that never ends
    content_length: int | None = None  # declared Content-Length, if not the body's length
    gzip: bool = False  # gzip the body, add Content-Encoding

    @classmethod
    def json(cls, data, status: int = 200, headers: dict[str, str] | None = None, **kw) -> Reply:
        return cls(status, jsonlib.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})},
                   **kw)

    @classmethod
    def html(cls, text: str, status: int = 200, headers: dict[str, str] | None = None, **kw) -> Reply:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, **kw)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status, b"", {"Location": location})

    @classmethod
    def bomb(cls, decoded_size: int, content_type: str = "application/json") -> Reply:
        """A gzip body of zeros: about decoded_size/1000 bytes on the wire."""
        return cls(200, gzip_bomb(decoded_size), {"Content-Type": content_type, "Content-Encoding": "gzip"})


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


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    t: float  # from the server's clock
    wall: float  # time.time()


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


Route = Callable[[RecordedRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeServer

    def process_request(self, request, client_address):
        with self.fake._lock:
            self.fake._sockets.add(request)
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self.fake._lock:
            self.fake._threads.append(t)
        t.start()

    def shutdown_request(self, request):
        with self.fake._lock:
            self.fake._sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # the client hung up on purpose: not worth a traceback
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.server.fake._serve(self)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET


class FakeServer:
    """Scripted HTTP server on 127.0.0.1 (random port). Use as a context manager."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, host: str = "127.0.0.1") -> None:
        self.clock = clock
        self.host = host
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Route | list[Reply]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeServer:
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="FakeServer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in list(self._threads):
            t.join(timeout=5)
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    # -- scripting
    def route(self, path: str, *replies: Reply | Route) -> FakeServer:
        """Script `path`: one callable, or replies played in order (the last one repeats). A path ending in `*`
        matches every path it begins (tile servers: `/tiles/*`); exact paths win."""
        if len(replies) == 1 and callable(replies[0]) and not isinstance(replies[0], Reply):
            self._routes[path] = replies[0]
        else:
            self._routes[path] = list(replies)
        return self

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    @property
    def hits(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- serving
    def _next_reply(self, req: RecordedRequest) -> Reply:
        route = self._routes.get(req.path)
        if route is None:
            route = next((r for p, r in self._routes.items() if p.endswith("*") and req.path.startswith(p[:-1])), None)
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if callable(route):
            return route(req)
        with self._lock:
            return route.pop(0) if len(route) > 1 else route[0]

    def _serve(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        req = RecordedRequest(h.command, parts.path, dict(parse_qsl(parts.query)),
                              {k.lower(): v for k, v in h.headers.items()}, h.rfile.read(length) if length else b"",
                              self.clock(), time.time())
        with self._lock:
            self.requests.append(req)
        reply = self._next_reply(req)
        if reply.delay and self._stop.wait(reply.delay):
            return
        if reply.stall:
            self._stop.wait(60)
            h.close_connection = True
            return
        try:
            self._send(h, reply)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            h.close_connection = True

    def _send(self, h: _Handler, reply: Reply) -> None:
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        headers = dict(reply.headers)
        if reply.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        h.send_response(reply.status)
        chunked = reply.chunked or reply.endless
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif "Content-Length" not in headers:
            headers["Content-Length"] = str(reply.content_length if reply.content_length is not None else len(body))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        if h.command == "HEAD":
            return
        if reply.endless:
            piece = b"x" * 65536
            frame = b"%x\r\n%s\r\n" % (len(piece), piece)
            while not self._stop.is_set():
                h.wfile.write(frame)
            h.close_connection = True
            return
        limit = reply.truncate_after if reply.truncate_after is not None else reply.stall_after
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
        if reply.stall_after is not None:
            self._stop.wait(60)
            h.close_connection = True
        elif reply.truncate_after is not None:
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass

