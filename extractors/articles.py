"""Article pages: metadata and main text with selectolax, preferring JSON-LD, then OpenGraph, then the HTML.

Every returned string is plain text (markup removed, script/style content dropped): what a hostile page puts
in a title is stored as text, never as markup (T31). Dates are timezone-aware UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from extractors.http import MB, HttpClient

MAX_ARTICLE_BYTES = 3 * MB
_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "webpage"}
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "nav", "footer",
              "aside", "form", "header", "button"]
_PAYWALL_HINTS = re.compile(r"\b(paywall|premium|abonne|abonnes|subscriber|reserved|reserve-abonnes|locked)\b", re.I)
_TAG_LIKE = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]{0,500}>")
# Embedded images and templates: a closed one is dropped whole (icons, unrendered templates); an unclosed one would
# swallow the rest of the document into foreign or inert content, so only its tags go and the text after it stays.
_EMBED_TAG = re.compile(r"<(/?)\s*(svg|template|math)\b[^<>]{0,2000}>", re.I)
_DROPPED_WHOLE = frozenset({"svg", "template"})
_FR_WORDS = {"le", "la", "les", "des", "une", "est", "et", "dans", "pour", "avec", "sur", "qui", "que", "du", "au"}
_EN_WORDS = {"the", "and", "of", "to", "in", "is", "for", "with", "on", "that", "by", "from", "at", "its"}


def strip_embeds(html: str) -> str:
    """`html` without svg/template content when the element is closed, and without the svg/template/math tags
    themselves otherwise (math content is text). One pass over the tags: linear whatever the nesting."""
    if "<" not in html:
        return html
    out: list[str] = []
    pos, depth, open_end = 0, 0, 0
    for m in _EMBED_TAG.finditer(html):
        closing, name = m.group(1), m.group(2).lower()
        if name not in _DROPPED_WHOLE:
            if depth == 0:
                out.append(html[pos:m.start()])
                pos = m.end()
            continue
        if not closing:
            if depth == 0:
                out.append(html[pos:m.start()])
                open_end = m.end()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                pos = m.end()
        else:  # a stray closing tag
            out.append(html[pos:m.start()])
            pos = m.end()
    if depth > 0:  # never closed: keep what follows it, without the tags
        out.append(_EMBED_TAG.sub(" ", html[open_end:]))
    else:
        out.append(html[pos:])
    return " ".join(out) if len(out) > 1 else out[0]


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment: tags removed, script/style content dropped, whitespace collapsed. Text after
    broken markup (an unclosed svg, math or template) is kept."""
    if fragment is None:
        return None
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split()) or None
    tree = HTMLParser(f"<div>{strip_embeds(fragment)}</div>")
    for node in tree.css(",".join(_DROP_TAGS[:7])):
        node.decompose()
    root = tree.body or tree.root
    text = root.text(separator=" ") if root is not None else ""
    # Markup that was escaped in the source ("&lt;script&gt;") is text now: drop anything tag-shaped so no
    # stored value can turn back into markup.
    text = _TAG_LIKE.sub(" ", text)
    return " ".join(text.split()) or None


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 822 to aware UTC; naive times are taken as UTC."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _json_ld_article(tree: HTMLParser) -> dict:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "null")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            types = item.get("@type")
            types = [types] if isinstance(types, str) else (types or [])
            if any(str(t).lower() in _ARTICLE_TYPES for t in types) and (item.get("headline") or item.get("name")):
                return item
    return {}


