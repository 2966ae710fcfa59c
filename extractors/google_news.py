"""Google News links resolved to the article they point to, without asking Google when the link says it.

A Google News RSS item links to news.google.com/rss/articles/<id>. In the long-standing form of <id>, it is a
base64url protobuf message whose first string field is the article's URL: read it there. Otherwise the article's
URL is in the page Google serves for that link (a data-n-au attribute, a canonical or refresh link, the one link
out): read it there (the caller fetches the page with the project's HTTP client). An item whose target cannot be
found keeps its Google News link.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote, urlsplit

GOOGLE_NEWS_HOSTS = frozenset({"news.google.com"})
_ARTICLE_PATH = re.compile(r"/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]{8,})")
_IN_PAGE = (
    re.compile(r"""data-n-au=["'](https?://[^"'<>\s]+)["']""", re.I),
    re.compile(r"""<meta[^>]+http-equiv=["']refresh["'][^>]+url=([^"'<>\s]+)""", re.I),
    re.compile(r"""<link[^>]+rel=["']canonical["'][^>]+href=["'](https?://[^"'<>\s]+)["']""", re.I),
    re.compile(r"""<a\b[^>]+href=["'](https?://[^"'<>\s]+)["']""", re.I),
)


def article_id(url: str, hosts=GOOGLE_NEWS_HOSTS) -> str | None:
    """The article id of a Google News link, or None when `url` is not one."""
    parts = urlsplit(url or "")
    if (parts.hostname or "").lower() not in hosts:
        return None
    m = _ARTICLE_PATH.search(parts.path)
    return m.group(1) if m else None


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value, shift = 0, 0
    while i < len(data):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            return value, i
        shift += 7
    raise ValueError("truncated varint")


def target_in_id(identifier: str) -> str | None:
    """The article URL carried in the id itself (the first length-delimited field that is an http(s) URL)."""
    try:
        data = base64.urlsafe_b64decode(identifier + "=" * (-len(identifier) % 4))
    except (binascii.Error, ValueError):
        return None
    i = 0
    try:
        while i < len(data):
            key, i = _varint(data, i)
            wire = key & 7
            if wire == 0:
                _, i = _varint(data, i)
            elif wire == 2:
                length, i = _varint(data, i)
                chunk = data[i:i + length]
                i += length
                if chunk.startswith((b"http://", b"https://")):
                    text = chunk.decode("utf-8", "strict")
                    return text if " " not in text else None
            else:
                return None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def target_in_page(html: str, hosts=GOOGLE_NEWS_HOSTS) -> str | None:
    """The first link of the page that leaves Google News."""
    for pattern in _IN_PAGE:
        for m in pattern.finditer(html):
            url = unquote(m.group(1)) if "%3A" in m.group(1)[:12] else m.group(1)
            host = (urlsplit(url).hostname or "").lower()
            if host and host not in hosts and not host.endswith(("google.com", "gstatic.com", "googleusercontent.com")):
                return url
    return None


def strip_source(title: str | None, source: str | None) -> str | None:
    """Google News titles end with " - <publisher>": the article's own title is what comes before."""
    if title and source and title.rstrip().endswith(f" - {source.strip()}"):
        return title.rstrip()[: -len(source.strip()) - 3].rstrip()
    return title
