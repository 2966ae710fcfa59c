"""A Google News link whose id carries no URL is resolved from the page Google serves for it (a loopback fake
stands for news.google.com); one that cannot be resolved keeps its link."""

from extractors.http import HostPolicy, HttpClient
from extractors.robots import RobotsCache
from steps.news import resolve_google_news
from tests.fakes.http_server import FakeServer, Reply

TARGET = "https://www.example.fr/2026/10/06/issy-data-labs-leve-12-millions/"


def test_google_news_links_are_resolved_from_the_link_or_the_page():
    with FakeServer() as gn, HttpClient(guard=True, allow_hosts={"127.0.0.1"},
                                        host_policies={"127.0.0.1": HostPolicy(1000, burst=1000)}) as client:
        gn.route("/rss/articles/AU_yqLOpaqueIdentifier", Reply.html(f'<c-wiz data-n-au="{TARGET}"></c-wiz>'))
        gn.route("/rss/articles/AU_yqLNoWayOutAtAll", Reply.html('<a href="/home">Accueil</a>'))
        opaque, dead = gn.url("/rss/articles/AU_yqLOpaqueIdentifier?oc=5"), gn.url("/rss/articles/AU_yqLNoWayOutAtAll")
        items = [{"url": opaque, "feed_name": "GN"}, {"url": dead, "feed_name": "GN"},
                 {"url": "https://www.example.fr/other", "feed_name": "Site"}]
        pages: dict = {}
        resolve_google_news(client, RobotsCache(client), items, pages, hosts={"127.0.0.1"})
    assert (items[0]["url"], items[0]["via_url"]) == (TARGET, opaque)
    assert items[1]["url"] == dead and "via_url" not in items[1]
    assert items[2] == {"url": "https://www.example.fr/other", "feed_name": "Site"}
    assert pages == {"google_news_resolved": 1, "google_news_unresolved": 1}
