"""The e-invoice operations of the webservice (Comptoir extensions): `einvoice_xml` of an
Invoice id, `einvoice_receive` of a base64 file, bad files as INVALID_PARAMETER."""

from __future__ import annotations

import base64
import secrets

import facturx
import httpx

from api.webservice.conftest import WsClient
from tests.api.samples import check
from tests.api.test_sales import account, document, issue
from tests.wire.einvoice_samples import supplier_xml


def test_einvoice_xml_of_an_invoice(admin: httpx.Client, ws_admin: WsClient) -> None:
    customer = account(admin, "Client Webservice")
    invoice = issue(admin, document(admin, customer, [("3", "12.5", "20")], type_=3))
    found = ws_admin.ok("einvoice_xml", id=f"7x{invoice['ID']}")
    xml = base64.b64decode(found["filecontents"])
    assert found["filetype"] == "application/xml" and found["filesize"] == len(xml)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    ubl = ws_admin.ok("einvoice_xml", id=str(invoice["ID"]), syntax="ubl")
    assert ubl["filename"].endswith(".ubl.xml")
    error = ws_admin.error("einvoice_xml", id=f"7x{invoice['ID']}", syntax="pdf")
    assert error["code"] == "INVALID_PARAMETER" and "syntax" in error["message"]


def test_einvoice_receive(admin: httpx.Client, ws_admin: WsClient) -> None:
    firm = int(check(admin.put("/companies", json={"name": "Réception SAS"}), 201).json()["ID"])
    ref = f"FV-{secrets.token_hex(4)}"
    contents = base64.b64encode(supplier_xml(**{"BT-1": ref})).decode()
    made = ws_admin.okpost("einvoice_receive", fileName=f"{ref}.xml", fileContents=contents,
                           company=str(firm))
    assert made["number"] == ref and made["account"].startswith("2x")
    assert made["record"]["transactionnum"] == ref
    again = ws_admin.error("einvoice_receive", post=True, fileName="again.xml",
                           fileContents=contents, company=str(firm))
    assert again["code"] == "DATABASE_QUERY_ERROR" and "received before" in again["message"]
    bad = ws_admin.error("einvoice_receive", post=True, fileName="x.txt",
                         fileContents=base64.b64encode(b"hello").decode())
    assert bad["code"] == "INVALID_PARAMETER" and "not a valid e-invoice" in bad["message"]
