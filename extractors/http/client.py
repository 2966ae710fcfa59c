"""`HttpClient`: GET with retries, and the building blocks a streaming caller (`extractors.resumable`) reuses.

Retries happen in this layer only (`with_retries`): 429, 408, 500/502/503/504, timeouts, connection errors and
truncated bodies are retried with exponential backoff and jitter, within a maximum number of attempts *and* a time
budget; `Retry-After` (seconds or HTTP-date) is honoured, capped, and pauses the whole host; 401/403 and other 4xx
are terminal. Redirects are followed by hand so that each hop is checked again and a secret header never goes to
another origin.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx

from extractors.http.decoding import MB, charset, content_matches, expect_text, media_type, read_body, read_error_body
from extractors.http.errors import (
    AuthError,
    BlockedUrl,
    BudgetExceeded,
    HttpStatusError,
    RedirectError,
    RetryExhausted,
    SourceError,
    Transient,
    Truncated,
    UnexpectedContent,
)
from extractors.http.guard import Resolver, UrlGuard, check_scheme, check_url, pin_connections, system_resolver
from extractors.http.rate import DEFAULT_HOST_POLICY, HostPolicy, RateLimiter, RetryPolicy, retry_after_seconds
from extractors.http.redaction import redact, register_secret, safe_url
from radar import __version__

log = logging.getLogger("radar.http")

PRODUCT = "EcosystemRadar"
CONTACT_ENV = "RADAR_CONTACT"
DEFAULT_CONTACT = "mailto:data@example.org"
DEFAULT_MAX_BYTES = 50 * MB  # API pages and feeds; downloads pass their own cap
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


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
        return media_type(self.headers)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def text(self) -> str:
        encoding = charset(self.headers) or "utf-8"
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status} {safe_url(self.url)} {len(self.content)} bytes>"


class HttpClient:
    """The project's HTTP client. Thread-safe; use one per process (or share its `rate_limiter`).

    The product builds it with `client_from_env()`, which sets the contact of the User-Agent.
    """

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
        self.clock, self._sleep, self._wallclock, self._rng = clock, sleep, wallclock, rng
        self.rate_limiter = rate_limiter or RateLimiter(host_policies, default_policy, clock=clock, sleep=sleep)
        if transport is None:
            transport = httpx.HTTPTransport(trust_env=False, limits=httpx.Limits(max_connections=20))
            if self.guard is not None:
                pin_connections(transport, self.guard)
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
        full_url = self.checked_url(url, params, source)
        req_headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
        conditional = conditional_headers(if_none_match, if_modified_since)
        req_headers.update(conditional)
        cap = self.max_bytes if max_bytes is None else max_bytes

        def attempt(n: int, deadline: float) -> HttpResponse:
            started = self.clock()
            resp, final_url = self.open_stream(full_url, req_headers, source)
            try:
                if resp.status_code == 304 and conditional:
                    self.log_done(resp, final_url, source, started, 0, n)
                    return HttpResponse(304, resp.headers, b"", final_url, self.clock() - started, n)
                self.check_status(resp, final_url, source)
                chunks: list[bytes] = []
                size = read_body(resp, final_url, source, cap, chunks.append, clock=self.clock, deadline=deadline)
                body = b"".join(chunks)
            finally:
                resp.close()
            self.log_done(resp, final_url, source, started, size, n)
            if expect is not None and not content_matches(expect, media_type(resp.headers), body):
                got = media_type(resp.headers) or "no Content-Type"
                raise UnexpectedContent(
                    f"{source} returned unexpected content: expected {expect_text(expect)}, got {got} "
                    f"(GET {safe_url(final_url)})",
                    source=source, url=safe_url(final_url), cause=f"content-type {got}", status=resp.status_code,
                    body=body, content_type=got)
            return HttpResponse(resp.status_code, resp.headers, body, final_url, self.clock() - started, n)

        return self.with_retries(attempt, source=source, url=full_url, retry=retry)

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

    # -- building blocks of get(), also used by extractors.resumable.download() --------------------------

    def checked_url(self, url: str, params: Mapping[str, Any] | None, source: str) -> str:
        """`url` with `params`, refused if it is not http(s) or carries the value of a secret header."""
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
        check_scheme(u, source)
        return text

    def open_stream(self, url: str, headers: Mapping[str, str], source: str) -> tuple[httpx.Response, str]:
        """Send the request, following redirects by hand (each hop re-checked). The response is streaming."""
        origin = httpx.URL(url)
        current = origin
        for _hop in range(self.max_redirects + 1):
            check_url(current, source, self.guard)
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

    def check_status(self, resp: httpx.Response, url: str, source: str) -> None:
        """Return on 2xx; raise `Transient` for a status worth retrying, a `HttpStatusError` for the others."""
        status = resp.status_code
        if 200 <= status < 300:
            return
        body = read_error_body(resp)
        where = f"GET {safe_url(url)}"
        reason = f"{status} {resp.reason_phrase}".strip()
        if status in RETRYABLE_STATUSES:
            u = httpx.URL(url)
            raise Transient(reason, retry_after=retry_after_seconds(resp.headers, self._wallclock), host=u.host, port=u.port,
                             status=status)
        if status in (401, 403):
            raise AuthError(f"authentication failed for {source}: {reason} ({where})", source=source,
                            url=safe_url(url), cause=reason, status=status, attempts=1, body=body,
                            content_type=media_type(resp.headers))
        raise HttpStatusError(f"{source} request failed: {reason} ({where})", source=source, url=safe_url(url),
                              cause=reason, status=status, attempts=1, body=body,
                              content_type=media_type(resp.headers))

    def with_retries(self, attempt: Callable[[int, float], Any], *, source: str, url: str,
                     retry: RetryPolicy | None) -> Any:
        """Call `attempt(n, deadline)` until it returns, a `SourceError` ends it, or attempts or time run out."""
        policy = retry or self.retry
        start = self.clock()
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
            except Transient as exc:
                cause, retry_after, host, port, restart = exc.cause, exc.retry_after, exc.host, exc.port, exc.restart
            except Truncated as exc:
                cause = f"truncated body ({exc})"
            except BudgetExceeded:
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
            remaining = policy.budget_seconds - (self.clock() - start)
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

    def log_done(self, resp: httpx.Response, url: str, source: str, started: float, size: int, n: int) -> None:
        """One line per request: host, path (never the query string), status, time, size, attempt."""
        u = httpx.URL(url)
        log.info("GET %s %s -> %d in %.3f s, %d bytes, attempt %d [%s]", _hostport(u), u.path, resp.status_code,
                 self.clock() - started, size, n, source)


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


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    out = {}
    if etag:
        out["If-None-Match"] = etag
    if last_modified:
        out["If-Modified-Since"] = last_modified
    return out


def client_from_env(**options: Any) -> HttpClient:
    """The product's client: the contact in the User-Agent comes from $RADAR_CONTACT (default `DEFAULT_CONTACT`).

    `options` are `HttpClient`'s other keyword arguments (timeouts, policies, secret headers, guard...).
    """
    contact = os.environ.get(CONTACT_ENV, "").strip() or DEFAULT_CONTACT
    return HttpClient(contact=contact, **options)
