"""What a PDF looks like to a reader, read back from the file: words with their boxes and pages (poppler's
pdftotext -bbox-layout), lines in reading order, and the size of every run of text (pypdf)."""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    page: int
    width: float
    height: float
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


def lines(pdf: Path) -> list[Line]:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = ElementTree.fromstring(out)
    found = []
    for number, page in enumerate(root.iter(f"{_NS}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for line in page.iter(f"{_NS}line"):
            words = [w.text or "" for w in line.iter(f"{_NS}word")]
            found.append(Line(number, width, height, *(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                              " ".join(words)))
    return found


def text_sizes(pdf: Path) -> dict[float, str]:
    """Effective font size (points, one decimal) of every run of text -> an example of it."""
    sizes: dict[float, str] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d = tm[:4]
            scale = math.hypot(a * cm[1] + b * cm[3], c * cm[1] + d * cm[3])
            sizes.setdefault(round(size * scale, 1), text.strip()[:40])

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes
