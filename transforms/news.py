"""Feed items to articles: cleaned plain text, the publisher's URL and its deduplication key, quarantine.

* the URL kept is the one the publisher shows: the page's rel=canonical, its og:url, its JSON-LD url (each only
  on the item's own site), a permalink GUID, then the feed's link; as written;
* exact duplicates: the same URL key (tracking tags, AMP, host spelling, trailing slash removed) is one article;
* every place an article was seen is kept (appearances). Near-duplicate copies of one story across sites are
  grouped by transforms/stories.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd

from extractors.articles import html_to_text, parse_datetime
from extractors.google_news import strip_source
from transforms.text import clean_text
from transforms.urls import InvalidUrl, published_url, url_id, url_key

LIMITS = {"title": 500, "description": 2_000, "body_text": 20_000, "author": 200, "section": 200}

ARTICLE_COLUMNS = {
    "article_id": "string", "canonical_url": "string", "url_key": "string", "url": "string", "title": "string",
    "description": "string", "body_text": "string", "author": "string", "section": "string",
    "language": "string", "published_at": "datetime64[us, UTC]", "is_paywalled": "boolean",
    "is_truncated": "boolean", "feed_name": "string", "feed_url": "string", "feed_kind": "string",
}


@dataclass
class CleanNews:
    articles: pd.DataFrame  # one row per canonical URL
    appearances: pd.DataFrame  # one row per (canonical URL, feed): every place an article was seen
    quarantine: pd.DataFrame  # rule, key, detail, raw
    counts: dict


def _text(value, limit: int | None, flags: list[str], name: str) -> str | None:
    text = clean_text(html_to_text(value) if isinstance(value, str) else value)
    if text is not None and limit is not None and len(text) > limit:
        flags.append(name)
        text = text[:limit].rstrip() + "…"
    return text


def _same_site(a: str, b: str) -> bool:
    ha, hb = (urlsplit(u).hostname or "" for u in (a, b))
    strip = lambda h: h[4:] if h.startswith("www.") else h
    return strip(ha) == strip(hb)


def publisher_url(item: dict) -> str:
    """The item's URL as its publisher shows it: the page's own address when it is on the item's site, else a
    permalink GUID, else the feed's link. Raises InvalidUrl."""
    link = published_url(item.get("url") or "")
    for key in ("canonical_url", "og_url", "ld_url"):  # from the page (extractors/articles.py)
        candidate = item.get(key)
        if isinstance(candidate, str) and candidate.strip():
            try:
                if _same_site(published_url(candidate), link):
                    return published_url(candidate)
            except InvalidUrl:
                continue
    guid = item.get("guid_permalink")
    if isinstance(guid, str):
        try:
            if _same_site(published_url(guid), link):
                return published_url(guid)
        except InvalidUrl:
            pass
    return link


def clean_item(item: dict) -> tuple[dict | None, dict | None]:
    """(article row, None) or (None, quarantine row)."""
    url = item.get("url")
    raw = {k: (str(v)[:300] if v is not None else None) for k, v in item.items() if k not in ("body_text",)}
    if not isinstance(url, str) or not url.strip():
        return None, {"rule": "missing_url", "key": item.get("guid"), "detail": "item has no link", "raw": raw}
    try:
        shown = publisher_url(item)
        key = url_key(shown)
    except InvalidUrl as exc:
        return None, {"rule": "invalid_url", "key": str(url)[:300], "detail": str(exc)[:300], "raw": raw}
    flags: list[str] = []
    title = _text(strip_source(item.get("title"), item.get("source_name")), LIMITS["title"], flags, "title")
    if not title:
        return None, {"rule": "missing_title", "key": key, "detail": "item has no title", "raw": raw}
    body = item.get("text") or item.get("content")
    description = item.get("description") or item.get("summary")
    published = item.get("published_at")
    published = published if isinstance(published, datetime) else parse_datetime(published)
    row = {
        "article_id": url_id(key), "canonical_url": shown, "url_key": key,
        "url": (item.get("via_url") or url).strip(),  # the link as the feed gave it (a Google News one included)
        "title": title,
        "description": _text(description, LIMITS["description"], flags, "description"),
        "body_text": _text(body, LIMITS["body_text"], flags, "body_text"),
        "author": _text(item.get("author"), LIMITS["author"], flags, "author"),
        "section": _text(item.get("section") or ((item.get("categories") or [None])[0]), LIMITS["section"],
                         flags, "section"),
        "language": (item.get("language") or item.get("feed_language") or "").split("-")[0].lower() or None,
        "published_at": published, "is_paywalled": bool(item.get("is_paywalled", False)),
        "is_truncated": bool(flags), "feed_name": item.get("feed_name"), "feed_url": item.get("feed_url"),
        "feed_kind": item.get("feed_kind"),
    }
    return row, None


def clean_items(items: list[dict]) -> CleanNews:
    """Rows in = articles (after exact dedupe) + duplicates merged + quarantined."""
    rows, quarantined = [], []
    for item in items:
        row, bad = clean_item(item)
        (rows.append(row) if row else quarantined.append(bad))
    frame = pd.DataFrame(rows, columns=list(ARTICLE_COLUMNS))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    frame = frame.astype(ARTICLE_COLUMNS)
    appearances = frame[["article_id", "canonical_url", "url_key", "url", "feed_name", "feed_url", "feed_kind",
                         "published_at"]].drop_duplicates(["article_id", "feed_name"]).reset_index(drop=True)
    # Keep the richest copy of each URL (the page-enriched one has a body).
    frame["_richness"] = frame["body_text"].str.len().fillna(0) + frame["description"].str.len().fillna(0)
    articles = (frame.sort_values(["article_id", "_richness"], ascending=[True, False], kind="stable")
                .drop_duplicates("article_id").drop(columns="_richness").reset_index(drop=True))
    quarantine = pd.DataFrame(quarantined, columns=["rule", "key", "detail", "raw"])
    counts = {"items": len(items), "articles": len(articles), "duplicates": len(frame) - len(articles),
              "quarantined": len(quarantine), "truncated": int(articles["is_truncated"].sum())}
    return CleanNews(articles, appearances, quarantine, counts | {"appearances": len(appearances)})
