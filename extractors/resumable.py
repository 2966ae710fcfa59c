"""Resumable downloads of one URL to a file, through `HttpClient` (its redirects, guard, retries and caps).

`download()` writes `<name>.part` and keeps the validators (ETag or Last-Modified) beside it, so that a retry, or a
later run, resumes with `Range` + `If-Range`; the file gets its final name only once complete. The cache of
`extractors.download` is its one user.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import httpx

from extractors.http.client import HttpClient, conditional_headers
from extractors.http.decoding import MB, int_header, read_body, response_encoding, too_large
from extractors.http.errors import Transient
from extractors.http.rate import RetryPolicy

_PROGRESS_EVERY = 1 * MB
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class DownloadResult:
    path: Path | None  # None when not modified
    status: int
    size: int
    url: str
    final_url: str
    etag: str | None = None
    last_modified: str | None = None
    total: int | None = None
    resumed_from: int = 0
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class _DownloadJob:
    url: str
    dest: Path
    dir_mode: bool
    source: str
    headers: dict[str, str]
    conditional: dict[str, str]
    cap: int
    progress: Callable[[int, int | None], None] | None


def file_name_from_url(url: str, default: str = "download") -> str:
    """The last path segment of `url`, made safe as a file name (no separators, no leading dot)."""
    raw_path = httpx.URL(url).raw_path.split(b"?", 1)[0].decode("ascii")
    segment = unquote(raw_path.rsplit("/", 1)[-1])
    name = _SAFE_NAME.sub("_", segment).lstrip(".")[:200]
    return name or default


class _Partial:
    """An unfinished download: `<name>.part` plus `.<name>.part.json` (url, validator, total)."""

    def __init__(self, final: Path, state: dict | None = None) -> None:
        self.final = final
        self.part = final.with_name(final.name + ".part")
        self.state_path = final.with_name(f".{final.name}.part.json")
        self.state = state or {}

    @property
    def size(self) -> int:
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def validator(self) -> str | None:
        return self.state.get("validator") if self.state.get("resumable") and self.part.exists() else None

    @staticmethod
    def _load(path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @classmethod
    def _candidates(cls, dest: Path, dir_mode: bool, url: str) -> list[_Partial]:
        if not dir_mode:
            p = cls(dest)
            p.state = cls._load(p.state_path)
            return [p] if (p.part.exists() or p.state_path.exists()) else []
        found = []
        for state_path in dest.glob(".*.part.json"):
            state = cls._load(state_path)
            if state.get("url") == url and state.get("name"):
                found.append(cls(dest / state["name"], state))
        return found

    @classmethod
    def find(cls, dest: Path, dir_mode: bool, url: str) -> _Partial | None:
        best = None
        for p in cls._candidates(dest, dir_mode, url):
            if best is None and p.part.exists() and p.state.get("url") == url:
                best = p
            else:
                p.discard()
        return best

    @classmethod
    def discard_all(cls, dest: Path, dir_mode: bool, url: str) -> None:
        for p in cls._candidates(dest, dir_mode, url):
            p.discard()

    @classmethod
    def create(cls, dest: Path, dir_mode: bool, url: str, final_url: str) -> _Partial:
        p = cls(dest / file_name_from_url(final_url) if dir_mode else dest)
        p.state = {"url": url}
        return p

    def save_state(self, final_url: str, headers: httpx.Headers, total: int | None, resumable: bool) -> None:
        etag = headers.get("etag")
        strong_etag = etag if etag and not etag.startswith("W/") else None
        self.state.update(name=self.final.name, final_url=final_url, etag=etag,
                          last_modified=headers.get("last-modified"), total=total, resumable=resumable,
                          validator=strong_etag or headers.get("last-modified"))
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(json.dumps(self.state), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def open(self, append: bool):
        return open(self.part, "ab" if append else "wb")

    def discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.state_path.unlink(missing_ok=True)

    def commit(self) -> Path:
        os.replace(self.part, self.final)
        self.state_path.unlink(missing_ok=True)
        return self.final


def download(
    client: HttpClient,
    url: str,
    dest: str | Path,
    *,
    source: str,
    progress: Callable[[int, int | None], None] | None = None,
    resume: bool = True,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    headers: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    retry: RetryPolicy | None = None,
) -> DownloadResult:
    """Stream `url` to a file, resumably.

    `dest` is a file path, or an existing directory (the name then comes from the final URL's last path
    segment). Bytes go to `<name>.part`; a hidden `.<name>.part.json` keeps the validators (ETag or
    Last-Modified) so a later call (or a retry) resumes with `Range` + `If-Range`. A 200 answer to a range
    request restarts from zero. The file gets its final name (atomic rename) only once complete and of the
    announced size. `progress(done, total)` is called about every MB and once at the end with (size, size).
    """
    dest = Path(dest)
    job = _DownloadJob(
        url=client.checked_url(url, None, source), dest=dest, dir_mode=dest.is_dir(), source=source,
        headers={"Accept-Encoding": "identity", **(headers or {})},
        conditional=conditional_headers(if_none_match, if_modified_since),
        cap=client.max_bytes if max_bytes is None else max_bytes, progress=progress)
    if not resume:
        _Partial.discard_all(job.dest, job.dir_mode, job.url)
    return client.with_retries(lambda n, deadline: _download_attempt(client, job, n, deadline),
                               source=source, url=job.url, retry=retry)


def _download_attempt(client: HttpClient, job: _DownloadJob, n: int, deadline: float) -> DownloadResult:
    started = client.clock()
    partial = _Partial.find(job.dest, job.dir_mode, job.url)
    offset = partial.size if partial and partial.validator else 0
    if partial and not offset:
        partial.discard()
        partial = None
    req_headers = {**job.headers, **job.conditional}
    if partial:
        req_headers.update({"Range": f"bytes={offset}-", "If-Range": partial.validator})
    resp, final_url = client.open_stream(job.url, req_headers, job.source)
    try:
        if resp.status_code == 304 and job.conditional:
            if partial:
                partial.discard()
            client.log_done(resp, final_url, job.source, started, 0, n)
            return DownloadResult(None, 304, 0, job.url, final_url, resp.headers.get("etag"),
                                  resp.headers.get("last-modified"), attempts=n)
        partial, offset, total = _start_download(client, job, resp, final_url, partial, offset)
        done = _stream_to_partial(client, job, resp, final_url, partial, offset, total, deadline)
    finally:
        resp.close()
    if total is not None and done != total:
        if done > total:
            partial.discard()
        raise Transient(f"size mismatch: got {done} bytes of {total}", restart=done > total)
    path = partial.commit()
    if job.progress:
        job.progress(done, done)
    client.log_done(resp, final_url, job.source, started, done - offset, n)
    return DownloadResult(path, resp.status_code, done, job.url, final_url, resp.headers.get("etag"),
                          resp.headers.get("last-modified"), total if total is not None else done, offset, n)


def _start_download(client: HttpClient, job: _DownloadJob, resp: httpx.Response, final_url: str,
                    partial: _Partial | None, offset: int) -> tuple[_Partial, int, int | None]:
    """Check the answer to a (range) request: returns where to write, from which offset, the total size."""
    status = resp.status_code
    if status == 416 and partial:
        partial.discard()
        raise Transient("416 range not satisfiable, restarting", restart=True, status=416)
    client.check_status(resp, final_url, job.source)
    total = int_header(resp.headers, "content-length")
    if status == 206 and partial:
        start, total = _content_range(resp.headers)
        if start != offset:
            partial.discard()
            raise Transient(f"206 for the wrong range (starts at {start}, not {offset}), restarting",
                            restart=True)
    else:
        if partial:
            partial.discard()  # a 200 to a range request: the server starts over, so do we
        partial, offset = None, 0
    encoded = response_encoding(resp, final_url, job.source) is not None
    if encoded:
        total = None  # Content-Length counts encoded bytes; such a body cannot be resumed either
    if total is not None and total > job.cap:
        raise too_large(job.source, final_url, job.cap, declared=total)
    if partial is None:
        partial = _Partial.create(job.dest, job.dir_mode, job.url, final_url)
    partial.save_state(final_url, resp.headers, total, resumable=not encoded)
    return partial, offset, total


def _stream_to_partial(client: HttpClient, job: _DownloadJob, resp: httpx.Response, final_url: str,
                       partial: _Partial, offset: int, total: int | None, deadline: float) -> int:
    done = last_report = offset
    if job.progress:
        job.progress(done, total)
    with partial.open(append=offset > 0) as fh:

        def sink(chunk: bytes) -> None:
            nonlocal done, last_report
            fh.write(chunk)
            done += len(chunk)
            if job.progress and done - last_report >= _PROGRESS_EVERY:
                last_report = done
                job.progress(done, total)

        read_body(resp, final_url, job.source, job.cap - offset, sink, clock=client.clock, deadline=deadline)
        fh.flush()
        os.fsync(fh.fileno())
    return done


def _content_range(headers: httpx.Headers) -> tuple[int | None, int | None]:
    """(first byte, total size) of a 206; (None, None) when the header is missing or malformed."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", headers.get("content-range", ""))
    if not match:
        return None, None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), total
