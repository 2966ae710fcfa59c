"""The one HTTP client of Ecosystem Radar: every network call of the product goes through `HttpClient`.

What it adds on top of `httpx.Client` (see RELIABILITY.md, "Mechanisms" §1):

* explicit connect/read/write/pool timeouts;
* a per-host token bucket shared by every thread using the client (`HostPolicy`, `RateLimiter`);
* retries in this layer only: 429, 408, 500/502/503/504, timeouts, connection errors and truncated bodies are
  retried with exponential backoff and jitter, within a maximum number of attempts *and* a time budget;
  `Retry-After` (seconds or HTTP-date) is honoured, capped; 401/403 and other 4xx are terminal;
* a cap on *decoded* bytes, enforced while streaming (gzip bombs and endless bodies stop at the cap);
* a content-type check (`expect=`), keeping the rejected body on the exception for the landing zone;
* a User-Agent naming the product, its version and a contact;
* secrets in headers only, never in URLs, redacted from every log record and exception message;
* an optional SSRF guard for URLs that come from configuration, re-checked on every redirect hop and again at
  connect time (the resolved address is pinned, so DNS rebinding cannot slip through).

No Prefect and no DuckDB here: callers get bytes (or a file on disk) and `SourceError`s.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import math
import os
import random
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpcore
import httpx

from radar import __version__
from radar.errors import RadarError

log = logging.getLogger("radar.http")

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

PRODUCT = "EcosystemRadar"
DEFAULT_CONTACT = "mailto:data@example.org"
DEFAULT_MAX_BYTES = 50 * MB  # API pages and feeds; downloads pass their own cap
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
_READ_CHUNK = 64 * KB
_INFLATE_CHUNK = 256 * KB
_PROGRESS_EVERY = 1 * MB


# --------------------------------------------------------------------------------------------------------------
# Errors: one family. Messages name the source, the cause and the URL (without secrets).


class SourceError(RadarError):
    """A source could not be fetched. The message is safe to log: it never contains a secret."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        url: str | None = None,
        cause: str | None = None,
        status: int | None = None,
        attempts: int | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(redact(message))
        self.source = source
        self.url = url
        self.cause = cause
        self.status = status
        self.attempts = attempts
        # Kept for the landing zone / quarantine; not part of str() or repr().
        self.body = redact_bytes(body) if body is not None else None
        self.content_type = content_type

    def __reduce__(self):  # keyword-only attributes survive pickling (Prefect persists exceptions)
        return (_rebuild_error, (type(self), self.args[0] if self.args else "", dict(self.__dict__)))


def _rebuild_error(cls: type[SourceError], message: str, state: dict) -> SourceError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class HttpStatusError(SourceError):
    """A terminal HTTP status (4xx other than 408/429, or an unexpected 3xx)."""


class AuthError(HttpStatusError):
    """401/403: the key is missing, wrong or expired. Never retried."""


class RetryExhausted(SourceError):
    """Transient failures went on past the attempt limit or the time budget."""


class ResponseTooLarge(SourceError):
    """The body (after decoding) is larger than the cap, or declares so."""


class UnexpectedContent(SourceError):
    """The response is not what the caller expected (HTML instead of JSON, invalid JSON, bad encoding)."""


class BlockedUrl(SourceError):
    """The URL is refused before connecting: not http(s), or a private/loopback/link-local/... address."""


class RedirectError(SourceError):
    """Too many redirects, or a redirect without a usable Location."""


# --------------------------------------------------------------------------------------------------------------
# Secret redaction


_secrets_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_SECRET_PARAM = re.compile(r"(key|token|secret|password|passwd|pwd|auth|signature|sig|credential)", re.I)
_MIN_SECRET_LEN = 4  # shorter values would redact random words


