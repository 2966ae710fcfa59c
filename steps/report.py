"""The monthly report from the snapshot to the readers' mailboxes: steps as plain functions.

`prepare_introductions` (writer: the month's « mises en relation », computed once, then published),
`produce_report` (HTML, PDF and annexes into DIR/reports/YYYY-MM/, the rendering recorded),
`send_report` (once per month unless `resend`; SMTP when configured, else an .eml in DIR/outbox/; every attempt
recorded, a failure never marked sent), `send_alert` (the data engineers' address, same mail code).
The writer connection is held only for short bookkeeping, never during rendering or the SMTP exchange.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from radar.config import Territory, Workdir
from radar.months import parse_month
from reports import email as mail
from reports.annexes import write_annexes
from reports.formats import month_long
from reports.introduction_inputs import gather
from reports.introductions import config_from_territory, suggest
from reports.pdf import render_pdf
from reports.render import ReportError, environment, render_html
from warehouse import load_delivery as ledger
from warehouse.db import connect_snapshot, connect_writer
from warehouse.migrate import migrate

# A report waits for a running load to finish rather than failing at once (loads take minutes, not hours).
LOCK_TIMEOUT_ENV = "RADAR_WRITER_LOCK_TIMEOUT"


class AlreadySent(ReportError):
    """The month's report was already delivered; `--resend` is the explicit way to send it again."""


@dataclass(frozen=True)
class Rendered:
    month: str
    folder: Path
    html: Path
    pdf: Path
    annexes: tuple[Path, ...]
    hashes: dict
    headline: dict


def _writer(workdir: Workdir):
    return connect_writer(workdir.warehouse, lock_timeout=float(os.environ.get(LOCK_TIMEOUT_ENV, "300")))


def outbox(workdir: Workdir) -> Path:
    return workdir.root / "outbox"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_month_loaded(workdir: Workdir, month: str) -> None:
    """Fail before any write when the snapshot does not have the month."""
    from reports.queries import loaded_months

    m = parse_month(month)
    con = connect_snapshot(workdir.published)
    try:
        months = loaded_months(con)
    finally:
        con.close()
    if m not in months:
        loaded = f"{months[0]:%Y-%m} … {months[-1]:%Y-%m}" if months else "none"
        raise ReportError(f"no data for month {m:%Y-%m} in the snapshot (loaded months: {loaded})")


def prepare_introductions(workdir: Workdir, territory: Territory, month: str) -> int | None:
    """The month's pairs, computed once from the masked pub views; None when they already existed."""
    m = parse_month(month)
    cfg = config_from_territory(territory.raw)
    with _writer(workdir) as con:
        migrate(con)  # `radar report` may be the first command after an upgrade: the pairs' table as this code writes it
        ledger.ensure_delivery_views(con)
        if ledger.has_introductions(con, m):
            return None
        inputs = gather(con, m, cfg, schema="pub")
        pairs = suggest(cfg, new=inputs["new"], established=inputs["established"],
                        in_difficulty=inputs["in_difficulty"], mentions=inputs["mentions"], firms=inputs["firms"],
                        already_suggested=ledger.recent_pairs(con, m, cfg.exclude_months))
        return ledger.record_introductions(con, m, pairs)


def snapshot_has_introductions(workdir: Workdir, month: str) -> bool:
    """Whether the published snapshot already carries the month's pairs (as many as the warehouse has)."""
    if not workdir.published.is_file():
        return False
    m = parse_month(month)
    con = connect_snapshot(workdir.published)
    try:
        published = con.execute("SELECT count(*) FROM introduction WHERE month = ?", [m]).fetchone()[0]
    except duckdb.CatalogException:  # a snapshot published before this code: publish again
        return False
    finally:
        con.close()
    with _writer(workdir) as con:
        return published == con.execute("SELECT count(*) FROM core.introduction WHERE month = ?", [m]).fetchone()[0]


