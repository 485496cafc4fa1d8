"""The e-invoice doors of the REST API and the CLI: an issued invoice's Factur-X CII and
UBL XML (valid against their XSD), drafts and quotes refused, a supplier's Factur-X PDF,
bare XML or JSON-wrapped file received as a draft supplier invoice, bad files 400s naming
why, duplicates 409s.  Real server, real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

import facturx
import httpx
import pytest
from conftest import run_cli

from tests.api.samples import check
from tests.api.test_sales import account, document, issue
from tests.wire.einvoice_samples import plain_pdf, supplier_xml


def number() -> str:
    return f"FV-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def firm(admin: httpx.Client) -> int:
    """A company with its identifiers, bank account and the EN16931 profile."""
    made = check(admin.put("/companies", json={
        "name": "Comptoir Informatique SAS", "siren": "732829320", "vatid": "FR44732829320",
        "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP", "address": "1 rue Garibaldi",
        "postalcode": "69006", "city": "Lyon", "country": "FR"}), 201)
    return int(made.json()["ID"])


@pytest.fixture(scope="module")
def issued(admin: httpx.Client, firm: int) -> dict[str, Any]:
    customer = account(admin, "Cabinet Dupont", taxid="FR40303265045")
    draft = document(admin, customer, [("2", "100", "20"), ("1", "30", "5.5")], type_=3,
                     company=firm, shippingamount=5)
    return issue(admin, draft)


def test_the_factur_x_xml_of_an_issued_invoice(admin: httpx.Client,
                                               issued: dict[str, Any]) -> None:
    r = check(admin.get(f"/transactions/{issued['ID']}/facturx"), 200)
    assert r.headers["content-type"] == "application/xml"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="{issued["transactionnum"]}.factur-x.xml"')
    assert facturx.xml_check_xsd(r.content, flavor="factur-x", level="en16931")
    assert f"<ram:ID>{issued['transactionnum']}</ram:ID>".encode() in r.content
    assert f"<ram:GrandTotalAmount>{issued['grandtotal']:.2f}".encode() in r.content


def test_the_ubl_xml_of_an_issued_invoice(admin: httpx.Client, issued: dict[str, Any]) -> None:
    r = check(admin.get(f"/transactions/{issued['ID']}/facturx", params={"syntax": "ubl"}),
              200)
    assert facturx.xml_check_xsd(r.content, flavor="ubl-2.1-invoice")
    assert b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>" in r.content


def test_an_invoice_of_a_company_without_identifiers_still_validates(
        admin: httpx.Client) -> None:
    bare = int(check(admin.put("/companies", json={"name": "Sans Identité"}), 201).json()["ID"])
    customer = account(admin, "Client Anonyme")
    invoice = issue(admin, document(admin, customer, [("1", "10", "20")], type_=3,
                                    company=bare))
    r = check(admin.get(f"/transactions/{invoice['ID']}/facturx"), 200)
    assert facturx.xml_check_xsd(r.content, flavor="factur-x", level="en16931")


def test_drafts_quotes_and_bad_syntax_have_no_e_invoice(admin: httpx.Client,
                                                        issued: dict[str, Any]) -> None:
    customer = account(admin, "Brouillon SARL")
    draft = document(admin, customer, [("1", "10", "20")], type_=3)
    r = check(admin.get(f"/transactions/{draft}/facturx"), 409)
    assert "is a draft" in r.text
    quote = document(admin, customer, [("1", "10", "20")], type_=0)
    assert "not an invoice" in check(admin.get(f"/transactions/{quote}/facturx"), 409).text
    r = check(admin.get(f"/transactions/{issued['ID']}/facturx", params={"syntax": "pdf"}),
              400)
    assert r.text.startswith("Bad Request: syntax:")
    check(admin.get("/transactions/999999999/facturx"), 404)


def test_a_factur_x_pdf_is_received_as_a_draft_supplier_invoice(admin: httpx.Client,
                                                                 firm: int) -> None:
    ref = number()
    pdf = facturx.generate_from_binary(plain_pdf(), supplier_xml(**{"BT-1": ref}),
                                       flavor="factur-x", level="en16931")
    r = check(admin.post("/transactions/receive", content=pdf,
                         params={"filename": f"{ref}.pdf", "company": firm},
                         headers={"Content-Type": "application/pdf"}), 201)
    made = r.json()
    invoice = made["transaction"]
    assert (invoice["type"], invoice["status"], invoice["transactionnum"]) == (
        8, 0, ref)
    assert (invoice["company"], invoice["grandtotal"], made["number"]) == (firm, 302, ref)
    supplier = check(admin.get(f"/accounts/{made['account']}"), 200).json()
    assert supplier["taxid"] == "FR96552100554"
    # then: the same file again is a duplicate
    again = check(admin.post("/transactions/receive", content=pdf,
                             params={"company": firm},
                             headers={"Content-Type": "application/pdf"}), 409)
    assert "received before" in again.text


def test_a_bare_xml_and_a_json_wrapped_file_are_received(admin: httpx.Client,
                                                         firm: int) -> None:
    first, second = number(), number()
    r = check(admin.post("/transactions/receive", content=supplier_xml(**{"BT-1": first}),
                         params={"company": firm},
                         headers={"Content-Type": "application/xml"}), 201)
    assert r.json()["transaction"]["transactionnum"] == first
    content = base64.b64encode(supplier_xml(**{"BT-1": second})).decode()
    r = check(admin.post("/transactions/receive", json={
        "filename": "fv.xml", "content": content, "company": firm}), 201)
    assert r.json()["transaction"]["transactionnum"] == second
    assert r.json()["created_account"] is False  # matched by VAT number


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"content": b"hello", "headers": {"Content-Type": "application/pdf"}},
     "neither a PDF nor an XML file"),
    ({"content": b"<order/>", "headers": {"Content-Type": "application/xml"}},
     "not a CII invoice"),
    ({"json": {"content": "%%%"}}, "content: is not valid base64"),
    ({"json": {"filename": "a.xml"}}, "content: is required"),
    ({"json": {"content": "PGEvPg==", "colour": 1}}, "colour: is not a field"),
    ({"json": {"content": "PGEvPg==", "company": "x"}}, "company: must be a company ID"),
    ({"content": b"a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
     "body: must be the PDF or XML file"),
])
def test_bad_bodies_are_400s_naming_why(admin: httpx.Client, kwargs: dict[str, Any],
                                        words: str) -> None:
    r = check(admin.post("/transactions/receive", **kwargs), 400)
    assert r.text.startswith("Bad Request: ") and words in r.text


def test_a_pdf_without_xml_is_refused(admin: httpx.Client) -> None:
    r = check(admin.post("/transactions/receive", content=plain_pdf(),
                         headers={"Content-Type": "application/pdf"}), 400)
    assert "carries no Factur-X or ZUGFeRD XML" in r.text


def test_a_reader_may_not_receive(reader: httpx.Client) -> None:
    check(reader.post("/transactions/receive", content=supplier_xml(),
                      headers={"Content-Type": "application/xml"}), 403)


def test_the_cli_writes_the_xml_and_receives_a_file(database_url: str, admin: httpx.Client,
                                                    issued: dict[str, Any], firm: int,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "invoice.xml"
    run_cli(database_url, "document", "facturx", str(issued["ID"]), "-o", str(out))
    assert facturx.xml_check_xsd(out.read_bytes(), flavor="factur-x", level="en16931")
    run_cli(database_url, "document", "facturx", str(issued["ID"]), "--ubl", "-o",
            str(tmp_path / "invoice.ubl.xml"))
    assert facturx.xml_check_xsd((tmp_path / "invoice.ubl.xml").read_bytes(),
                                 flavor="ubl-2.1-invoice")
    ref = number()
    source = tmp_path / f"{ref}.xml"
    source.write_bytes(supplier_xml(**{"BT-1": ref}))
    capsys.readouterr()
    run_cli(database_url, "document", "receive", str(source), "--company", str(firm))
    printed = capsys.readouterr().out
    assert f"received {ref} (EN16931) as draft" in printed and "total 302" in printed