def _names(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("name")
    if isinstance(value, list):
        names = [n for n in (_names(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _meta(tree: HTMLParser, attr: str, name: str) -> str | None:
    node = tree.css_first(f'meta[{attr}="{name}"]')
    value = node.attributes.get("content") if node is not None else None
    return value.strip() if value and value.strip() else None


def _main_text(tree: HTMLParser, json_ld: dict) -> str | None:
    body = json_ld.get("articleBody")
    if isinstance(body, str) and body.strip():
        return html_to_text(body)
    for node in tree.css(",".join(_DROP_TAGS)):
        node.decompose()
    for selector in ('[itemprop="articleBody"]', "article", "main", '[class*="article-body"]', '[class*="content"]'):
        node = tree.css_first(selector)
        if node is not None:
            paragraphs = [p.text(separator=" ") for p in node.css("p")] or [node.text(separator=" ")]
            text = " ".join(" ".join(paragraphs).split())
            if text:
                return text
    paragraphs = [p.text(separator=" ") for p in tree.css("p")]
    return " ".join(" ".join(paragraphs).split()) or None


def guess_language(text: str | None) -> str | None:
    words = re.findall(r"[a-zà-ÿ]+", (text or "").lower())[:400]
    fr = sum(w in _FR_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if fr + en < 3:
        return None
    return "fr" if fr >= en else "en"


def _is_paywalled(tree: HTMLParser, json_ld: dict) -> bool:
    free = json_ld.get("isAccessibleForFree")
    if free is not None:
        return str(free).strip().lower() in ("false", "0", "no")
    part = json_ld.get("hasPart")
    parts = part if isinstance(part, list) else [part]
    if any(isinstance(p, dict) and str(p.get("isAccessibleForFree", "")).lower() == "false" for p in parts):
        return True
    return any(_PAYWALL_HINTS.search(" ".join([n.attributes.get("class") or "", n.attributes.get("id") or ""]))
               for n in tree.css("[class], [id]")[:2000])


def parse_article(html: str | bytes, url: str) -> dict:
    """Metadata and text of one article page. Missing fields are None; never raises on odd markup."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    tree = HTMLParser(strip_embeds(html))
    ld = _json_ld_article(tree)
    canonical_node = tree.css_first('link[rel="canonical"]')
    html_lang = tree.css_first("html")
    section = ld.get("articleSection")
    if isinstance(section, list):
        section = section[0] if section else None
    title_node = tree.css_first("title")
    time_node = tree.css_first("time[datetime]")
    published = (parse_datetime(ld.get("datePublished"))
                 or parse_datetime(_meta(tree, "property", "article:published_time"))
                 or parse_datetime(time_node.attributes.get("datetime") if time_node else None))
    locale = ld.get("inLanguage") or (html_lang.attributes.get("lang") if html_lang else None) \
        or _meta(tree, "property", "og:locale")
    out = {
        "url": url,
        # The page's own address, as it gives it (transforms/news.py prefers them in this order).
        "canonical_url": (canonical_node.attributes.get("href") or None) if canonical_node else None,
        "og_url": _meta(tree, "property", "og:url"),
        "ld_url": ld.get("mainEntityOfPage") if isinstance(ld.get("mainEntityOfPage"), str) else None,
        "title": html_to_text(ld.get("headline") or _meta(tree, "property", "og:title")
                              or _meta(tree, "name", "twitter:title")
                              or (title_node.text() if title_node else None)),
        "published_at": published,
        "author": html_to_text(_names(ld.get("author")) or _meta(tree, "property", "article:author")
                               or _meta(tree, "name", "author")),
        "section": html_to_text(section or _meta(tree, "property", "article:section")),
        "description": html_to_text(ld.get("description") or _meta(tree, "property", "og:description")
                                    or _meta(tree, "name", "description")),
        "is_paywalled": _is_paywalled(tree, ld),
    }
    out["text"] = _main_text(tree, ld)
    lang = str(locale).split("-")[0].split("_")[0].lower() if locale else None
    out["language"] = lang or guess_language(out["text"])
    return out


def fetch_article(client: HttpClient, url: str, *, robots=None, source: str = "article") -> dict | None:
    """Fetch and parse one page; None when robots.txt says no. SourceError for fetch problems."""
    if robots is not None and not robots.allowed(url):
        return None
    resp = client.get(url, source=source, expect="html", max_bytes=MAX_ARTICLE_BYTES,
                      headers={"Accept": "text/html,application/xhtml+xml"})
    return parse_article(resp.content, resp.url)

