"""Feed items to articles: cleaned plain text, canonical ids, quarantine, and one story per near-duplicate group.

* exact duplicates: the same canonical URL (tracking tags, AMP, host spelling removed) is one article;
* near duplicates: the same dispatch republished by several sources with small edits. MinHash over character
  5-shingles of title + lead, LSH banding for candidates (no all-pairs comparison), estimated Jaccard >= 0.5;
* every place the story appeared is kept (appearances), and a story already in the warehouse keeps its id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd

from extractors.articles import html_to_text, parse_datetime
from transforms.names import normalize_text
from transforms.text import clean_text
from transforms.urls import InvalidUrl, canonical_url, url_id

LIMITS = {"title": 500, "description": 2_000, "body_text": 20_000, "author": 200, "section": 200}
NUM_PERM = 64
BANDS = 16
SIMILARITY = 0.5
_PRIME = (1 << 61) - 1
_PERMS = [(int.from_bytes(hashlib.sha256(f"a{i}".encode()).digest()[:7], "big") | 1,
           int.from_bytes(hashlib.sha256(f"b{i}".encode()).digest()[:7], "big")) for i in range(NUM_PERM)]

ARTICLE_COLUMNS = {
    "article_id": "string", "canonical_url": "string", "url": "string", "title": "string",
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


def clean_item(item: dict) -> tuple[dict | None, dict | None]:
    """(article row, None) or (None, quarantine row). A page's own canonical URL wins when on the same site."""
    url = item.get("url")
    raw = {k: (str(v)[:300] if v is not None else None) for k, v in item.items() if k not in ("body_text",)}
    if not isinstance(url, str) or not url.strip():
        return None, {"rule": "missing_url", "key": item.get("guid"), "detail": "item has no link", "raw": raw}
    try:
        canon = canonical_url(url)
        page_canon = item.get("canonical_url")
        if isinstance(page_canon, str) and page_canon and _same_site(page_canon, url):
            canon = canonical_url(page_canon)
    except InvalidUrl as exc:
        return None, {"rule": "invalid_url", "key": str(url)[:300], "detail": str(exc)[:300], "raw": raw}
    flags: list[str] = []
    title = _text(item.get("title"), LIMITS["title"], flags, "title")
    if not title:
        return None, {"rule": "missing_title", "key": canon, "detail": "item has no title", "raw": raw}
    body = item.get("text") or item.get("content")
    description = item.get("description") or item.get("summary")
    published = item.get("published_at")
    published = published if isinstance(published, datetime) else parse_datetime(published)
    row = {
        "article_id": url_id(canon), "canonical_url": canon, "url": url.strip(), "title": title,
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
    appearances = frame[["article_id", "canonical_url", "url", "feed_name", "feed_url", "feed_kind",
                         "published_at"]].drop_duplicates(["article_id", "feed_name"]).reset_index(drop=True)
    # Keep the richest copy of each canonical URL (the page-enriched one has a body).
    frame["_richness"] = frame["body_text"].str.len().fillna(0) + frame["description"].str.len().fillna(0)
    articles = (frame.sort_values(["article_id", "_richness"], ascending=[True, False], kind="stable")
                .drop_duplicates("article_id").drop(columns="_richness").reset_index(drop=True))
    quarantine = pd.DataFrame(quarantined, columns=["rule", "key", "detail", "raw"])
    counts = {"items": len(items), "articles": len(articles), "duplicates": len(frame) - len(articles),
              "quarantined": len(quarantine), "truncated": int(articles["is_truncated"].sum())}
    return CleanNews(articles, appearances, quarantine, counts | {"appearances": len(appearances)})


# ---------------------------------------------------------------------------------------------------------------
# Near-duplicate stories


def shingles(text: str, k: int = 5) -> set[str]:
    norm = normalize_text(text).replace(" ", "")
    return {norm[i:i + k] for i in range(max(1, len(norm) - k + 1))} if norm else set()


def minhash(text: str) -> list[int]:
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles(text)]
    if not hashes:
        return [_PRIME] * NUM_PERM
    return [min((a * h + b) % _PRIME for h in hashes) for a, b in _PERMS]


def similarity(sig_a: list[int], sig_b: list[int]) -> float:
    return sum(x == y for x, y in zip(sig_a, sig_b)) / NUM_PERM


def story_text(title: str | None, lead: str | None) -> str:
    title = title if isinstance(title, str) else ""
    words = lead.split()[:60] if isinstance(lead, str) else []
    return f"{title} {' '.join(words)}"


def assign_stories(articles: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """`articles` with `story_id` and `signature`. `existing` (story_id, signature) are stories already stored:
    a new article close enough to one of them joins it. Among new articles, the earliest published leads."""
    sigs = [minhash(story_text(t, d if isinstance(d, str) else b))
            for t, d, b in zip(articles["title"], articles["description"], articles["body_text"])]
    ids = list(existing["story_id"]) + list(articles["article_id"])
    all_sigs = [list(s) for s in existing["signature"]] + sigs
    n_old = len(existing)
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = sorted(range(n_old, len(ids)), key=lambda k: (articles["published_at"].iloc[k - n_old]
                                                          if pd.notna(articles["published_at"].iloc[k - n_old])
                                                          else pd.Timestamp.max.tz_localize("UTC"), ids[k]))
    rank = {k: r for r, k in enumerate(range(n_old))} | {k: n_old + r for r, k in enumerate(order)}
    rows = NUM_PERM // BANDS
    buckets: dict[tuple, list[int]] = {}
    for k, sig in enumerate(all_sigs):
        for band in range(BANDS):
            buckets.setdefault((band, tuple(sig[band * rows:(band + 1) * rows])), []).append(k)
    for members in buckets.values():
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            close = similarity(all_sigs[members[0]], all_sigs[other]) >= SIMILARITY
            if a != b and (a >= n_old or b >= n_old) and close:
                keep, drop = (a, b) if rank[a] <= rank[b] else (b, a)
                parent[drop] = keep
    out = articles.copy()
    out["story_id"] = pd.array([ids[find(k)] for k in range(n_old, len(ids))], dtype="string")
    out["signature"] = sigs
    return out
