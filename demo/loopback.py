"""The one loopback HTTP server of the project (stdlib only): the demo's APIs and news site run on it, and so do
the tests' fakes (tests/fakes/http_server.py adds scripted replies and misbehaviour on top).

    with LoopbackServer() as srv:                       # 127.0.0.1, a free port (or LoopbackServer(port=8080))
        srv.route("/robots.txt", lambda req: Reply(200, b"User-agent: *\\n", {"Content-Type": "text/plain"}))
        srv.route("/api/*", handler)                    # every path that begins with /api/
        httpx.get(srv.url("/robots.txt"))
        assert len(srv.requests_for("/robots.txt")) == 1

A route is a callable `(RecordedRequest) -> Reply`. Exact paths win over prefixes (a path ending in `*`), and
the longest prefix wins among prefixes; anything else is a 404. One thread per connection (HTTP/1.1
keep-alive); every request is recorded (method, path, query, headers, body, time from `clock`). Stopping the
server also closes the connections still open, so a reply that never ends cannot hold it up.
"""

from __future__ import annotations

import json as jsonlib
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

__all__ = ["LoopbackServer", "RecordedRequest", "Reply", "Route"]

_NO_BODY = {204, 304}  # statuses sent without Content-Length (RFC 9110: a 304's would be the 200's)


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    t: float  # from the server's clock
    wall: float  # time.time()


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)

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
    def not_found(cls) -> Reply:
        return cls(404, b"not found", {"Content-Type": "text/plain"})

    def payload(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body

    def send(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        """Write the response on the connection. `stop` is set when the server stops (for replies that wait)."""
        body = self.payload()
        h.send_response(self.status)
        headers = dict(self.headers)
        if self.status not in _NO_BODY:
            headers.setdefault("Content-Length", str(len(body)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD" and self.status not in _NO_BODY:
            h.wfile.write(body)
        h.wfile.flush()


Route = Callable[[RecordedRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LoopbackServer

    def process_request(self, request, client_address):
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self.owner._lock:
            self.owner._sockets.add(request)
            self.owner._threads.append(t)
        t.start()

    def shutdown_request(self, request):
        with self.owner._lock:
            self.owner._sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # a client that hung up is not worth a traceback
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "RadarLoopback/1"
    timeout = 30  # an idle keep-alive connection gives its thread back after this
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.owner._serve(self)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET


class LoopbackServer:
    """An HTTP server on `host` (127.0.0.1) and `port` (0: a free one), started by `start()` or `with`."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1", clock: Callable[[], float] = time.monotonic,
                 name: str = "loopback") -> None:
        self.host = host
        self.clock = clock
        self.name = name
        self.requests: list[RecordedRequest] = []
        self._wanted_port = port
        self._exact: dict[str, Route] = {}
        self._prefixes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> LoopbackServer:
        """Bind and serve (OSError when the port is taken). Starting a started server does nothing."""
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self._wanted_port), _Handler)
        self._httpd.owner = self
        self._stop.clear()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(timeout=5)
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def host_port(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host_port}"

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    # -- routes and records
    def route(self, path: str, handler: Route) -> LoopbackServer:
        """Serve `path` with `handler`; a path ending in `*` is a prefix (`/tiles/*`, `/*` for everything)."""
        if path.endswith("*"):
            self._prefixes[path[:-1]] = handler
        else:
            self._exact[path] = handler
        return self

    def handler_for(self, path: str) -> Route | None:
        found = self._exact.get(path)
        if found is None:
            prefix = max((p for p in self._prefixes if path.startswith(p)), key=len, default=None)
            found = None if prefix is None else self._prefixes[prefix]
        return found

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    @property
    def hits(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- serving
    def _serve(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        req = RecordedRequest(h.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                              {k.lower(): v for k, v in h.headers.items()}, h.rfile.read(length) if length else b"",
                              self.clock(), time.time())
        with self._lock:
            self.requests.append(req)
        handler = self.handler_for(req.path)
        reply = Reply.not_found() if handler is None else handler(req)
        try:
            reply.send(h, self._stop)
        except OSError:  # the client hung up (timeouts, resets and broken pipes are OSErrors)
            h.close_connection = True
