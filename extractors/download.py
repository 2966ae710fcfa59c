"""Cached, resumable downloads of big files (the monthly SIRENE stock files).

One cache entry per URL: `<cache_dir>/<sha256(url)[:16]>/` holds the file (named after the last path segment of
the final URL, since data.gouv.fr stable URLs redirect to the latest file) and `.meta.json` (ETag, Last-Modified,
size, final URL). A later call sends a conditional GET: 304 reuses the file without transferring it. An interrupted
transfer leaves `<name>.part`, which the next call resumes with `Range` + `If-Range` (see `resumable.download`).

Local paths are the caller's business (check `os.path.exists` first); this module only handles URLs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from extractors import resumable
from extractors.http import GB, HttpClient, RetryPolicy

log = logging.getLogger("radar.download")

DEFAULT_MAX_BYTES = 20 * GB
# Big files: more attempts (each resumes where the last one stopped) and hours rather than minutes.
DOWNLOAD_RETRY = RetryPolicy(max_attempts=6, budget_seconds=6 * 3600, backoff_base=2.0, backoff_max=120.0)
META_NAME = ".meta.json"

Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class CachedFile:
    path: Path
    size: int
    etag: str | None
    last_modified: str | None
    url: str
    final_url: str
    from_cache: bool


def cache_entry_dir(cache_dir: str | Path, url: str) -> Path:
    return Path(cache_dir) / hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def fetch_to_cache(
    client: HttpClient,
    url: str,
    cache_dir: str | Path,
    *,
    source: str = "SIRENE stock",
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retry: RetryPolicy | None = DOWNLOAD_RETRY,
) -> CachedFile:
    """Download `url` into the cache, or reuse the cached copy if the server says it is unchanged (304)."""
    entry = cache_entry_dir(cache_dir, url)
    entry.mkdir(parents=True, exist_ok=True)
    meta = _cached_meta(entry, url)
    result = resumable.download(
        client, url, entry, source=source, progress=progress, resume=True,
        if_none_match=meta.get("etag") if meta else None,
        if_modified_since=meta.get("last_modified") if meta else None,
        max_bytes=max_bytes, retry=retry,
    )
    if result.not_modified:
        if not meta:  # 304 to an unconditional request cannot happen: the client raises first
            raise AssertionError("304 without a cached copy")
        path = entry / meta["name"]
        log.info("%s: skipped: remote file unchanged (%s, %d bytes)", source, path.name, meta["size"])
        return CachedFile(path, meta["size"], meta.get("etag"), meta.get("last_modified"), url,
                          meta.get("final_url", url), from_cache=True)
    assert result.path is not None
    new_meta = {
        "url": url, "final_url": result.final_url, "name": result.path.name, "size": result.size,
        "etag": result.etag, "last_modified": result.last_modified, "fetched_at": time.time(),
    }
    _write_json(entry / META_NAME, new_meta)
    if meta and meta["name"] != result.path.name:  # last month's file under another name
        (entry / meta["name"]).unlink(missing_ok=True)
    log.info("%s: downloaded %s (%d bytes)", source, result.path.name, result.size)
    return CachedFile(result.path, result.size, result.etag, result.last_modified, url, result.final_url,
                      from_cache=False)


def _cached_meta(entry: Path, url: str) -> dict | None:
    """The metadata of a complete cached file, or None (and no stale metadata left behind)."""
    path = entry / META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        name, size = meta["name"], int(meta["size"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    cached = entry / name
    if meta.get("url") != url or "/" in name or not cached.is_file() or cached.stat().st_size != size:
        path.unlink(missing_ok=True)
        return None
    return meta


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def print_progress(
    label: str,
    *,
    stream: TextIO | None = None,
    clock: Callable[[], float] = time.monotonic,
    tty: bool | None = None,
) -> Progress:
    """A progress callback for `fetch_to_cache`/`resumable.download` that writes to stderr.

    On a terminal: one line updated in place (at most 5 times a second). Otherwise (logs, CI): at most about ten
    lines per download, one per 10 % when the size is known, else at 64 MB, 128 MB, 256 MB, ... and at the end.
    """
    out = stream if stream is not None else sys.stderr
    is_tty = out.isatty() if tty is None else tty
    state = {"t0": None, "start": 0, "next": 0.0, "last_t": -1.0, "done": False}

    def line(done: int, total: int | None) -> str:
        elapsed = max(clock() - state["t0"], 1e-9)
        speed = (done - state["start"]) / elapsed / 1e6
        if total:
            return f"{label}: {100 * done / total:5.1f}% {done / 1e6:,.1f}/{total / 1e6:,.1f} MB {speed:.1f} MB/s"
        return f"{label}: {done / 1e6:,.1f} MB {speed:.1f} MB/s"

    def report(done: int, total: int | None) -> None:
        if state["done"]:
            return
        now = clock()
        if state["t0"] is None:
            state["t0"], state["start"] = now, done
            state["next"] = _next_mark(done, total)
        finished = total is not None and done >= total
        if is_tty:
            if finished or now - state["last_t"] >= 0.2:
                state["last_t"] = now
                out.write("\r" + line(done, total) + ("\n" if finished else ""))
                out.flush()
        elif finished or done >= state["next"]:
            out.write(line(done, total) + "\n")
            out.flush()
            state["next"] = _next_mark(done, total)
        state["done"] = finished

    return report


def _next_mark(done: int, total: int | None) -> float:
    if total:
        step = total / 10
        return (int(done / step) + 1) * step
    mark = 64e6
    while mark <= done:
        mark *= 2
    return mark
