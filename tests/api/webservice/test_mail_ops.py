"""`send_document` (a Comptoir extension of the webservice): an Invoice id is queued by
e-mail and reaches the SMTP server (aiosmtpd, started here); bad recipients are
INVALID_PARAMETER naming the field, a non-document id is refused."""

from __future__ import annotations

import time
from typing import Any

import httpx
from smtp_receiver import SmtpServer, free_port

from api.webservice.conftest import WsClient
from tests.api.samples import check
from tests.api.test_sales import account, document, issue


def _sent(admin: httpx.Client, message: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        found: dict[str, Any] = check(admin.get(f"/messages/{message}"), 200).json()
        if found["mailbox"] == 2 or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_send_document_of_an_invoice(admin: httpx.Client, ws_admin: WsClient) -> None:
    port = free_port()
    firm = int(check(admin.put("/companies", json={"name": "Webservice Envoi SAS"}),
                     201).json()["ID"])
    check(admin.put("/mailservers", json={
        "name": "ws smtp", "company": firm, "serverout": "localhost", "portout": port,
        "securityout": 0, "sender": "Factures <factures@exemple.fr>"}), 201)
    customer = account(admin, "Client Mail WS", email="client@ws.fr")
    invoice = issue(admin, document(admin, customer, [("1", "80", "20")], type_=3,
                                    company=firm))
    error = ws_admin.error("send_document", post=True, id=f"7x{invoice['ID']}",
                           element='{"to": "nobody"}')
    assert error["code"] == "INVALID_PARAMETER" and error["message"].startswith("to: ")
    error = ws_admin.error("send_document", post=True, id=f"11x{customer}")
    assert error["code"] == "INVALID_ID_ATTRIBUTE"
    with SmtpServer(port) as smtp:
        queued = ws_admin.okpost("send_document", id=f"7x{invoice['ID']}",
                                 element='{"subject": "Votre facture"}')
        assert queued["transaction"] == invoice["ID"] and queued["mailbox"] == 1
        sent = _sent(admin, queued["ID"])
    assert sent["mailbox"] == 2
    assert [r.message["Subject"] for r in smtp.received] == ["Votre facture"]
    assert [r.recipients for r in smtp.received] == [["client@ws.fr"]]
