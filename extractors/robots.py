"""robots.txt per RFC 9309, fetched once per host and run through the project's HTTP client.

* 2xx: the rules apply (our product token is "EcosystemRadar", falling back to "*");
* 4xx (404, 410, even 401/403): no rules, everything is allowed (RFC 9309 §2.3.1.3);
* 5xx, timeouts, connection errors, an unusable body: complete disallow for that host during this run
  (RFC 9309 §2.3.1.4). Nothing is retried beyond the client's own short policy;
* the host itself refused by the client's address guard: "blocked", no verdict. The page or feed is then asked
  for anyway, so that the guard refuses it too and the caller reports that real reason, never "robots.txt".
"""

from __future__ import annotations

import threading
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit

from extractors.http import KB, PRODUCT, BlockedUrl, HttpClient, HttpStatusError, RetryPolicy, SourceError

ROBOTS_MAX_BYTES = 500 * KB  # RFC 9309: parse at least 500 KiB
ROBOTS_RETRY = RetryPolicy(max_attempts=2, budget_seconds=20.0, backoff_base=0.5, backoff_max=2.0)


@dataclass(frozen=True)
class RobotsVerdict:
    host: str
    status: str  # "rules", "allow_all" (4xx), "disallow_all" (5xx/unreachable), "blocked" (address guard)
    detail: str = ""


class RobotsCache:
    """robots.txt decisions per scheme://host:port, for the lifetime of one run."""

    def __init__(self, client: HttpClient, *, agent: str = PRODUCT, retry: RetryPolicy = ROBOTS_RETRY) -> None:
        self.client = client
        self.agent = agent
        self.retry = retry
        self._lock = threading.Lock()
        self._parsers: dict[str, tuple[RobotsVerdict, urllib.robotparser.RobotFileParser | None]] = {}

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def verdict(self, url: str) -> RobotsVerdict:
        return self._entry(self._origin(url))[0]

    def _entry(self, origin: str):
        with self._lock:
            if origin not in self._parsers:
                self._parsers[origin] = self._fetch(origin)
            return self._parsers[origin]

    def _fetch(self, origin: str):
        try:
            resp = self.client.get(origin + "/robots.txt", source=f"robots.txt {origin}", max_bytes=ROBOTS_MAX_BYTES,
                                   retry=self.retry)
        except BlockedUrl as exc:
            if exc.url and self._origin(exc.url) == origin:  # the host itself, not a redirect elsewhere
                return RobotsVerdict(origin, "blocked", str(exc)), None
            return RobotsVerdict(origin, "disallow_all", str(exc)), None
        except HttpStatusError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return RobotsVerdict(origin, "allow_all", f"robots.txt {exc.status}"), None
            return RobotsVerdict(origin, "disallow_all", str(exc)), None
        except SourceError as exc:  # 5xx after retries, timeouts, refused connections, oversized body
            return RobotsVerdict(origin, "disallow_all", str(exc)), None
        if not 200 <= resp.status < 300:
            return RobotsVerdict(origin, "disallow_all", f"robots.txt status {resp.status}"), None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(resp.content.decode("utf-8", "replace").splitlines())
        return RobotsVerdict(origin, "rules"), parser

    def allowed(self, url: str) -> bool:
        """False only when robots.txt forbids the URL (or could not be read): see refusal() for why."""
        return self.refusal(url) is None

    def refusal(self, url: str) -> str | None:
        """Why robots.txt forbids `url`, or None when it may be fetched (a host refused by the address guard
        included: the fetch itself is then refused with the guard's reason)."""
        verdict, parser = self._entry(self._origin(url))
        if verdict.status in ("allow_all", "blocked"):
            return None
        if verdict.status == "disallow_all":
            return f"robots.txt could not be read, so nothing is fetched from this host ({verdict.detail})"
        return None if parser.can_fetch(self.agent, url) else "disallowed by robots.txt"
