"""The `document_pdf` operation of the webservice (a Comptoir extension): an Invoice's PDF,
the stored legal copy, as `files_retrieve` shows a file; bad ids named."""

from __future__ import annotations

import base64

import httpx

from api.webservice.conftest import WsClient
from tests.api.test_sales import account, document, issue


def test_document_pdf_of_an_invoice(admin: httpx.Client, ws_admin: WsClient) -> None:
    customer = account(admin, "Client Pdf Webservice")
    invoice = issue(admin, document(admin, customer, [("3", "12.5", "20")], type_=3))
    found = ws_admin.ok("document_pdf", id=f"7x{invoice['ID']}")
    pdf = base64.b64decode(found["filecontents"])
    assert found["filename"] == f"{invoice['transactionnum']}.pdf"
    assert found["filetype"] == "application/pdf" and found["filesize"] == len(pdf)
    assert pdf == admin.get(f"/transactions/{invoice['ID']}/pdf").content
    missing = ws_admin.error("document_pdf")
    assert missing["code"] == "MANDATORY_FIELDS_MISSING" and "id" in missing["message"]
    wrong = ws_admin.error("document_pdf", id=f"11x{customer}")
    assert wrong["code"] == "INVALID_ID_ATTRIBUTE"
    letter = ws_admin.error("document_pdf", dunning="abc")
    assert letter["code"] == "INVALID_PARAMETER" and "dunning" in letter["message"]
