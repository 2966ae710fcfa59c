"""Article URLs: the one the publisher shows, and the key that finds the same article under any of its spellings.

The URL stored and shown is the publisher's own (transforms/news.py picks it: the page's rel=canonical, its
og:url, a permalink GUID, then the feed's link), as written. The key is for deduplication only: tracking tags, AMP
variants, host spelling, fragments and trailing slashes do not count in it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid", "_ga",
    "_gl", "xtor", "xtref", "at_medium", "at_campaign", "at_source", "ref_src", "cmp", "ito", "amp",
    "outputtype", "output", "hsenc", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id", "oly_anon_id", "vero_id",
    "wt.mc_id", "s_cid", "soc_src", "soc_trk", "ocid", "sr_share", "spm", "share", "ts", "oc",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_")
_AMP_SEGMENTS = frozenset({"amp", "amphtml"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"


class InvalidUrl(ValueError):
    """Not an absolute http(s) URL with a host."""


def _clean_host(host: str) -> str:
    host = host.strip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise InvalidUrl(f"invalid host {host!r}") from None
    for prefix in ("www.", "amp.", "m."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    return host


def _clean_path(path: str) -> str:
    segments = [s for s in path.split("/") if s not in ("", ".")]
    out: list[str] = []
    for s in segments:
        if s == "..":
            if out:
                out.pop()
        else:
            out.append(s)
    if out and out[-1].lower() in _AMP_SEGMENTS:
        out.pop()
    if out and out[0].lower() in _AMP_SEGMENTS:  # /amp/2026/11/slug
        out.pop(0)
    if out:
        out[-1] = re.sub(r"\.amp(\.html?)$", r"\1", out[-1], flags=re.I)
        out[-1] = re.sub(r"[-_]amp$", "", out[-1], flags=re.I) or out[-1]
    # One spelling of every character: decode, then re-encode what must be encoded.
    return "/" + "/".join(quote(unquote(s), safe=_SAFE_PATH.replace("%", "")) for s in out)


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in _TRACKING_PARAMS or k.startswith(_TRACKING_PREFIXES)


def url_key(url: str) -> str:
    """The deduplication key of an article URL: scheme and host lower case, no www./amp./m. prefix, no default
    port, no userinfo, no fragment, no tracking parameters (utm_*, fbclid, gclid, ts, ...), remaining parameters
    sorted, no AMP path variant, no trailing slash (except the root). Idempotent. Never shown: it is not a URL
    anyone published."""
    if not isinstance(url, str):
        raise InvalidUrl("URL is not text")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidUrl(f"not an absolute http(s) URL: {url[:200]!r}")
    host = _clean_host(parts.hostname)
    if not host:
        raise InvalidUrl(f"not an absolute http(s) URL: {url[:200]!r}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidUrl(f"invalid port in {url[:200]!r}") from None
    netloc = f"[{host}]" if ":" in host else host
    if port and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, netloc, _clean_path(parts.path), urlencode(query), ""))


def url_id(url: str) -> str:
    """A stable 20-hex-digit id of the URL's key (a new story's id)."""
    return hashlib.sha1(url_key(url).encode("utf-8")).hexdigest()[:20]


def published_url(url: str) -> str:
    """The URL as the publisher wrote it (trimmed), once checked to be an absolute http(s) URL."""
    url_key(url)  # raises InvalidUrl
    return url.strip()
