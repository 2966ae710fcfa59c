"""A unit that withdraws its consent (T39), told by three hand-made SIRENE months loaded by the real steps.

October: the companies of Issy-les-Moulineaux. November: an individual entrepreneur, public (statutDiffusion O),
starts a software business next to an established hosting company: the month's « mises en relation » name both,
and the report of November is rendered and sent. December: the entrepreneur's unit becomes partially diffusible
(P), its names withheld ([ND]) as INSEE publishes them; December is loaded, its introductions computed, the snapshot
published, and November's report rendered and sent again. From then on the entrepreneur's names must appear in
no output: report (HTML, PDF), annexes (CSV, XLSX), e-mail, snapshot, dashboard."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from radar.config import Territory, Workdir, load_territory
from steps import common
from steps import report as delivery
from steps import sirene_month as steps
from tests.builders import etab_row, siren, siret, territory_text_with, ul_row, write_stock

MONTHS = ("2024-10", "2024-11", "2024-12")
FIRST_NAME, LAST_NAME = "JEANNOTCONSENT", "MARTINEZCONSENT"
SIGN = "ENSEIGNECONSENT"
SECRETS = (FIRST_NAME, LAST_NAME, SIGN)
PERSON, HOST = siren(7_001), siren(7_002)
FILLERS = [siren(7_100 + i) for i in range(12)]


def _rows(month: str) -> tuple[list[dict], list[dict]]:
    processed = f"{month}-20T10:00:00"
    etabs, units = [], []
    for i, s in enumerate(FILLERS):
        naf = ("62.01Z", "62.02A", "58.29C")[i % 3]
        etabs.append(etab_row(siret(s), naf=naf, processed=processed))
        units.append(ul_row(s, name=f"EDITEUR {i:02d}", naf=naf, head_nic=siret(s)[9:], processed=processed))
    etabs.append(etab_row(siret(HOST), naf="63.11Z", created="2015-03-01", processed=processed))
    units.append(ul_row(HOST, name="HEBERGEUR ETABLI", naf="63.11Z", created="2015-03-01", head_nic=siret(HOST)[9:],
                        processed=processed))
    if month == MONTHS[0]:
        return etabs, units
    withheld = month == MONTHS[2]
    hidden = "[ND]" if withheld else None
    etabs.append(etab_row(siret(PERSON), created="2024-11-04", status="P" if withheld else "O", processed=processed,
                          street=hidden or "RUE DU TEST", x=hidden or "646500.5", y=hidden or "6857500.5",
                          enseigne1Etablissement=hidden or SIGN))
    units.append(ul_row(PERSON, legal_form="1000", created="2024-11-04", status="P" if withheld else "O",
                        head_nic=siret(PERSON)[9:], processed=processed, nomUniteLegale=hidden or LAST_NAME,
                        prenom1UniteLegale=hidden or FIRST_NAME, prenomUsuelUniteLegale=hidden or FIRST_NAME))
    return etabs, units


@dataclass
class Consent:
    workdir: Workdir
    territory: Territory
    before: dict[str, str]  # November's outputs while the unit was public: file name -> its text
    after: dict[str, dict[str, str]]  # after December's load: month -> file name -> text (November re-rendered)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def eml_texts(eml: Path) -> dict[str, str]:
    """The message's text and HTML bodies and its attachments (PDF, XLSX), as text."""
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    out = {f"e-mail {part.get_content_type()}": part.get_content()
           for part in msg.walk() if part.get_content_type() in ("text/plain", "text/html")}
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        out[f"e-mail {part.get_filename()}"] = pdf_text(data) if data.startswith(b"%PDF") else xlsx_text(data)
    return out


def report_texts(folder: Path, eml: Path) -> dict[str, str]:
    """Every output of a month as staff get it: HTML, PDF text, CSV and XLSX annexes, the e-mail."""
    out = {"report.html": (folder / "report.html").read_text(encoding="utf-8"),
           "report.pdf": pdf_text((folder / "report.pdf").read_bytes()),
           "annexes.xlsx": xlsx_text((folder / "annexes.xlsx").read_bytes())}
    out.update({p.name: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.csv"))})
    out.update(eml_texts(eml))
    return out


def _report(workdir: Workdir, territory: Territory, month: str) -> dict[str, str]:
    rendered = delivery.produce_report(workdir, territory, month)
    sent = delivery.send_report(workdir, territory, rendered, resend=True, env={})
    return report_texts(rendered.folder, Path(sent["where"]))


def build_consent(root: Path) -> Consent:
    workdir = Workdir(root / "wd")
    territory_file = root / "territory.toml"
    territory_file.write_text(territory_text_with('[report]\nrecipients = ["equipe@agence.example"]\n'),
                              encoding="utf-8")
    territory = load_territory(territory_file)
    common.prepare_warehouse(workdir)
    stocks = {m: write_stock(root / "stocks" / m, *_rows(m)) for m in MONTHS}
    for month in MONTHS[:2]:
        steps.load_files(workdir, territory, *stocks[month], month)
    assert delivery.prepare_introductions(workdir, territory, MONTHS[1])
    common.publish(workdir, territory)
    before = _report(workdir, territory, MONTHS[1])
    steps.load_files(workdir, territory, *stocks[MONTHS[2]], MONTHS[2])
    delivery.prepare_introductions(workdir, territory, MONTHS[2])
    common.publish(workdir, territory)
    after = {MONTHS[1]: _report(workdir, territory, MONTHS[1]), MONTHS[2]: _report(workdir, territory, MONTHS[2])}
    return Consent(workdir, territory, before, after)