def register_secret(value: str | None) -> None:
    """Make `value` redacted ("***") from every log record and `SourceError` message of the process."""
    global _secrets
    if value and len(value) >= _MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets = _secrets | {value}


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def redact_bytes(data: bytes) -> bytes:
    for secret in _secrets:
        raw = secret.encode("utf-8", "replace")
        if raw in data:
            data = data.replace(raw, b"***")
    return data


def _redact_record(record: logging.LogRecord) -> None:
    if not _secrets or getattr(record, "_radar_redacted", False):
        return
    record._radar_redacted = True
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the handler's problem, not ours
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if redact(text) != text:
            record.exc_text = redact(text)
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """Replaces every registered secret value with "***" in the record (message, args, traceback text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


_REDACTED_LOGGERS = (
    "httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
    "radar", "radar.http", "extractors",
)
_redaction_installed = False


def install_log_redaction() -> None:
    """Install the redacting filter on the httpx/httpcore/project loggers, plus a record factory.

    Logger filters only see records logged on that very logger (not on its children), so the record factory is
    the safety net for every other logger of the process. Idempotent.
    """
    global _redaction_installed
    with _secrets_lock:
        if _redaction_installed:
            return
        _redaction_installed = True
    redactor = RedactingFilter()
    for name in _REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(redactor)
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


def safe_url(url: str | httpx.URL) -> str:
    """The URL as it may appear in logs and errors: no userinfo, secret-looking parameters masked."""
    try:
        u = httpx.URL(str(url))
    except Exception:
        return redact(str(url))[:200]
    if u.userinfo:
        u = u.copy_with(username=None, password=None)
    if u.query:
        masked = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in u.params.multi_items()]
        u = u.copy_with(params=masked)
    return redact(str(u))


# --------------------------------------------------------------------------------------------------------------
# Policies and rate limiting


@dataclass(frozen=True)
class HostPolicy:
    """Politeness for one host: a token bucket of `burst` tokens refilled at `rate_per_second`.

    With burst=1 no window of length T ever holds more than 1 + rate*T requests (strict pacing).
    """

    rate_per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0 or self.burst < 1:
            raise ValueError("HostPolicy needs rate_per_second > 0 and burst >= 1")


DEFAULT_HOST_POLICY = HostPolicy(2.0)
DEFAULT_HOST_POLICIES: dict[str, HostPolicy] = {
    "recherche-entreprises.api.gouv.fr": HostPolicy(5.0),  # API limit 7/s per IP (SOURCES.md §1)
    "api.insee.fr": HostPolicy(0.5),  # public plan: 30 requests/minute
    "bodacc-datadila.opendatasoft.com": HostPolicy(3.0),
    "www.bodacc.fr": HostPolicy(3.0),
}


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts, time budget and backoff. delay(n) = min(max, base * 2**(n-1)) * (1 + jitter * U[0,1))."""

    max_attempts: int = 4
    budget_seconds: float = 300.0
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 0.5
    retry_after_cap: float = 120.0

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)) * (1 + self.jitter * rng())


class TokenBucket:
    """Thread-safe token bucket. Callers reserve a slot under the lock and sleep outside it."""

    def __init__(self, policy: HostPolicy, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.policy = policy
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(policy.burst)
        self._stamp: float | None = None
        self._not_before = -math.inf

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the time waited."""
        rate, burst = self.policy.rate_per_second, self.policy.burst
        with self._lock:
            now = self._clock()
            if self._stamp is None:
                self._stamp = now
            self._tokens = min(burst, self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            self._tokens -= 1
            wait = max(0.0, -self._tokens / rate, self._not_before - now)
        if wait > 0:
            self._sleep(wait)
        return wait

    def defer(self, seconds: float) -> None:
        """Nobody gets a token for `seconds` (the server said Retry-After)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)


