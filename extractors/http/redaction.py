"""Secrets never reach a log record or an error message: values registered here are replaced with "***".

`install_log_redaction()` is called once per process by whatever starts it (the `radar` command line, a scheduled
flow run, the dashboard), not by the HTTP client: installing logging machinery is the process's business.
"""

from __future__ import annotations

import logging
import re
import threading

import httpx

_secrets_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_SECRET_PARAM = re.compile(r"(key|token|secret|password|passwd|pwd|auth|signature|sig|credential)", re.I)
_MIN_SECRET_LEN = 4  # shorter values would redact random words


def register_secret(value: str | None) -> None:
    """Make `value` redacted ("***") from every `SourceError` message of the process, and from every log record
    once `install_log_redaction()` has run."""
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
