"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, with a login, refusals and TLS (STARTTLS
or implicit TLS, with a certificate from a throw-away CA) on demand."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import warnings
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    tls_version: str | None  # None: the message came in clear text


@dataclass
class _Handler:
    rejected: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        ssl_object = server.transport.get_extra_info("ssl_object")  # set after STARTTLS or implicit TLS
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg,
                                      ssl_object.version() if ssl_object else None))
        return "250 Message accepted for delivery"


class SmtpServer:
    """with SmtpServer(user="radar", password="pw", rejected={"x@y"}) as srv: ... srv.received

    tls="starttls" requires STARTTLS before anything else (and before AUTH); tls="ssl" speaks TLS from the first
    byte. The certificate for 127.0.0.1 is signed by `ca` (a trustme.CA): clients trust it only if told to."""

    def __init__(self, *, user: str | None = None, password: str | None = None, rejected: set[str] = frozenset(),
                 tls: str | None = None, ca=None):
        self.port = free_port()
        self.tls = tls
        self.handler = _Handler(set(rejected))
        self.logins: list[str] = []
        kwargs = {}
        if user is not None:
            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                    and auth_data.password.decode() == password
                self.logins.append(auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?")
                return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535 itself
            # PLAIN only: smtplib would fall back to LOGIN, whose initial response aiosmtpd does not take.
            kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": tls == "starttls",
                      "auth_exclude_mechanism": ["LOGIN"]}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1").configure_cert(context)
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:  # aiosmtpd only counts STARTTLS as TLS for AUTH; this connection is TLS from the start
                kwargs.update(ssl_context=context)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": on loopback, on purpose
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def env(self, **extra) -> dict:
        return {"RADAR_SMTP_HOST": "127.0.0.1", "RADAR_SMTP_PORT": str(self.port), "RADAR_SMTP_SECURITY": "none",
                "RADAR_SMTP_TIMEOUT": "10", **extra}

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
