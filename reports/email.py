"""E-mail of the report and of alerts: one message builder, two transports (SMTP, or an outbox folder).

SMTP settings come from the environment only (the password is a secret and never reaches a log, an error
or the warehouse); recipients come from the territory TOML, `[report] recipients = [...]` and
`alerts = [...]`. With no `RADAR_SMTP_HOST`, messages are written as `.eml` files into an outbox folder,
which is what `radar demo` and an unconfigured install do.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from radar.errors import RadarError

ENV_PREFIX = "RADAR_SMTP_"
DEFAULT_SENDER = "radar@localhost"
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


class DeliveryError(RadarError, RuntimeError):
    """The message could not be handed over; one readable line, no secret."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # 'starttls' | 'ssl' | 'none'
    user: str | None
    password: str | None
    sender: str
    timeout: float = 30.0
    ca_file: str | None = None  # an internal CA's bundle, added to the system's trusted roots

    def tls_context(self) -> ssl.SSLContext:
        """Certificates and host names are always verified: a mail relay on the agency's own CA is trusted by
        pointing RADAR_SMTP_CA_FILE at that CA, never by switching verification off."""
        context = ssl.create_default_context()
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise DeliveryError(f"{ENV_PREFIX}CA_FILE {self.ca_file!r} cannot be read as PEM certificates: "
                                    f"{type(exc).__name__}") from None
        return context

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(env: dict | None = None, sender: str | None = None) -> SmtpSettings | None:
    """From RADAR_SMTP_HOST, _PORT, _SECURITY (starttls|ssl|none), _USER, _PASSWORD, _FROM, _TIMEOUT, _CA_FILE;
    None when no host is set (then the outbox is used)."""
    env = os.environ if env is None else env
    host = env.get(ENV_PREFIX + "HOST", "").strip()
    if not host:
        return None
    security = env.get(ENV_PREFIX + "SECURITY", "starttls").strip().lower()
    if security not in ("starttls", "ssl", "none"):
        raise DeliveryError(f"{ENV_PREFIX}SECURITY must be starttls, ssl or none, not {security!r}")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    try:
        port = int(env.get(ENV_PREFIX + "PORT", default_port))
    except ValueError:
        raise DeliveryError(f"{ENV_PREFIX}PORT is not a port number") from None
    return SmtpSettings(host=host, port=port, security=security, user=env.get(ENV_PREFIX + "USER") or None,
                        password=env.get(ENV_PREFIX + "PASSWORD") or None,
                        sender=env.get(ENV_PREFIX + "FROM") or sender or DEFAULT_SENDER,
                        timeout=float(env.get(ENV_PREFIX + "TIMEOUT", 30)),
                        ca_file=env.get(ENV_PREFIX + "CA_FILE") or None)


def recipients(territory_raw: dict, key: str = "recipients") -> list[str]:
    """`[report] recipients` (the agency staff) or `[report] alerts` (the data engineers), checked."""
    from radar.config import ConfigError

    values = territory_raw.get("report", {}).get(key, [])
    if isinstance(values, str):
        values = [values]
    bad = [v for v in values if not isinstance(v, str) or not _ADDRESS.match(v)]
    if bad:
        raise ConfigError(f"report.{key}: not e-mail addresses: {', '.join(map(str, bad))}")
    return list(dict.fromkeys(values))


def report_sender(territory_raw: dict) -> str | None:
    return territory_raw.get("report", {}).get("sender")


def build_message(*, subject: str, sender: str, to: list[str], html: str, text: str,
                  attachments: list[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """A multipart message: plain text and HTML alternatives, then attachments (name, bytes, MIME type)."""
    if not to:
        raise DeliveryError("no recipient: set [report] recipients (or alerts) in the territory file")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def send_smtp(msg: EmailMessage, settings: SmtpSettings) -> None:
    """Hand the message to the SMTP server; every recipient must be accepted, else DeliveryError."""
    to = [a.strip() for a in msg["To"].split(",") if a.strip()]
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=settings.tls_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=settings.tls_context())
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            refused = client.send_message(msg, from_addr=settings.sender, to_addrs=to)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP server {settings.where} refused the login of user {settings.user!r} "
                            f"({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP server {settings.where} rejected every recipient: "
                            f"{_refusals(exc.recipients)}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(f"SMTP server {settings.where} rejected the sender {exc.sender!r} "
                            f"({exc.smtp_code})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"SMTP server {settings.where} does not support {exc}; check "
                            f"{ENV_PREFIX}SECURITY") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(f"SMTP server {settings.where}: its TLS certificate is not trusted "
                            f"({exc.verify_message}); if it is signed by an internal CA, set "
                            f"{ENV_PREFIX}CA_FILE to that CA's PEM file") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryError(f"SMTP exchange with {settings.where} failed: {type(exc).__name__}: "
                            f"{_scrub(str(exc), settings)}") from None
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(f"SMTP server {settings.where} unreachable: {type(exc).__name__}: "
                            f"{_scrub(str(exc), settings)}") from None
    if refused:
        raise DeliveryError(f"SMTP server {settings.where} rejected {len(refused)} of {len(to)} recipients: "
                            f"{_refusals(refused)}; the others received it")


def _refusals(refused: dict) -> str:
    return "; ".join(f"{addr} ({code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg})"
                     for addr, (code, msg) in sorted(refused.items()))


def _scrub(text: str, settings: SmtpSettings) -> str:
    return text.replace(settings.password, "***") if settings.password else text


def write_outbox(msg: EmailMessage, outbox: Path, stem: str) -> Path:
    """The message as `<outbox>/<stem>.eml`, written atomically; a later write of the same stem gets a suffix."""
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    target, n = outbox / f"{stem}.eml", 1
    while target.exists():
        n += 1
        target = outbox / f"{stem}-{n}.eml"
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_bytes(msg.as_bytes())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
