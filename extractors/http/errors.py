"""The one error family of the HTTP layer, and the signals an attempt sends to the retry loop.

`SourceError` and its subclasses are what callers catch: messages name the source, the cause and the URL (without
secrets). `Transient`, `Truncated` and `BudgetExceeded` never reach callers: the retry loop
(`HttpClient.with_retries`) turns them into a new attempt or a `RetryExhausted`.
"""

from __future__ import annotations

from extractors.http.redaction import redact, redact_bytes
from radar.errors import RadarError


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


# Signals between an attempt and the retry loop


class Transient(Exception):
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


class Truncated(Exception):
    """The body ended before its announced length, or a compressed stream before its end: retried."""


class BudgetExceeded(Exception):
    """The attempt ran past the time budget of the whole call: not retried."""
