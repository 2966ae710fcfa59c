"""The PDF: it renders, its text shows the headline numbers (checked against SQL written here), and the renderer
fetches nothing and reads no file outside the bundled assets (T32)."""

from __future__ import annotations

import re
import socket
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest
from babel.numbers import format_decimal
from pypdf import PdfReader

from reports.pdf import BlockedResource, BundledOnlyFetcher, render_pdf
from tests.reports.monthly_data import MONTH


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
def pdf(produced) -> Path:
    return produced[1].pdf


def test_pdf_renders_with_the_headline_numbers(pdf, monthly):
    con = duckdb.connect(str(monthly.snapshot), read_only=True)
    m = date.fromisoformat(MONTH + "-01")
    establishments, companies = con.execute(
        "SELECT count(*), count(DISTINCT siren) FROM establishment_monthly WHERE month = ? AND is_tech "
        "AND state = 'A'", [m]).fetchone()
    kinds = dict(con.execute("SELECT kind, count(*) FROM event WHERE month = ? AND source = 'sirene' AND is_tech "
                             "GROUP BY kind", [m]).fetchall())
    con.close()
    pages, text = _text(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-") and 3 <= pages <= 40
    for label, value in (("Entreprises du numérique", companies), ("Établissements du numérique", establishments),
                         ("Créations", kinds["creation"]), ("Fermetures", kinds["closure"]),
                         ("Arrivées", kinds["move_in"]), ("Départs", kinds["move_out"])):
        assert re.search(re.escape(label) + r"\s+" + re.escape(format_decimal(value, locale="fr_FR")) + r"\s", text), \
            label
    assert "novembre 2024" in text and "7. Méthode et sources" in text
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
