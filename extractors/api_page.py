"""What an API extractor yields: one fetched page, before any parsing (the step lands it, then parses it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.http import UnexpectedContent, safe_url


@dataclass(frozen=True)
class Page:
    source: str  # "recherche" | "insee" | "bodacc"
    url: str  # without secrets (safe_url)
    params: dict
    data: Any
    raw: bytes = field(repr=False)
    partition: str = ""  # which slice of the query this page belongs to (for logs and landing names)


def normalise_siren(value: object) -> str | None:
    """A SIREN as text: JSON integers lost their leading zeros (5520135 -> "005520135"); spaces removed."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value).zfill(9) if 0 <= value < 10**9 else str(value)
    text = str(value).replace(" ", "").replace("\u00a0", "").strip()
    return text or None


def require_keys(data: Any, keys: tuple[str, ...], *, source: str, url: str, raw: bytes) -> None:
    """A 200 with the wrong shape is an error, not an empty page (T06): the raw body stays on the exception."""
    if not isinstance(data, dict) or any(k not in data for k in keys):
        got = sorted(data)[:10] if isinstance(data, dict) else type(data).__name__
        raise UnexpectedContent(f"{source} returned an unexpected document: expected keys {list(keys)}, got {got} "
                                f"(GET {safe_url(url)})", source=source, url=safe_url(url),
                                cause="schema", body=raw, content_type="application/json")
