"""Rendering and delivery: files and hashes recorded, T34/T35 on every output, e-mail through a real SMTP server
on loopback (recipients, subject, HTML body, a PDF that opens), send once, resend, and the failures."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import duckdb
import pytest
import trustme
from openpyxl import load_workbook
from pypdf import PdfReader

from radar.config import Workdir
from reports.email import DeliveryError, SmtpSettings, smtp_settings
from steps import report as delivery
from tests.fakes.smtp_server import SmtpServer, free_port
from tests.reports.monthly_data import MONTH, P_SECRETS
from tests.reports.recipients import ENGINEERS, STAFF

# The fake server takes a login without TLS on loopback, on purpose; aiosmtpd warns about it on every session.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")



@pytest.fixture(scope="module")
def produced(produced):
    wd, rendered, (first, again) = produced
    assert first > 0 and again is None  # introductions are computed once per month
    return wd, rendered


@pytest.fixture
def fresh(produced, tmp_path) -> Workdir:
    """The produced workdir's warehouse, copied: each delivery test starts with nothing sent."""
    wd = Workdir(tmp_path / "wd")
    wd.ensure()
    shutil.copy2(produced[0].warehouse, wd.warehouse)
    return wd


def _deliveries(wd: Workdir) -> list[tuple]:
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    try:
        return con.execute("SELECT kind, status, recipients_count, transport, message FROM meta.report_delivery "
                           "ORDER BY recorded_at").fetchall()
    finally:
        con.close()