class RateLimiter:
    """Token buckets per host (created on first use). Share one instance between clients of the same process."""

    def __init__(
        self,
        policies: Mapping[str, HostPolicy] | None = None,
        default: HostPolicy = DEFAULT_HOST_POLICY,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        merged = {**DEFAULT_HOST_POLICIES, **(policies or {})}
        self.policies = {k.lower(): v for k, v in merged.items()}
        self.default = default
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def policy_for(self, host: str, port: int | None = None) -> tuple[str, HostPolicy]:
        host = host.lower()
        for key in (f"{host}:{port}" if port else None, host):
            if key and key in self.policies:
                return key, self.policies[key]
        return host, self.default

    def bucket(self, host: str, port: int | None = None) -> TokenBucket:
        key, policy = self.policy_for(host, port)
        with self._lock:
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(policy, self._clock, self._sleep)
            return self._buckets[key]

    def acquire(self, host: str, port: int | None = None) -> float:
        return self.bucket(host, port).acquire()

    def defer(self, host: str, seconds: float, port: int | None = None) -> None:
        self.bucket(host, port).defer(seconds)


# --------------------------------------------------------------------------------------------------------------
# SSRF guard

Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not _is_public(str(embedded)):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return ip.is_global and not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified
    )


class UrlGuard:
    """Refuses URLs whose host resolves to a non-public address. Hosts in `allow_hosts` skip the address check."""

    def __init__(self, allow_hosts: Iterable[str] = (), resolver: Resolver = system_resolver) -> None:
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self.resolver = resolver

    def public_addresses(self, host: str, port: int) -> list[str] | None:
        """The addresses to connect to, or None for an allowlisted host (connect by name). Raises ValueError."""
        host = host.lower().strip("[]")
        if host in self.allow_hosts:
            return None
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise _Unresolvable(f"cannot resolve host {host!r}: {exc}") from None
        if not addresses:
            raise _Unresolvable(f"cannot resolve host {host!r}")
        bad = [a for a in addresses if not _is_public(a)]
        if bad:
            raise ValueError(f"host {host!r} resolves to a non-public address ({bad[0]})")
        return addresses


