"""Politeness and persistence: per-host token buckets shared by every thread, the retry policy, Retry-After."""

from __future__ import annotations

import email.utils
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx


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
    "recherche-entreprises.api.gouv.fr": HostPolicy(5.0),  # API limit 7/s per IP (its OpenAPI text)
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


def retry_after_seconds(headers: httpx.Headers, wallclock: Callable[[], float]) -> float | None:
    """The wait a `Retry-After` header asks for (seconds or HTTP-date), or None when absent or unreadable."""
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
    return max(0.0, when.timestamp() - wallclock())