def test_rendering_writes_every_file_and_records_their_hashes(produced):
    wd, rendered = produced
    names = {p.name for p in rendered.folder.iterdir()}
    assert {"report.html", "report.pdf", "annexes.xlsx", "annexe-liste-creation.csv",
            "annexe-mises-en-relation.csv"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    kind, status, html_sha, pdf_sha, files = con.execute(
        "SELECT kind, status, html_sha256, pdf_sha256, files FROM meta.report_delivery").fetchone()
    pairs = con.execute("SELECT count(*) FROM core.introduction WHERE month = ?", [MONTH + "-01"]).fetchone()[0]
    con.close()
    assert (kind, status) == ("rendered", "success")
    assert html_sha == delivery.sha256(rendered.html) and pdf_sha == delivery.sha256(rendered.pdf)
    assert json.loads(files)["annexes.xlsx"] == delivery.sha256(rendered.folder / "annexes.xlsx")
    assert 0 < pairs <= 10
    snap = duckdb.connect(str(wd.published), read_only=True)
    assert snap.execute("SELECT count(*) FROM introduction").fetchone()[0] == pairs  # published for the dashboard
    snap.close()


def _xlsx_strings(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_no_personal_field_in_any_output(produced):
    """T35: the P unit's names and sign appear in no HTML, PDF, CSV or XLSX."""
    _, rendered = produced
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(str(rendered.pdf)).pages)
    outputs = {"html": rendered.html.read_text(encoding="utf-8"), "pdf": pdf_text,
               "xlsx": _xlsx_strings(rendered.folder / "annexes.xlsx")}
    outputs.update({p.name: p.read_text(encoding="utf-8-sig") for p in rendered.folder.glob("*.csv")})
    for name, text in outputs.items():
        for secret in P_SECRETS:
            assert secret not in text, (name, secret)
    assert "(nom non diffusible)" in outputs["annexe-liste-creation.csv"]


def test_annex_lists_match_the_report_and_formula_text_is_neutralised(produced):
    """T34 on the real annexes: the `{{ 7*7 }}` and `<script>` names are text; SIRETs stay as written."""
    _, rendered = produced
    rows = list(csv.reader(io.StringIO((rendered.folder / "annexe-liste-creation.csv").read_text("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][:2] == ["Nom", "SIRET"] and len(rows) == 1 + 4
    book = load_workbook(rendered.folder / "annexes.xlsx")
    assert "Créations" in book.sheetnames and "Mises en relation" in book.sheetnames
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def _settings_env(server: SmtpServer, **extra) -> dict:
    return server.env(RADAR_SMTP_FROM="radar@agence.example", **extra)


def test_sent_once_over_smtp_with_the_pdf_attached(fresh, produced, territory):
    _, rendered = produced
    with SmtpServer(user="radar", password="s3cret-pw") as server:
        env = _settings_env(server, RADAR_SMTP_USER="radar", RADAR_SMTP_PASSWORD="s3cret-pw")
        out = delivery.send_report(fresh, territory, rendered, env=env)
        with pytest.raises(delivery.AlreadySent, match="already sent; use --resend"):
            delivery.send_report(fresh, territory, rendered, env=env)
        assert len(server.received) == 1
        delivery.send_report(fresh, territory, rendered, resend=True, env=env)
        assert len(server.received) == 2
    assert out == {"transport": "smtp", "recipients": 2, "where": f"127.0.0.1:{server.port}"}
    got = server.received[0]
    assert sorted(got.rcpt_tos) == sorted(STAFF) and got.mail_from == "radar@agence.example"
    msg = got.message
    assert msg["Subject"] == "Radar de l'écosystème numérique — Grand Paris Seine Ouest — novembre 2024"
    html = msg.get_body(("html",)).get_content()
    assert "<h1" in html and "novembre 2024" in html and 'data-metric="creations">4<' in html
    assert "l'écosystème" in msg.get_body(("plain",)).get_content()
    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert [p.get_filename() for p in pdfs] == ["rapport-2024-11.pdf"]
    reader = PdfReader(io.BytesIO(pdfs[0].get_content()))
    assert len(reader.pages) >= 3 and "novembre 2024" in reader.pages[0].extract_text()
    assert [(k, s, n, t) for k, s, n, t, _ in _deliveries(fresh)] == [
        ("rendered", "success", None, None), ("sent", "success", 2, "smtp"), ("sent", "success", 2, "smtp")]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    path = tmp_path / "agency-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_sent_over_tls_with_the_login_only_after_encryption(fresh, produced, territory, ca, ca_file, security):
    _, rendered = produced
    with SmtpServer(user="radar", password="s3cret-pw", tls=security, ca=ca) as server:
        env = _settings_env(server, RADAR_SMTP_SECURITY=security, RADAR_SMTP_CA_FILE=ca_file,
                            RADAR_SMTP_USER="radar", RADAR_SMTP_PASSWORD="s3cret-pw")
        out = delivery.send_report(fresh, territory, rendered, env=env)
        assert out["transport"] == "smtp" and server.logins == ["radar"]
        [got] = server.received
    assert sorted(got.rcpt_tos) == sorted(STAFF) and got.tls_version.startswith("TLSv1.")
    assert "rapport-2024-11.pdf" in [p.get_filename() for p in got.message.iter_attachments()]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused_before_the_password_is_sent(fresh, produced, territory, ca,
                                                                         security):
    _, rendered = produced
    with SmtpServer(user="radar", password="SECRET-CANARY-7f3a", tls=security, ca=ca) as server:
        env = _settings_env(server, RADAR_SMTP_SECURITY=security, RADAR_SMTP_USER="radar",
                            RADAR_SMTP_PASSWORD="SECRET-CANARY-7f3a")  # no CA file: the system roots only
        with pytest.raises(DeliveryError, match="TLS certificate is not trusted.*RADAR_SMTP_CA_FILE") as err:
            delivery.send_report(fresh, territory, rendered, env=env)
        assert server.logins == [] and server.received == []
    assert "SECRET-CANARY" not in str(err.value)
    assert _deliveries(fresh)[-1][:2] == ("sent", "failed")


def test_starttls_expected_but_not_offered_never_falls_back_to_plain_text(fresh, produced, territory, ca_file):
    _, rendered = produced
    with SmtpServer(user="radar", password="pw") as server:  # no TLS at all
        env = _settings_env(server, RADAR_SMTP_SECURITY="starttls", RADAR_SMTP_CA_FILE=ca_file,
                            RADAR_SMTP_USER="radar", RADAR_SMTP_PASSWORD="pw")
        with pytest.raises(DeliveryError, match="does not support STARTTLS"):
            delivery.send_report(fresh, territory, rendered, env=env)
        assert server.logins == [] and server.received == []


def test_server_down_is_a_clear_error_and_never_marked_sent(fresh, produced, territory):
    _, rendered = produced
    port = free_port()  # nothing listens there
    env = {"RADAR_SMTP_HOST": "127.0.0.1", "RADAR_SMTP_PORT": str(port), "RADAR_SMTP_SECURITY": "none",
           "RADAR_SMTP_TIMEOUT": "5", "RADAR_SMTP_PASSWORD": "SECRET-CANARY-7f3a", "RADAR_SMTP_USER": "radar"}
    with pytest.raises(DeliveryError, match=rf"SMTP server 127.0.0.1:{port} unreachable") as err:
        delivery.send_report(fresh, territory, rendered, env=env)
    assert "SECRET-CANARY" not in str(err.value)
    kind, status, _, transport, message = _deliveries(fresh)[-1]
    assert (kind, status, transport) == ("sent", "failed", "smtp") and "unreachable" in message
    with SmtpServer() as server:  # retried later: the month was not marked sent
        delivery.send_report(fresh, territory, rendered, env=server.env())
        assert len(server.received) == 1
    assert "SECRET-CANARY" not in json.dumps([list(map(str, r)) for r in _deliveries(fresh)])


def test_refused_login_is_a_clear_error(fresh, produced, territory):
    _, rendered = produced
    with SmtpServer(user="radar", password="right") as server:
        env = server.env(RADAR_SMTP_USER="radar", RADAR_SMTP_PASSWORD="SECRET-CANARY-7f3a")
        with pytest.raises(DeliveryError, match="refused the login of user 'radar'") as err:
            delivery.send_report(fresh, territory, rendered, env=env)
        assert server.received == [] and server.logins == ["radar"]
    assert "SECRET-CANARY" not in str(err.value)
    assert _deliveries(fresh)[-1][:2] == ("sent", "failed")


def test_rejected_recipient_is_a_failure_naming_it(fresh, produced, territory):
    _, rendered = produced
    with SmtpServer(rejected={STAFF[1]}) as server:
        with pytest.raises(DeliveryError, match=rf"rejected 1 of 2 recipients: {STAFF[1]} \(550"):
            delivery.send_report(fresh, territory, rendered, env=server.env())
    assert _deliveries(fresh)[-1][:2] == ("sent", "failed")
    with SmtpServer(rejected=set(STAFF)) as server:
        with pytest.raises(DeliveryError, match="rejected every recipient"):
            delivery.send_report(fresh, territory, rendered, env=server.env())


def test_without_smtp_the_message_goes_to_the_outbox(fresh, produced, territory):
    _, rendered = produced
    out = delivery.send_report(fresh, territory, rendered, env={})
    eml = Path(out["where"])
    assert out["transport"] == "outbox" and eml.parent == fresh.root / "outbox" and eml.name == "rapport-2024-11.eml"
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == ", ".join(STAFF)
    assert any(p.get_content_type() == "application/pdf" for p in msg.iter_attachments())
    alert = Path(delivery.send_alert(fresh, territory, "stock en retard", "Le stock n'est pas publié.", env={}))
    assert message_from_bytes(alert.read_bytes(), policy=policy.default)["To"] == ENGINEERS[0]


def test_smtp_settings_come_from_the_environment_and_hide_the_password():
    assert smtp_settings({}) is None
    s = smtp_settings({"RADAR_SMTP_HOST": "smtp.example", "RADAR_SMTP_SECURITY": "ssl",
                       "RADAR_SMTP_PASSWORD": "SECRET-CANARY-7f3a"})
    assert isinstance(s, SmtpSettings) and s.port == 465 and "SECRET" not in repr(s)
    assert smtp_settings({"RADAR_SMTP_HOST": "smtp.example"}).port == 587
    with pytest.raises(DeliveryError, match="SECURITY"):
        smtp_settings({"RADAR_SMTP_HOST": "h", "RADAR_SMTP_SECURITY": "tls13"})
    bad = smtp_settings({"RADAR_SMTP_HOST": "h", "RADAR_SMTP_CA_FILE": "/nonexistent/ca.pem"})
    with pytest.raises(DeliveryError, match="CA_FILE '/nonexistent/ca.pem' cannot be read"):
        bad.tls_context()
