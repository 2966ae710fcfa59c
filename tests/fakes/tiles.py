"""A loopback tile server: real PNG tiles of one solid colour for any `/tiles/{z}/{x}/{y}.png`, with the CORS
header real tile hosts send (the browser loads map images with crossOrigin="anonymous")."""

from __future__ import annotations

import re
import struct
import zlib

from tests.fakes.http_server import FakeServer, RecordedRequest, Reply

TILE_RGB = (0, 200, 200)  # cyan: no map layer uses it, so a screenshot shows where tiles were drawn
_TILE_PATH = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid 8-bit RGB PNG of one colour (stdlib only)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def serve_tiles(server: FakeServer, rgb: tuple[int, int, int] = TILE_RGB) -> str:
    """Route `/tiles/*` on `server`; returns the URL template to configure."""
    tile = png(256, 256, rgb)

    def reply(req: RecordedRequest) -> Reply:
        if not _TILE_PATH.match(req.path):
            return Reply(404, b"no such tile", {"Content-Type": "text/plain"})
        return Reply(200, tile, {"Content-Type": "image/png", "Access-Control-Allow-Origin": "*",
                                 "Cache-Control": "max-age=3600"})

    server.route("/tiles/*", reply)
    return server.url("/tiles/{z}/{x}/{y}.png")


def tile_requests(server: FakeServer) -> list[tuple[int, int, int, RecordedRequest]]:
    out = []
    for req in list(server.requests):
        m = _TILE_PATH.match(req.path)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), req))
    return out
