"""The report as PDF: WeasyPrint on the rendered HTML, with a URL fetcher that reaches nothing outside.

The HTML is self-contained (inline styles, inline SVG charts, `data:` images at most), so the only
resources WeasyPrint may load are `data:` URLs and files bundled in `reports/assets/`. Anything else —
http(s) to any host, `file:` outside the assets folder, `ftp:` — is refused before a connection or a read
(scenario T32: untrusted names in the report must not make the renderer fetch or read anything).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = (Path(__file__).parent / "assets").resolve()
# WeasyPrint warns on every refused resource; one line each is enough, and never the page text.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class BlockedResource(ValueError):
    """A resource the report may not load."""


class BundledOnlyFetcher(URLFetcher):
    """Serves `data:` URLs and files under `reports/assets/`; refuses everything else without I/O."""

    def __init__(self, assets: Path = ASSETS):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)
        self._assets = Path(assets).resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self._assets) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})
        self.refused.append(url[:200])
        raise BlockedResource(f"resource not bundled with the report: {url[:80]}")


def _content_type(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".ttf": "font/ttf",
            ".woff2": "font/woff2"}.get(path.suffix.lower(), "application/octet-stream")


def render_pdf(html_path: Path, pdf_path: Path | None = None) -> Path:
    """report.html → report.pdf next to it (atomically), tagged for screen readers."""
    html_path = Path(html_path)
    target = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
    fetcher = BundledOnlyFetcher()
    # base_url inside the assets folder: relative URLs resolve there, never next to the report.
    document = HTML(string=html_path.read_text(encoding="utf-8"), base_url=ASSETS.as_uri() + "/",
                    url_fetcher=fetcher, media_type="print")
    tmp = target.with_name(target.name + ".tmp")
    try:
        document.write_pdf(tmp, pdf_tags=True, uncompressed_pdf=False)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
