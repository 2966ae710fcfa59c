"""Untrusted text from sources, made safe for Streamlit's Markdown and for links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=@])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_escape(value) -> str:
    """Text shown literally inside Markdown: no link, emphasis, HTML or LaTeX can be formed from it."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value)).replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(value) -> str | None:
    """An evidence link we may render: http(s) only (no javascript:, data:, file:)."""
    if not value:
        return None
    text = str(value).strip()
    if _CONTROL.search(text) or any(c in text for c in ' "<>\\'):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text
