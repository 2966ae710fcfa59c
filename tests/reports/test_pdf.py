"""The PDF staff forward: the demo month's report fits in 8 A4 pages, no text leaves its page, body text is at
least 8 pt, no heading is stranded at a page's foot; its text shows the headline numbers (SQL written here); and
the renderer fetches nothing and reads no file outside the bundled assets (T32)."""

from __future__ import annotations

import re
import socket
import threading
from datetime import date
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.pdf import BlockedResource, BundledOnlyFetcher, render_pdf
from tests.reports.pdf_layout import lines, text_sizes
from tests.snapshots import DEMO_MONTH
from warehouse.db import connect_snapshot

A4 = (595.28, 841.89)  # points


class Canary:
    """A loopback TCP listener that counts every connection, whatever is sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


def _text(pdf: Path) -> tuple[int, str]:
    reader = PdfReader(str(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def pdf(demo_report) -> Path:
    return demo_report.pdf


@pytest.fixture(scope="module")
def pdf_lines(pdf):
    return lines(pdf)


def test_the_demo_month_fits_in_eight_a4_pages(pdf_lines):
    pages = {line.page for line in pdf_lines}
    assert len(pages) <= 8, len(pages)
    assert all((round(line.width, 2), round(line.height, 2)) == A4 for line in pdf_lines)


def test_no_text_lies_outside_its_page(pdf_lines):
    """Tables that overflow the width are drawn beyond the page's edge, where the reader never sees them."""
    outside = [(line.page, line.text) for line in pdf_lines
               if line.x_min < 0 or line.y_min < 0 or line.x_max > line.width or line.y_max > line.height]
    assert not outside, outside[:10]
    margin = 25  # the page's own margins are 11-13 mm (31-37 pt): nothing is printed in them
    crowding = [(line.page, line.text) for line in pdf_lines if line.x_max > line.width - margin]
    assert not crowding, crowding[:10]


def test_body_text_is_at_least_8_points(pdf):
    sizes = text_sizes(pdf)
    assert min(sizes) >= 8.0, sorted(sizes.items())[:5]


def test_no_heading_is_stranded_at_the_foot_of_a_page(pdf, pdf_lines, demo_report):
    headings = {" ".join(h.text().split()) for h in HTMLParser(demo_report.html.read_text("utf-8")).css("h2, h3")}
    by_page: dict[int, list] = {}
    for line in pdf_lines:
        if not re.fullmatch(r"\d+ / \d+", line.text):  # the page counter in the margin
            by_page.setdefault(line.page, []).append(line)
    for page, found in by_page.items():
        last = max(found, key=lambda line: line.y_max)
        assert last.text not in headings and not any(h.startswith(last.text) for h in headings if len(last.text) > 12), \
            (page, last.text)


def test_pdf_shows_the_headline_numbers(pdf, demo_snapshot):
    m = date.fromisoformat(DEMO_MONTH + "-01")
    con = connect_snapshot(demo_snapshot)
    try:
        establishments, companies = con.execute(
            "SELECT count(*), count(DISTINCT siren) FROM establishment_monthly WHERE month = ? AND is_tech "
            "AND state = 'A'", [m]).fetchone()
        kinds = dict(con.execute("SELECT kind, count(*) FROM event WHERE month = ? AND source = 'sirene' AND is_tech "
                                 "GROUP BY kind", [m]).fetchall())
    finally:
        con.close()
    pages, text = _text(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    for label, value in (("Entreprises", companies), ("Établissements", establishments),
                         ("Créations", kinds["creation"]), ("Fermetures", kinds["closure"]),
                         ("Arrivées", kinds.get("move_in", 0)), ("Départs", kinds.get("move_out", 0))):
        assert re.search(re.escape(label) + r"\s+" + re.escape(format_decimal(value, locale="fr_FR")) + r"\s", text), \
            label
    assert "octobre 2026" in text and "7. Méthode et sources" in text
    assert not list(pdf.parent.glob("*.tmp"))


def test_renderer_fetches_nothing_and_reads_no_local_file(canary, tmp_path):
    """T32: images, stylesheets, @import and url() to a loopback canary or to local files are all refused."""
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").is_file() else "no-hostname"
    base = f"http://127.0.0.1:{canary.port}"
    html = tmp_path / "report.html"
    html.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8">
        <link rel="stylesheet" href="file:///etc/hostname"><link rel="stylesheet" href="{base}/style.css">
        <style>@import url({base}/import.css); @import "file:///etc/hostname";
               body {{ background: url({base}/bg.png); }}
               @font-face {{ font-family: X; src: url({base}/font.ttf); }}</style></head>
        <body><h1>Rapport</h1><img src="{base}/pixel.png" alt="x"><img src="file:///etc/hostname" alt="y">
        <object data="{base}/object"></object><iframe src="{base}/frame"></iframe>
        <svg><image href="{base}/svg.png" width="10" height="10"/></svg>
        <a href="{base}/link">lien</a></body></html>""", encoding="utf-8")
    out = render_pdf(html)
    pages, text = _text(out)
    assert canary.hits == 0
    assert pages == 1 and "Rapport" in text and hostname not in text


def test_fetcher_allows_data_urls_and_bundled_assets_only(canary, tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = BundledOnlyFetcher(assets)
    assert fetcher.fetch("data:text/plain,bonjour").read() == b"bonjour"
    assert fetcher.fetch((assets / "logo.svg").as_uri()).read().startswith(b"<svg")
    for url in (f"http://127.0.0.1:{canary.port}/", f"https://127.0.0.1:{canary.port}/", "file:///etc/hostname",
                (assets / ".." / ".." / "etc" / "hostname").as_uri(), f"ftp://127.0.0.1:{canary.port}/"):
        with pytest.raises(BlockedResource):
            fetcher.fetch(url)
    assert canary.hits == 0
