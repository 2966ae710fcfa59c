"""A minimal loopback HTTP server for the emulators (stdlib; 127.0.0.1, random port, one thread per request)."""

from __future__ import annotations

import inspect
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        emulator, prefix = self.server.route(parts.path)
        if emulator is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif "headers" in inspect.signature(emulator.__call__).parameters:
            headers_in = {k.lower(): v for k, v in self.headers.items()}
            status, headers, body = emulator(parts.path[len(prefix):], query, headers_in)
        else:
            status, headers, body = emulator(parts.path[len(prefix):], query)
        self.send_response(status)
        for k, v in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def route(self, path: str):
        for prefix, emulator in sorted(self.mounts.items(), key=lambda kv: -len(kv[0])):
            if path.startswith(prefix):
                return emulator, prefix
        return None, ""


class LoopbackApis:
    """Mount emulators under path prefixes: `with LoopbackApis({"/recherche": emu}) as s: s.url("/recherche")`."""

    def __init__(self, mounts: dict) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mounts = mounts
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="LoopbackApis")

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{prefix}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LoopbackApis:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
