"""Sending documents by e-mail through the REST API and the CLI, on a server of its own
(its database has no other mail server) with the in-process mail worker, to a real SMTP
server (aiosmtpd, STARTTLS and AUTH) the tests start: the invoice reaches the customer with
its stored PDF, the outcome is on the message logged on the record, a down SMTP server
loses nothing, a 5xx is final, bad recipients are 400s naming the field, no mail server is
a 409, and the SMTP password is sealed and never shown."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import INSTANCE, Server, _free_port, fresh_database
from smtp_receiver import PASSWORD, USER, SmtpServer, certificate, free_port

from comptoir import cli
from comptoir.config import Settings
from comptoir.services import auth
from comptoir.storage.database import run_with_database
from tests.api.samples import check
from tests.api.test_sales import account, document, issue

DRAFTS, SENT = 1, 2


@dataclass
class Mailing:
    admin: httpx.Client
    url: str
    server: Server
    cert: tuple[str, str]
    database: str
    password: str


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailing]:
    folder = tmp_path_factory.mktemp("mail")
    cert = certificate(folder)
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = cert[0]  # the worker trusts the test SMTP certificate
    password = secrets.token_hex(8)
    try:
        with fresh_database(folder, "comptoir_mail") as url:
            settings = Settings(database_url=url, instance=INSTANCE, port=_free_port(),
                                webhook_worker=0, mail_retry_delays="1,2,2,2,2,2,2,2",
                                mail_timeout=5.0)
            cli.ensure_schema(settings, create=True)
            run_with_database(url, lambda db: auth.create_user(db, "admin", password,
                                                                admin=True))
            srv = Server(settings)
            srv.start()
            try:
                r = httpx.post(f"{srv.url}/{INSTANCE}/auth/v1/login",
                               data={"name": "admin", "password": password,
                                     "identifier": "mail"})
                token = check(r, 200).json()["token"]
                with httpx.Client(base_url=f"{srv.url}/{INSTANCE}/api/v1", timeout=30,
                                  headers={"Authorization": f"Bearer {token}"}) as admin:
                    yield Mailing(admin, srv.url, srv, cert, url, password)
            finally:
                srv.stop()
    finally:
        if before is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = before


def _company(admin: httpx.Client, name: str) -> int:
    return int(check(admin.put("/companies", json={"name": name, "email": "contact@exemple.fr"}),
                     201).json()["ID"])


def _mailserver(admin: httpx.Client, company: int, port: int, *, security: int = 0,
                user: str = "") -> int:
    return int(check(admin.put("/mailservers", json={
        "name": f"smtp {port}", "company": company, "serverout": "localhost", "portout": port,
        "securityout": security, "usernameout": user,
        "sender": "Ventes Exemple <ventes@exemple.fr>"}), 201).json()["ID"])


def _invoice(admin: httpx.Client, company: int, email: str = "compta@durand.fr") -> int:
    customer = account(admin, "Durand SARL", email=email)
    draft = document(admin, customer, [("2", "150", "20")], type_=3, company=company)
    return int(issue(admin, draft)["ID"])


def _until(admin: httpx.Client, message: int, done: Callable[[dict[str, Any]], bool],
           seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        found: dict[str, Any] = check(admin.get(f"/messages/{message}"), 200).json()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _content(admin: httpx.Client, entity: str, record: int, field: str) -> bytes:
    found = check(admin.get(f"/{entity}/{record}", params={"expand": field}), 200).json()
    return base64.b64decode(found[field]["content"])


def test_an_invoice_reaches_the_customer(mailing: Mailing) -> None:
    admin, port = mailing.admin, free_port()
    # given a company whose mail server speaks STARTTLS and AUTH, its password set
    firm = _company(admin, "Envoi SAS")
    server = _mailserver(admin, firm, port, security=1, user=USER)
    check(admin.put(f"/mailservers/{server}/password", json={"password": PASSWORD}), 204)
    invoice = _invoice(admin, firm)
    with SmtpServer(port, security="starttls", auth=True, cert=mailing.cert) as smtp:
        # when the invoice is sent with a copy
        r = check(admin.post(f"/transactions/{invoice}/send", json={"cc": "dg@durand.fr"}), 202)
        queued = r.json()
        assert queued["mailbox"] == DRAFTS and queued["transaction"] == invoice
        assert queued["to"] == "compta@durand.fr" and queued["cc"] == "dg@durand.fr"
        assert queued["mailserver"] == server and queued["attachments"]
        message = _until(admin, queued["ID"], lambda m: m["mailbox"] == SENT)
    # then the customer received it, with the invoice's stored PDF
    assert message["mailbox"] == SENT and message["senderror"] == "" and message["senddate"]
    [received] = smtp.received
    assert received.login == USER
    assert received.recipients == ["compta@durand.fr", "dg@durand.fr"]
    eml = received.message
    assert eml["From"] == "Ventes Exemple <ventes@exemple.fr>"
    assert eml["To"] == "compta@durand.fr" and eml["Cc"] == "dg@durand.fr"
    assert eml["Subject"] == queued["subject"] and queued["subject"]
    assert eml["Message-ID"].endswith("@exemple.fr>")
    body = eml.get_body(("plain",))
    assert body is not None and body.get_content().strip() == queued["text"].strip()
    [attachment] = list(eml.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == queued["attachments"][0]
    assert attachment.get_content() == _content(admin, "transactions", invoice, "pdf")
    # what was sent is kept, and the message is logged on the record
    assert _content(admin, "messages", queued["ID"], "binfile") == received.raw
    logged = check(admin.post("/messages", json={"fields": ["ID", "mailbox"],
                                                 "filter": {"transaction": invoice}}), 200)
    assert logged.json() == [{"ID": queued["ID"], "mailbox": SENT}]


def test_a_down_smtp_server_loses_nothing(mailing: Mailing) -> None:
    admin, port = mailing.admin, free_port()
    firm = _company(admin, "Panne SAS")
    _mailserver(admin, firm, port)
    invoice = _invoice(admin, firm)
    queued = check(admin.post(f"/transactions/{invoice}/send",
                              json={"subject": "Votre facture", "text": "Ci-joint."}), 202).json()
    waiting = _until(admin, queued["ID"], lambda m: m["senderror"] != "")
    assert waiting["mailbox"] == DRAFTS
    assert waiting["senderror"].startswith("attempt 1 failed: ConnectionRefusedError")
    with SmtpServer(port) as smtp:
        sent = _until(admin, queued["ID"], lambda m: m["mailbox"] == SENT)
    assert sent["mailbox"] == SENT and sent["senderror"] == ""
    assert [r.message["Subject"] for r in smtp.received] == ["Votre facture"]


def test_a_5xx_is_final(mailing: Mailing) -> None:
    admin, port = mailing.admin, free_port()
    firm = _company(admin, "Refus SAS")
    _mailserver(admin, firm, port)
    invoice = _invoice(admin, firm)
    with SmtpServer(port) as smtp:
        smtp.handler.reply = "554 5.7.1 Spam refused"
        queued = check(admin.post(f"/transactions/{invoice}/send", json={}), 202).json()
        failed = _until(admin, queued["ID"], lambda m: m["senderror"] != "")
    assert failed["mailbox"] == DRAFTS
    assert failed["senderror"] == "not sent (refused): 554 5.7.1 Spam refused"


@pytest.mark.parametrize(("body", "problem"), [
    ({"to": "not an address"}, "to: 'not' is not an e-mail address"),
    ({"cc": ["dg@durand.fr", "x@@durand.fr"]}, "cc: 'x@@durand.fr' is not an e-mail address"),
    ({"bcc": 3}, "bcc: must be an e-mail address or a list of them"),
    ({"subject": "a\r\nBcc: x@y.fr"}, "subject: must be one line"),
    ({"language": "de"}, "language: must be one of fr, en"),
    ({"attach": False}, "attach: unknown parameter")])
def test_bad_input_names_the_field(mailing: Mailing, body: dict[str, Any], problem: str) -> None:
    admin = mailing.admin
    firm = _company(admin, "Erreurs SAS")
    _mailserver(admin, firm, free_port())
    invoice = _invoice(admin, firm)
    before = len(check(admin.post("/messages", json={"fields": ["ID"]}), 200).json())
    r = check(admin.post(f"/transactions/{invoice}/send", json=body), 400)
    assert r.text.startswith(f"Bad Request: {problem}")
    assert len(check(admin.post("/messages", json={"fields": ["ID"]}), 200).json()) == before


def test_a_customer_without_an_address_needs_a_recipient(mailing: Mailing) -> None:
    admin = mailing.admin
    firm = _company(admin, "Sans Adresse SAS")
    _mailserver(admin, firm, free_port())
    invoice = _invoice(admin, firm, email="")
    r = check(admin.post(f"/transactions/{invoice}/send", json={}), 400)
    assert r.text.startswith("Bad Request: to: account ")


def test_no_mail_server_is_409(mailing: Mailing) -> None:
    admin = mailing.admin
    invoice = _invoice(admin, _company(admin, "Sans Serveur SAS"))
    r = check(admin.post(f"/transactions/{invoice}/send", json={}), 409)
    assert r.text.startswith("Conflict: no active mail server sends the documents of company")
    missing = check(admin.post("/transactions/999999/send", json={}), 404)
    assert missing.text.startswith("Not Found: ")


def test_the_password_is_sealed_and_never_shown(mailing: Mailing,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    admin = mailing.admin
    server = _mailserver(admin, _company(admin, "Secret SAS"), free_port(), user=USER)
    check(admin.put(f"/mailservers/{server}/password", json={"password": "s3cret-1"}), 204)
    shown = check(admin.get(f"/mailservers/{server}"), 200).json()
    assert "passwordout" not in shown
    listed = check(admin.post("/mailservers", json={"filter": {"ID": server}}), 200).json()
    assert all("passwordout" not in row for row in listed)
    r = check(admin.patch(f"/mailservers/{server}", json={"passwordout": "x"}), 400)
    assert r.text.startswith("Bad Request: passwordout: ")
    r = check(admin.put(f"/mailservers/{server}/password", json={"pass": "x"}), 400)
    assert r.text.startswith("Bad Request: pass: unknown parameter")
    r = check(admin.put(f"/mailservers/{server}/password", json={}), 400)
    assert r.text.startswith("Bad Request: password: is required")
    # the CLI reads it from stdin
    monkeypatch.setattr("sys.stdin", io.StringIO("from-the-cli\n"))
    assert cli.main(["mailserver", "password", str(server), "--database", mailing.database]) == 0


def test_the_cli_sends_a_document(mailing: Mailing, capsys: pytest.CaptureFixture[str]) -> None:
    admin, port = mailing.admin, free_port()
    firm = _company(admin, "Ligne SAS")
    _mailserver(admin, firm, port)
    invoice = _invoice(admin, firm)
    with SmtpServer(port) as smtp:
        assert cli.main(["document", "send", str(invoice), "--to", "autre@durand.fr",
                         "--database", mailing.database]) == 0
        queued = int(capsys.readouterr().out.split()[2])
        sent = _until(admin, queued, lambda m: m["mailbox"] == SENT)
    assert sent["to"] == "autre@durand.fr"
    assert [r.recipients for r in smtp.received] == [["autre@durand.fr"]]


def test_a_dunning_letter_is_sent(mailing: Mailing) -> None:
    admin, port = mailing.admin, free_port()
    firm = int(check(admin.put("/companies", json={"name": "Relance SAS", "paymentterms": 30}),
                     201).json()["ID"])
    _mailserver(admin, firm, port)
    customer = account(admin, "Retard SARL", email="compta@retard.fr")
    draft = document(admin, customer, [("1", "100", "20")], type_=3, company=firm)
    issue(admin, draft, date=(dt.date.today() - dt.timedelta(days=100)).isoformat())
    run = check(admin.post("/dunning/run", json={"company": firm}), 200).json()
    [sent_letter] = run["letters"]
    letter = sent_letter["letter"]["ID"]
    with SmtpServer(port) as smtp:
        queued = check(admin.post(f"/dunning/{letter}/send", json={}), 202).json()
        assert queued["dunning"] == letter and queued["transaction"] is None
        assert queued["to"] == "compta@retard.fr"
        sent = _until(admin, queued["ID"], lambda m: m["mailbox"] == SENT)
    assert sent["mailbox"] == SENT
    [received] = smtp.received
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_content() == _content(admin, "dunning", letter, "pdf")
