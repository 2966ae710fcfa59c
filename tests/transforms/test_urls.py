"""URL keys: tracking tags, fragments, AMP variants, host spelling and trailing slashes do not count."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.urls import InvalidUrl, url_id, url_key

BASE = "https://www.example.fr/2026/10/06/issy-data-labs-leve/"


@pytest.mark.parametrize("variant", [
    "https://www.example.fr/2026/10/06/issy-data-labs-leve/?utm_source=twitter&utm_medium=social",
    "https://example.fr/2026/10/06/issy-data-labs-leve?fbclid=IwAR0abc",
    "HTTPS://WWW.EXAMPLE.FR:443/2026/10/06/issy-data-labs-leve/#comments",
    "https://example.fr/2026/10/06/issy-data-labs-leve/amp/",
    "https://amp.example.fr/2026/10/06/issy-data-labs-leve/?gclid=xyz&amp=1",
    "https://example.fr/amp/2026/10/06/issy-data-labs-leve",
    "https://example.fr./2026/10/06/issy-data-labs-leve//",
])
def test_variants_of_one_article_share_one_url_key(variant):
    assert url_key(variant) == url_key(BASE) == "https://example.fr/2026/10/06/issy-data-labs-leve"
    assert url_id(variant) == url_id(BASE)


def test_meaningful_parameters_are_kept_and_sorted():
    assert url_key("https://e.fr/a?p=2&id=7&utm_campaign=x") == "https://e.fr/a?id=7&p=2"
    assert url_id("https://e.fr/a?id=7") != url_id("https://e.fr/a?id=8")


def test_amp_html_suffix_and_root():
    assert url_key("https://e.fr/news/story.amp.html") == "https://e.fr/news/story.html"
    assert url_key("http://E.FR") == "http://e.fr/"
    assert url_key("https://e.fr:8443/x/") == "https://e.fr:8443/x"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
                                 "/etc/passwd", "", "https://", "mailto:a@b.fr"])
def test_non_http_urls_are_refused(bad):
    with pytest.raises(InvalidUrl):
        url_key(bad)


_segment = st.text(alphabet=st.characters(codec="utf-8", categories=("Ll", "Lu", "Nd"), include_characters="-_."),
                   min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
_key = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_host = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(fr|com|org)", fullmatch=True)


@st.composite
def urls(draw):
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(_host)
    path = "/".join(draw(st.lists(_segment, max_size=4)))
    params = draw(st.lists(st.tuples(_key, _key), max_size=3))
    query = "&".join(f"{k}={v}" for k, v in params)
    return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "")


@settings(max_examples=100, deadline=None)
@given(urls())
def test_canonicalisation_is_idempotent(url):
    once = url_key(url)
    assert url_key(once) == once


@settings(max_examples=100, deadline=None)
@given(urls(), st.lists(st.tuples(st.sampled_from(["utm_source", "utm_medium", "fbclid", "gclid", "utm_x"]), _key),
                        min_size=1, max_size=3), st.text(alphabet="abc123", max_size=6), st.booleans())
def test_tracking_fragment_case_and_www_never_change_the_id(url, tracking, fragment, upper):
    sep = "&" if "?" in url else "?"
    noisy = url + sep + "&".join(f"{k}={v}" for k, v in tracking) + (f"#{fragment}" if fragment else "")
    scheme, rest = noisy.split("://", 1)
    host, _, tail = rest.partition("/")
    noisy = f"{scheme}://{'www.' + (host.upper() if upper else host)}/{tail}"
    assert url_key(noisy) == url_key(url)
    assert not any(p in url_key(noisy) for p in ("utm_", "fbclid", "gclid", "#"))


def test_the_publishers_url_is_kept_as_written():
    from transforms.urls import published_url

    url = "https://www.example.fr/2026/10/06/issy-data-labs-leve/"
    assert published_url(f"  {url}\n") == url
    assert url_key(url + "?ts=1759730400") == url_key(url) == "https://example.fr/2026/10/06/issy-data-labs-leve"
    with pytest.raises(InvalidUrl):
        published_url("javascript:alert(1)")