def produce_report(workdir: Workdir, territory: Territory, month: str, *,
                   generated_at: datetime | None = None) -> Rendered:
    m = parse_month(month)
    folder = workdir.reports / f"{m:%Y-%m}"
    try:
        html, context = render_html(workdir.published, f"{m:%Y-%m}", folder, territory_name=territory.name,
                                    generated_at=generated_at)
        pdf = render_pdf(html)
        annexes = tuple(write_annexes(context, folder))
    except Exception as exc:
        _record(workdir, month=m, kind="rendered", status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    hashes = {p.name: sha256(p) for p in (html, pdf, *annexes)}
    _record(workdir, month=m, kind="rendered", status="success", files=hashes)
    return Rendered(f"{m:%Y-%m}", folder, html, pdf, annexes, hashes, _headline(context))


def _headline(context: dict) -> dict:
    """What the e-mail says: the headline figures and, for each other section, its count or why it has none."""
    empty = context["empty"]
    return {"title": context["title"], "month_label": context["month_label"], "territory": context["territory"],
            "cards": context["cards"], "balance": context["balance"],
            "sections": [("Entreprises en difficulté à contacter", len(context["difficulty"]["rows"]),
                          empty["difficulty"]),
                         ("Articles du mois citant une entreprise du territoire", len(context["press"]["stories"]),
                          empty["press"]),
                         ("Mises en relation proposées", len(context["introductions"]), empty["introductions"])]}


def _record(workdir: Workdir, **fields) -> None:
    with _writer(workdir) as con:
        ledger.record_delivery(con, **fields)


def check_not_sent(workdir: Workdir, month: str) -> None:
    """Before rendering again a month already delivered: the archived files stay those that were sent."""
    with _writer(workdir) as con:
        if ledger.was_sent(con, parse_month(month)):
            raise AlreadySent(f"the report of {month} was already sent; use --resend to send it again")


def send_report(workdir: Workdir, territory: Territory, rendered: Rendered, *, resend: bool = False,
                env: dict | None = None) -> dict:
    m = parse_month(rendered.month)
    if not resend:
        check_not_sent(workdir, rendered.month)
    to = mail.recipients(territory.raw, "recipients")
    settings = mail.smtp_settings(env, sender=mail.report_sender(territory.raw))
    transport = "smtp" if settings else "outbox"
    try:
        msg = report_message(rendered, to, settings.sender if settings else
                             (mail.report_sender(territory.raw) or mail.DEFAULT_SENDER))
        if settings:
            mail.send_smtp(msg, settings)
            where = settings.where
        else:
            where = str(mail.write_outbox(msg, outbox(workdir), f"rapport-{rendered.month}"))
    except Exception as exc:
        _record(workdir, month=m, kind="sent", status="failed", recipients_count=len(to), transport=transport,
                files=rendered.hashes, message=f"{type(exc).__name__}: {exc}")
        if isinstance(exc, mail.DeliveryError):
            raise
        raise mail.DeliveryError(f"report of {rendered.month} not sent: {type(exc).__name__}: {exc}") from exc
    _record(workdir, month=m, kind="sent", status="success", recipients_count=len(to), transport=transport,
            files=rendered.hashes)
    return {"transport": transport, "recipients": len(to), "where": where}


def report_message(rendered: Rendered, to: list[str], sender: str):
    context = {**rendered.headline, "files": [p.name for p in rendered.annexes]}
    env = environment()
    html = env.get_template("email.html.j2").render(context)
    text_env = environment()
    text_env.autoescape = False  # plain text: escaping would show "&#39;" to the reader
    text = text_env.get_template("email.txt.j2").render(context)
    attachments = [(f"rapport-{rendered.month}.pdf", rendered.pdf.read_bytes(), "application/pdf")]
    xlsx = rendered.folder / "annexes.xlsx"
    if xlsx.is_file():
        attachments.append((f"annexes-{rendered.month}.xlsx", xlsx.read_bytes(),
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    return mail.build_message(subject=rendered.headline["title"], sender=sender, to=to, html=html, text=text,
                              attachments=attachments)


def send_alert(workdir: Workdir, territory: Territory, subject: str, text: str, *,
               env: dict | None = None) -> str:
    """An alert to `[report] alerts`, by SMTP or into the outbox; returns where it went."""
    to = mail.recipients(territory.raw, "alerts")
    if not to:
        return "no alert recipient configured ([report] alerts)"
    settings = mail.smtp_settings(env, sender=mail.report_sender(territory.raw))
    sender = settings.sender if settings else (mail.report_sender(territory.raw) or mail.DEFAULT_SENDER)
    html = environment().from_string("<p>{{ text }}</p>").render(text=text)
    msg = mail.build_message(subject=f"[radar] {subject}", sender=sender, to=to, html=html, text=text)
    if settings:
        mail.send_smtp(msg, settings)
        return settings.where
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(mail.write_outbox(msg, outbox(workdir), f"alerte-{stamp}"))


def month_label(month: str) -> str:
    return month_long(date.fromisoformat(month + "-01"))
