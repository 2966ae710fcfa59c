"""The one HTTP client of Ecosystem Radar: every network call of the product goes through `HttpClient`, built by
`client_from_env()`.

What it adds on top of `httpx.Client` (docs/reliability.md), and where:

* explicit connect/read/write/pool timeouts (`client`);
* a per-host token bucket shared by every thread using the client (`rate`: `HostPolicy`, `RateLimiter`);
* retries in this layer only: 429, 408, 500/502/503/504, timeouts, connection errors and truncated bodies are
  retried with exponential backoff and jitter, within a maximum number of attempts *and* a time budget;
  `Retry-After` (seconds or HTTP-date) is honoured, capped; 401/403 and other 4xx are terminal (`client`, `rate`);
* a cap on *decoded* bytes, enforced while streaming (gzip bombs and endless bodies stop at the cap), and a
  content-type check (`expect=`), keeping the rejected body on the exception for the landing zone (`decoding`);
* a User-Agent naming the product, its version and a contact ($RADAR_CONTACT);
* secrets in headers only, never in URLs, redacted from every log record and exception message (`redaction`;
  the process installs the log filter once: `install_log_redaction()`);
* an optional SSRF guard for URLs that come from configuration, re-checked on every redirect hop and again at
  connect time (the resolved address is pinned, so DNS rebinding cannot slip through) (`guard`).

Errors form one family, `SourceError` (`errors`). Resumable downloads to a file live beside their one user, in
`extractors.resumable`. No Prefect and no DuckDB here: callers get bytes (or a file on disk) and `SourceError`s.
"""

from extractors.http.client import DEFAULT_CONTACT, PRODUCT, HttpClient, client_from_env
from extractors.http.decoding import GB, KB, MB
from extractors.http.errors import (
    AuthError,
    BlockedUrl,
    HttpStatusError,
    RedirectError,
    ResponseTooLarge,
    RetryExhausted,
    SourceError,
    UnexpectedContent,
)
from extractors.http.rate import DEFAULT_HOST_POLICIES, DEFAULT_HOST_POLICY, HostPolicy, RateLimiter, RetryPolicy
from extractors.http.redaction import install_log_redaction, redact, safe_url

__all__ = [
    "DEFAULT_CONTACT", "DEFAULT_HOST_POLICIES", "DEFAULT_HOST_POLICY", "GB", "KB", "MB", "PRODUCT", "AuthError",
    "BlockedUrl", "HostPolicy", "HttpClient", "HttpStatusError", "RateLimiter", "RedirectError", "ResponseTooLarge",
    "RetryExhausted", "RetryPolicy", "SourceError", "UnexpectedContent", "client_from_env", "install_log_redaction",
    "redact", "safe_url",
]
