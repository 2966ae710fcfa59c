"""Article pages: JSON-LD first, then OpenGraph, then the HTML; UTC dates; plain text only (T31); robots (T36)."""

import json
from datetime import UTC, datetime

import pytest

from extractors.articles import fetch_article, guess_language, html_to_text, parse_article, parse_datetime
from extractors.http import HostPolicy, HttpClient
from extractors.robots import RobotsCache
from tests.fakes.http_server import FakeServer, Reply

LD = {"@context": "https://schema.org", "@graph": [
    {"@type": "WebSite", "name": "Site"},
    {"@type": ["NewsArticle"], "headline": "Issy Data Labs lève 12 M€", "description": "Le chapô JSON-LD.",
     "datePublished": "2026-10-06T07:30:00+02:00", "author": [{"@type": "Person", "name": "A. Rédactrice"}],
     "articleSection": ["Levées de fonds"], "isAccessibleForFree": "False", "inLanguage": "fr-FR",
     "articleBody": "Premier paragraphe. Second paragraphe."}]}


def page(head: str = "", body: str = "", lang: str = "fr") -> str:
    return f'<!doctype html><html lang="{lang}"><head><title>Titre HTML</title>{head}</head><body>{body}</body></html>'


OG = ('<meta property="og:title" content="Titre OG"><meta property="og:description" content="Chapô OG">'
      '<meta property="og:url" content="https://e.fr/og"><meta property="article:published_time" '
      'content="2026-10-06T09:00:00Z"><meta property="article:section" content="Tech">'
      '<meta name="author" content="Auteur OG">')


def test_json_ld_wins():
    html = page('<script type="application/ld+json">' + json.dumps(LD) + "</script>" + OG +
                '<link rel="canonical" href="https://e.fr/canon">', "<article><p>HTML</p></article>")
    a = parse_article(html, "https://e.fr/x?utm_source=y")
    assert a["title"] == "Issy Data Labs lève 12 M€" and a["description"] == "Le chapô JSON-LD."
    assert a["published_at"] == datetime(2026, 10, 6, 5, 30, tzinfo=UTC)
    assert a["author"] == "A. Rédactrice" and a["section"] == "Levées de fonds"
    assert a["is_paywalled"] is True and a["language"] == "fr"
    assert a["text"] == "Premier paragraphe. Second paragraphe."
    assert (a["canonical_url"], a["og_url"]) == ("https://e.fr/canon", "https://e.fr/og")


def test_opengraph_then_html():
    a = parse_article(page(OG, "<article><p>Un texte en français pour la page.</p></article>"), "https://e.fr/x")
    assert (a["title"], a["description"], a["section"], a["author"]) == ("Titre OG", "Chapô OG", "Tech", "Auteur OG")
    assert a["published_at"] == datetime(2026, 10, 6, 9, tzinfo=UTC) and a["is_paywalled"] is False
    b = parse_article('<html><head><title>Seul titre</title></head><body><time datetime="2026-10-06T10:00:00+02:00">'
                      "</time><nav>menu</nav><p>Le texte de la page est dans les paragraphes.</p></body></html>",
                      "https://e.fr/y")
    assert b["title"] == "Seul titre" and b["published_at"].hour == 8 and b["text"].startswith("Le texte")
    assert "menu" not in b["text"] and b["language"] == "fr"


def test_paywall_markup_and_broken_json_ld():
    html = page('<script type="application/ld+json">{not json</script>', '<div class="paywall">Réservé</div>')
    a = parse_article(html, "https://e.fr/x")
    assert a["is_paywalled"] is True and a["title"] == "Titre HTML"


def test_T31_stored_text_is_plain_text():
    hostile = ('<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt;Titre {{ 7*7 }}">')
    a = parse_article(page(hostile, '<article><p>Texte<script>alert(2)</script><img src=x onerror="alert(3)">'
                                    '<svg onload="alert(4)"></svg><a href="javascript:alert(5)">lien</a></p></article>'),
                      "https://e.fr/x")
    assert a["title"] == "Titre {{ 7*7 }}"  # the template canary stays literal text
    assert "<" not in a["text"] and "alert(2)" not in a["text"] and a["text"] == "Texte lien"
    assert html_to_text("<b>gras</b> &amp; &lt;i&gt;double&lt;/i&gt;") == "gras & double"


@pytest.mark.parametrize("value,expected", [
    ("2026-10-06T07:30:00+02:00", datetime(2026, 10, 6, 5, 30, tzinfo=UTC)),
    ("2026-10-06T07:30:00Z", datetime(2026, 10, 6, 7, 30, tzinfo=UTC)),
    ("2026-10-06T07:30:00", datetime(2026, 10, 6, 7, 30, tzinfo=UTC)),
    ("Tue, 06 Oct 2026 07:30:00 +0200", datetime(2026, 10, 6, 5, 30, tzinfo=UTC)),
    ("hier", None), (None, None),
])
def test_dates_are_utc(value, expected):
    assert parse_datetime(value) == expected


def test_language_guess():
    assert guess_language("La société est installée dans le quartier pour les clients") == "fr"
    assert guess_language("The company is based in the city and its clients") == "en"
    assert guess_language("Qonto") is None


def test_T36_disallowed_pages_are_never_requested():
    with FakeServer() as srv, HttpClient(host_policies={"127.0.0.1": HostPolicy(1000, 1000)}, guard=True,
                                         allow_hosts={"127.0.0.1"}) as client:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}))
        srv.route("/a.html", Reply.html(page(OG, "<p>Texte</p>")))
        srv.route("/private/b.html", Reply.html(page(OG)))
        robots = RobotsCache(client)
        assert fetch_article(client, srv.url("/a.html"), robots=robots)["title"] == "Titre OG"
        assert fetch_article(client, srv.url("/private/b.html"), robots=robots) is None
        assert srv.requests_for("/private/b.html") == []


@pytest.mark.parametrize("fragment,text", [
    ("<svg onload=alert(1)>L'ESN recrute. <a href='x'>voir</a>", "L'ESN recrute. voir"),
    ("<p>Avant.</p><svg onload=alert(1)><p>Après un svg jamais fermé.</p>", "Avant. Après un svg jamais fermé."),
    ("<p>Formule</p><math><mi>x</mi> puis le texte", "Formule x puis le texte"),
    ("<template><p>Caché</p></template><p>Visible</p><template>Texte d'un modèle non fermé",
     "Visible Texte d'un modèle non fermé"),
    ("<p>Icône</p><svg><path d='M0'/><text>logo</text></svg><p>suite</p>", "Icône suite"),
    ("</svg>Texte<svg><svg></svg></svg> fin", "Texte fin"),
])
def test_text_survives_broken_markup(fragment, text):
    assert html_to_text(fragment) == text


def test_page_text_survives_an_unclosed_svg():
    html = page(OG, '<article><p>Début. <svg class="icon"><use href="#i">La suite du texte.</p></article>')
    assert parse_article(html, "https://e.fr/x")["text"] == "Début. La suite du texte."