class _Unresolvable(OSError):
    pass


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and pins the address at connect time: the last line against DNS rebinding."""

    def __init__(self, inner: httpcore.NetworkBackend, guard: UrlGuard) -> None:
        self._inner = inner
        self._guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = self._guard.public_addresses(host, port)
        except _Unresolvable as exc:
            raise httpcore.ConnectError(str(exc)) from None
        except ValueError as exc:
            raise BlockedUrl(f"refused to connect: {exc}", cause=str(exc)) from None
        if addresses is None:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise BlockedUrl("refused to connect: unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# --------------------------------------------------------------------------------------------------------------
# Bounded decoding


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
            raise _Truncated(f"{self.encoding} stream ended early")
        tail = self._d.flush()
        if not self._d.eof and not (self._members and not self._member_out and not tail):
            raise _Truncated(f"{self.encoding} stream ended early")
        return tail


def _content_encoding(headers: httpx.Headers) -> str | None:
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",") if v.strip()]
    values = [v for v in values if v != "identity"]
    if not values:
        return None
    if len(values) > 1 or values[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnexpectedContent(f"unsupported Content-Encoding {headers.get('content-encoding')!r}")
    return values[0]


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


class _Transient(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(self, cause: str, *, retry_after: float | None = None, host: str | None = None,
                 port: int | None = None, status: int | None = None, restart: bool = False) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after
        self.host = host
        self.port = port
        self.status = status
        self.restart = restart  # e.g. a resume that must start over: retry at once


class _Truncated(Exception):
    pass


class _BudgetExceeded(Exception):
    pass


# --------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, repr=False)
class HttpResponse:
    status: int
    headers: httpx.Headers
    content: bytes
    url: str  # final URL, after redirects
    elapsed: float = 0.0
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return _media_type(self.headers)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def text(self) -> str:
        charset = _charset(self.headers) or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status} {safe_url(self.url)} {len(self.content)} bytes>"


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


def _media_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _charset(headers: httpx.Headers) -> str | None:
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


def _content_matches(expect: str | Iterable[str], media: str, body: bytes) -> bool:
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


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


# --------------------------------------------------------------------------------------------------------------
# The client


class HttpClient:
    """The project's HTTP client. Thread-safe; use one per process (or share its `rate_limiter`)."""

    def __init__(
        self,
        *,
        contact: str = DEFAULT_CONTACT,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        write_timeout: float = 30.0,
        pool_timeout: float = 10.0,
        host_policies: Mapping[str, HostPolicy] | None = None,
        default_policy: HostPolicy = DEFAULT_HOST_POLICY,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        secret_headers: Mapping[str, str] | None = None,
        guard: bool = False,
        allow_hosts: Iterable[str] = (),
        resolver: Resolver = system_resolver,
        max_redirects: int = MAX_REDIRECTS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wallclock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        install_log_redaction()
        self._secret_headers = dict(secret_headers or {})
        for value in self._secret_headers.values():
            register_secret(value)
        contact = contact.strip()
        self.user_agent = f"{PRODUCT}/{__version__} ({contact if contact.startswith('+') else '+' + contact})"
        self.timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=write_timeout,
                                     pool=pool_timeout)
        self.retry = retry or RetryPolicy()
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.guard = UrlGuard(allow_hosts, resolver) if guard else None
        self._clock, self._sleep, self._wallclock, self._rng = clock, sleep, wallclock, rng
        self.rate_limiter = rate_limiter or RateLimiter(host_policies, default_policy, clock=clock, sleep=sleep)
        if transport is None:
            transport = httpx.HTTPTransport(trust_env=False, limits=httpx.Limits(max_connections=20))
            if self.guard is not None:
                pool = getattr(transport, "_pool", None)
                if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
                    raise RuntimeError("httpx/httpcore internals changed: cannot pin guarded connections")
                pool._network_backend = _GuardedBackend(pool._network_backend, self.guard)
        self._client = httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            trust_env=False,
            transport=transport,
            headers={"User-Agent": self.user_agent},
        )

    def __repr__(self) -> str:
        return (f"HttpClient(user_agent={self.user_agent!r}, guard={self.guard is not None}, "
                f"secret_headers={sorted(self._secret_headers)!r})")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public API -------------------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: str | Iterable[str] | None = None,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
        max_bytes: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> HttpResponse:
        """GET with retries; the body is read fully (bounded by `max_bytes`). 304 returns `not_modified`."""
        full_url = self._build_url(url, params, source)
        req_headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
        conditional = _conditional_headers(if_none_match, if_modified_since)
        req_headers.update(conditional)
        cap = self.max_bytes if max_bytes is None else max_bytes

        def attempt(n: int, deadline: float) -> HttpResponse:
            started = self._clock()
            resp, final_url = self._open(full_url, req_headers, source)
            try:
                if resp.status_code == 304 and conditional:
                    self._log_done(resp, final_url, source, started, 0, n)
                    return HttpResponse(304, resp.headers, b"", final_url, self._clock() - started, n)
                self._check_status(resp, final_url, source)
                chunks: list[bytes] = []
                size = self._read_body(resp, final_url, source, cap, chunks.append, deadline=deadline)
                body = b"".join(chunks)
            finally:
                resp.close()
            self._log_done(resp, final_url, source, started, size, n)
            if expect is not None and not _content_matches(expect, _media_type(resp.headers), body):
                got = _media_type(resp.headers) or "no Content-Type"
                raise UnexpectedContent(
                    f"{source} returned unexpected content: expected {_expect_text(expect)}, got {got} "
                    f"(GET {safe_url(final_url)})",
                    source=source, url=safe_url(final_url), cause=f"content-type {got}", status=resp.status_code,
                    body=body, content_type=got)
            return HttpResponse(resp.status_code, resp.headers, body, final_url, self._clock() - started, n)

        return self._with_retries(attempt, source=source, url=full_url, retry=retry)

    def get_json(self, url: str, *, source: str, **kwargs: Any) -> tuple[Any, bytes]:
        """GET a JSON document: returns (parsed data, raw bytes). HTML or invalid JSON → `UnexpectedContent`."""
        kwargs.setdefault("expect", "json")
        kwargs.setdefault("headers", {"Accept": "application/json"})
        resp = self.get(url, source=source, **kwargs)
        if resp.not_modified:
            return None, b""
        try:
            return json.loads(resp.content), resp.content
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnexpectedContent(
                f"{source} returned invalid JSON: {exc} (GET {safe_url(resp.url)})",
                source=source, url=safe_url(resp.url), cause="invalid JSON", status=resp.status,
                body=resp.content, content_type=resp.content_type) from None

    def download(
        self,
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
            url=self._build_url(url, None, source), dest=dest, dir_mode=dest.is_dir(), source=source,
            headers={"Accept-Encoding": "identity", **(headers or {})},
            conditional=_conditional_headers(if_none_match, if_modified_since),
            cap=self.max_bytes if max_bytes is None else max_bytes, progress=progress)
        if not resume:
            _Partial.discard_all(job.dest, job.dir_mode, job.url)
        return self._with_retries(lambda n, deadline: self._download_attempt(job, n, deadline),
                                  source=source, url=job.url, retry=retry)

    def _download_attempt(self, job: _DownloadJob, n: int, deadline: float) -> DownloadResult:
        started = self._clock()
        partial = _Partial.find(job.dest, job.dir_mode, job.url)
        offset = partial.size if partial and partial.validator else 0
        if partial and not offset:
            partial.discard()
            partial = None
        req_headers = {**job.headers, **job.conditional}
        if partial:
            req_headers.update({"Range": f"bytes={offset}-", "If-Range": partial.validator})
        resp, final_url = self._open(job.url, req_headers, job.source)
        try:
            if resp.status_code == 304 and job.conditional:
                if partial:
                    partial.discard()
                self._log_done(resp, final_url, job.source, started, 0, n)
                return DownloadResult(None, 304, 0, job.url, final_url, resp.headers.get("etag"),
                                      resp.headers.get("last-modified"), attempts=n)
            partial, offset, total = self._start_download(job, resp, final_url, partial, offset)
            done = self._stream_to_partial(job, resp, final_url, partial, offset, total, deadline)
        finally:
            resp.close()
        if total is not None and done != total:
            if done > total:
                partial.discard()
            raise _Transient(f"size mismatch: got {done} bytes of {total}", restart=done > total)
        path = partial.commit()
        if job.progress:
            job.progress(done, done)
        self._log_done(resp, final_url, job.source, started, done - offset, n)
        return DownloadResult(path, resp.status_code, done, job.url, final_url, resp.headers.get("etag"),
                              resp.headers.get("last-modified"), total if total is not None else done, offset, n)

    def _start_download(self, job: _DownloadJob, resp: httpx.Response, final_url: str, partial: _Partial | None,
                        offset: int) -> tuple[_Partial, int, int | None]:
        """Check the answer to a (range) request: returns where to write, from which offset, the total size."""
        status = resp.status_code
        if status == 416 and partial:
            partial.discard()
            raise _Transient("416 range not satisfiable, restarting", restart=True, status=416)
        self._check_status(resp, final_url, job.source)
        total = _int_header(resp.headers, "content-length")
        if status == 206 and partial:
            start, total = _content_range(resp.headers)
            if start != offset:
                partial.discard()
                raise _Transient(f"206 for the wrong range (starts at {start}, not {offset}), restarting",
                                 restart=True)
        else:
            if partial:
                partial.discard()  # a 200 to a range request: the server starts over, so do we
            partial, offset = None, 0
        encoded = self._encoding(resp, final_url, job.source) is not None
        if encoded:
            total = None  # Content-Length counts encoded bytes; such a body cannot be resumed either
        if total is not None and total > job.cap:
            raise self._too_large(job.source, final_url, job.cap, declared=total)
        if partial is None:
            partial = _Partial.create(job.dest, job.dir_mode, job.url, final_url)
        partial.save_state(final_url, resp.headers, total, resumable=not encoded)
        return partial, offset, total

    def _stream_to_partial(self, job: _DownloadJob, resp: httpx.Response, final_url: str, partial: _Partial,
                           offset: int, total: int | None, deadline: float) -> int:
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

            self._read_body(resp, final_url, job.source, job.cap - offset, sink, deadline=deadline)
            fh.flush()
            os.fsync(fh.fileno())
        return done

    # -- internals --------------------------------------------------------------------------------------------

    def _build_url(self, url: str, params: Mapping[str, Any] | None, source: str) -> str:
        try:
            u = httpx.URL(url)
            if params:
                u = u.copy_merge_params(params)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise BlockedUrl(f"{source}: invalid URL {redact(str(url))[:200]!r}: {exc}", source=source,
                             cause="invalid URL") from None
        text = str(u)
        if any(s in text or unquote(text).find(s) >= 0 for s in self._secret_headers.values()):
            raise ValueError(f"{source}: a secret value appears in the URL; pass secrets as headers only")
        self._check_scheme(u, source)
        return text

    def _check_scheme(self, u: httpx.URL, source: str) -> None:
        if u.scheme not in ("http", "https") or not u.host:
            raise BlockedUrl(
                f"{source}: refused URL {safe_url(u)!r}: only http(s) URLs with a host are allowed",
                source=source, url=safe_url(u), cause="scheme")

    def _check_guard(self, u: httpx.URL, source: str) -> None:
        self._check_scheme(u, source)
        if self.guard is None:
            return
        try:
            self.guard.public_addresses(u.host, u.port or (443 if u.scheme == "https" else 80))
        except _Unresolvable as exc:
            raise _Transient(str(exc)) from None
        except ValueError as exc:
            raise BlockedUrl(f"{source}: refused URL {safe_url(u)}: {exc}", source=source, url=safe_url(u),
                             cause=str(exc)) from None

    def _open(self, url: str, headers: Mapping[str, str], source: str) -> tuple[httpx.Response, str]:
        """Send the request, following redirects by hand (each hop re-checked). The response is streaming."""
        origin = httpx.URL(url)
        current = origin
        for _hop in range(self.max_redirects + 1):
            self._check_guard(current, source)
            self.rate_limiter.acquire(current.host, current.port)
            hop_headers = dict(headers)
            if _same_origin(current, origin):  # never hand a key to another host after a redirect
                hop_headers.update(self._secret_headers)
            request = self._client.build_request("GET", current, headers=hop_headers)
            try:
                resp = self._client.send(request, stream=True)
            except BlockedUrl as exc:  # raised at connect time by the guarded backend
                raise BlockedUrl(f"{source}: refused URL {safe_url(current)}: {exc.cause}", source=source,
                                 url=safe_url(current), cause=exc.cause) from None
            if resp.status_code not in REDIRECT_STATUSES:
                return resp, str(current)
            location = resp.headers.get("location")
            resp.close()
            log.info("GET %s %s -> %s redirect [%s]", _hostport(current), current.path, resp.status_code, source)
            if not location:
                raise RedirectError(f"{source}: redirect without Location (GET {safe_url(current)})",
                                    source=source, url=safe_url(current), status=resp.status_code)
            try:
                current = current.join(location)
            except httpx.InvalidURL:
                raise BlockedUrl(f"{source}: invalid redirect target from {safe_url(current)}",
                                 source=source, url=safe_url(current), cause="invalid redirect") from None
        raise RedirectError(f"{source}: more than {self.max_redirects} redirects (GET {safe_url(origin)})",
                            source=source, url=safe_url(origin), cause="too many redirects")

    def _check_status(self, resp: httpx.Response, url: str, source: str) -> None:
        status = resp.status_code
        if 200 <= status < 300:
            return
        body = _read_small(resp)
        where = f"GET {safe_url(url)}"
        reason = f"{status} {resp.reason_phrase}".strip()
        if status in RETRYABLE_STATUSES:
            u = httpx.URL(url)
            raise _Transient(reason, retry_after=self._retry_after(resp.headers), host=u.host, port=u.port,
                             status=status)
        if status in (401, 403):
            raise AuthError(f"authentication failed for {source}: {reason} ({where})", source=source,
                            url=safe_url(url), cause=reason, status=status, attempts=1, body=body,
                            content_type=_media_type(resp.headers))
        raise HttpStatusError(f"{source} request failed: {reason} ({where})", source=source, url=safe_url(url),
                              cause=reason, status=status, attempts=1, body=body,
                              content_type=_media_type(resp.headers))

    def _retry_after(self, headers: httpx.Headers) -> float | None:
        value = (headers.get("retry-after") or "").strip()
        if not value:
            return None
        if re.fullmatch(r"\d+(\.\d+)?", value):
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - self._wallclock())

    def _read_body(self, resp: httpx.Response, url: str, source: str, cap: int,
                   sink: Callable[[bytes], None], *, deadline: float = math.inf) -> int:
        """Stream the body into `sink`, decoding gzip/deflate ourselves so the cap counts decoded bytes."""
        encoding = self._encoding(resp, url, source)
        declared = _int_header(resp.headers, "content-length")
        if declared is not None and declared > cap:
            raise self._too_large(source, url, cap, declared=declared)
        inflater = _Inflater(encoding) if encoding else None
        raw_total = decoded = 0

        def emit(piece: bytes) -> None:
            nonlocal decoded
            decoded += len(piece)
            if decoded > cap:
                raise self._too_large(source, url, cap)
            sink(piece)

        try:
            for raw in resp.iter_raw():
                raw_total += len(raw)
                if raw_total > cap:
                    raise self._too_large(source, url, cap)
                if inflater is None:
                    emit(raw)
                else:
                    for piece in inflater.feed(raw):
                        emit(piece)
                if self._clock() > deadline:
                    raise _BudgetExceeded()
            if declared is not None and raw_total < declared:
                raise _Truncated(f"body ended after {raw_total} of {declared} bytes")
            if inflater is not None:
                tail = inflater.finish()
                if tail:
                    emit(tail)
        except zlib.error as exc:
            raise UnexpectedContent(f"{source}: corrupt {encoding} body: {exc} (GET {safe_url(url)})",
                                    source=source, url=safe_url(url), cause="corrupt encoding") from None
        return decoded

    def _encoding(self, resp: httpx.Response, url: str, source: str) -> str | None:
        try:
            return _content_encoding(resp.headers)
        except UnexpectedContent as exc:
            raise UnexpectedContent(f"{source}: {exc} (GET {safe_url(url)})", source=source, url=safe_url(url),
                                    cause=str(exc)) from None

    def _too_large(self, source: str, url: str, cap: int, declared: int | None = None) -> ResponseTooLarge:
        what = f"declared Content-Length {declared}" if declared is not None else "body"
        return ResponseTooLarge(
            f"{source} response too large: {what} exceeds the cap of {cap} bytes (GET {safe_url(url)})",
            source=source, url=safe_url(url), cause="too large")

    def _with_retries(self, attempt: Callable[[int, float], Any], *, source: str, url: str,
                      retry: RetryPolicy | None) -> Any:
        policy = retry or self.retry
        start = self._clock()
        deadline = start + policy.budget_seconds
        where = f"GET {safe_url(url)}"
        n = 0
        while True:
            n += 1
            retry_after = host = port = None
            restart = False
            try:
                return attempt(n, deadline)
            except SourceError:
                raise
            except _Transient as exc:
                cause, retry_after, host, port, restart = exc.cause, exc.retry_after, exc.host, exc.port, exc.restart
            except _Truncated as exc:
                cause = f"truncated body ({exc})"
            except _BudgetExceeded:
                raise RetryExhausted(
                    f"{source} failed after {n} attempt{'s' * (n > 1)}: time budget of "
                    f"{policy.budget_seconds:.0f} s exceeded ({where})",
                    source=source, url=safe_url(url), cause="time budget", attempts=n) from None
            except httpx.TimeoutException as exc:
                cause = _TIMEOUT_NAMES.get(type(exc), "timeout")
            except httpx.RemoteProtocolError as exc:
                cause = f"truncated or malformed response ({redact(str(exc))[:160]})"
            except httpx.NetworkError as exc:
                cause = f"connection error ({redact(str(exc))[:160] or type(exc).__name__})"
            except httpx.HTTPError as exc:
                raise SourceError(f"{source} request failed: {type(exc).__name__}: {redact(str(exc))[:160]} "
                                  f"({where})", source=source, url=safe_url(url), cause=type(exc).__name__,
                                  attempts=n) from None
            log.warning("%s: attempt %d/%d failed: %s (%s)", source, n, policy.max_attempts, cause, where)
            if n >= policy.max_attempts:
                raise RetryExhausted(f"{source} failed after {n} attempt{'s' * (n > 1)}: {cause} ({where})",
                                     source=source, url=safe_url(url), cause=cause, attempts=n)
            if restart:
                continue
            if retry_after is not None:
                wait = min(retry_after, policy.retry_after_cap)
                if retry_after > policy.retry_after_cap:
                    log.warning("%s: Retry-After %.0f s capped to %.0f s", source, retry_after, wait)
            else:
                wait = policy.backoff(n, self._rng)
            remaining = policy.budget_seconds - (self._clock() - start)
            if wait > remaining:
                asked = f"Retry-After {retry_after:.0f} s" if retry_after is not None else f"backoff {wait:.1f} s"
                raise RetryExhausted(
                    f"{source} failed after {n} attempt{'s' * (n > 1)}: {cause}; giving up: {asked} exceeds the "
                    f"remaining time budget ({max(remaining, 0):.0f} of {policy.budget_seconds:.0f} s) ({where})",
                    source=source, url=safe_url(url), cause=cause, attempts=n)
            if retry_after is not None and host:
                self.rate_limiter.defer(host, wait, port)  # the whole host pauses, not just this thread
            log.info("%s: retrying in %.1f s", source, wait)
            self._sleep(wait)

    def _log_done(self, resp: httpx.Response, url: str, source: str, started: float, size: int, n: int) -> None:
        u = httpx.URL(url)
        log.info("GET %s %s -> %d in %.3f s, %d bytes, attempt %d [%s]", _hostport(u), u.path, resp.status_code,
                 self._clock() - started, size, n, source)


_TIMEOUT_NAMES = {
    httpx.ConnectTimeout: "connect timeout",
    httpx.ReadTimeout: "read timeout",
    httpx.WriteTimeout: "write timeout",
    httpx.PoolTimeout: "pool timeout",
}


def _hostport(u: httpx.URL) -> str:
    return f"{u.host}:{u.port}" if u.port else u.host


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    out = {}
    if etag:
        out["If-None-Match"] = etag
    if last_modified:
        out["If-Modified-Since"] = last_modified
    return out


def _content_range(headers: httpx.Headers) -> tuple[int | None, int | None]:
    """(first byte, total size) of a 206; (None, None) when the header is missing or malformed."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", headers.get("content-range", ""))
    if not match:
        return None, None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), total


def _read_small(resp: httpx.Response, limit: int = 64 * KB) -> bytes:
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
        return _content_encoding(headers) is not None
    except UnexpectedContent:
        return False


def _expect_text(expect: str | Iterable[str]) -> str:
    return expect if isinstance(expect, str) else " or ".join(expect)
