"""A real SMTP server for the e-mail tests (aiosmtpd on 127.0.0.1, a free port): plain, with
AUTH, with STARTTLS or implicit TLS (a self-signed certificate for `localhost`, trusted by
the client through `SSL_CERT_FILE`), and answering what a test tells it to (`reply`)."""

from __future__ import annotations

import datetime
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "mailer", "smtp-secret-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def certificate(folder: Path) -> tuple[str, str]:
    """A self-signed certificate for `localhost` and its key: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp.pem", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    #: the answer to DATA ("250 OK", "451 4.3.0 try later", "550 5.7.1 refused")
    reply: str = "250 OK"
    #: recipients refused at RCPT (550 5.1.1)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reply.startswith("250"):
            login = session.auth_data.decode() if session.auth_data else None
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content), login))
        return self.reply


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


class SmtpServer:
    """`security`: "none", "starttls" or "tls"; `auth`: AUTH required (LOGIN/PLAIN)."""

    def __init__(self, port: int, *, security: str = "none", auth: bool = False,
                 cert: tuple[str, str] | None = None) -> None:
        self.port, self.handler = port, Handler()
        kwargs: dict[str, Any] = {}
        context = None
        if security != "none":
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        if auth:
            kwargs.update(authenticator=_authenticate, auth_required=True,
                          auth_require_tls=security == "starttls")
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=port,
            ssl_context=context if security == "tls" else None,
            server_hostname="localhost", **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
