"""Google News links resolved to the article: from the link itself when it carries the URL, else from Google's page."""

import pytest

from extractors.google_news import article_id, strip_source, target_in_id, target_in_page
from tests.news_site import google_news_id

TARGET = "https://www.leparisien.fr/hauts-de-seine-92/issy-data-labs-leve-12-millions-06-10-2026-ABCD123.php"


def test_the_target_is_read_from_the_link():
    ident = google_news_id(TARGET)
    assert ident.startswith("CBMi")  # the shape of real Google News RSS ids
    url = f"https://news.google.com/rss/articles/{ident}?oc=5"
    assert article_id(url) == ident and target_in_id(ident) == TARGET


@pytest.mark.parametrize("url", ["https://www.leparisien.fr/rss/articles/CBMiXmh0dHBz",
                                 "https://news.google.com/search?q=x", "not a url"])
def test_other_links_are_not_google_news_articles(url):
    assert article_id(url) is None


def test_an_opaque_id_carries_no_target():
    assert target_in_id("AU_yqLNx3bG9pZ3VlLXRleHQ") is None
    assert target_in_id("!!!") is None


@pytest.mark.parametrize("page", [
    f'<html><body><c-wiz jsrenderer="x" data-n-au="{TARGET}" data-n-a-id="1"></c-wiz></body></html>',
    f'<html><head><meta http-equiv="refresh" content="0;url={TARGET}"></head></html>',
    f'<a href="https://news.google.com/home">Accueil</a><a href="https://accounts.google.com/x">x</a>'
    f'<a href="{TARGET}" rel="nofollow">Lire</a>',
])
def test_the_target_is_read_from_googles_page(page):
    assert target_in_page(page) == TARGET


def test_a_page_without_a_way_out_gives_nothing():
    assert target_in_page('<a href="https://news.google.com/topics/x">Sujets</a>') is None


def test_the_publishers_name_is_cut_from_the_title():
    assert strip_source("Issy Data Labs lève 12 M€ - Le Parisien", "Le Parisien") == "Issy Data Labs lève 12 M€"
    assert strip_source("Un titre - avec un tiret", "Le Parisien") == "Un titre - avec un tiret"
