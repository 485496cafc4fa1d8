"""E-invoicing services on a real database (SQLite, or PostgreSQL in CI): a Factur-X PDF
made by embedding gives its XML back; a received Factur-X (made by the factur-x library
from a supplier's CII XML) becomes the right draft supplier invoice, its supplier matched
by VAT number or created; bad files are refused naming why, with nothing written."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import facturx
import pytest
import sqlalchemy as sa
from lxml import etree

from comptoir.errors import BadRequestError, ComptoirError, ConflictError
from comptoir.schema.registry import ENTITIES
from comptoir.services import einvoicing, records
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Database, open_database
from comptoir.storage.tables import TABLES
from comptoir.wire import einvoice as formats
from comptoir.wire.received import parse_cii
from tests.conftest import database_with_admin
from tests.wire.einvoice_samples import (
    plain_pdf,
    sample_document,
    supplier_data,
    supplier_xml,
    totals_of,
)

ADMIN = Caller(user=1, name="admin", admin=True)
COUNTED = ("transactions", "lineitems", "accounts", "contacts", "files", "records")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("einvoicing"), "einvoicing") as url:
        async def company(db: Database) -> None:
            await records.update_record(db, ADMIN, "companies", 1, {
                "name": "Comptoir Informatique SAS", "siren": "732829320",
                "vatid": "FR44732829320"})
        run(url, company)
        yield url


def run(url: str, body: Callable[[Database], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        db = open_database(url)
        await db.open()
        try:
            return await body(db)
        finally:
            await db.close()

    return asyncio.run(go())


async def counts(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        return {name: int(await conn.scalar(sa.select(sa.func.count()).select_from(
            TABLES[name])) or 0) for name in COUNTED}


def factur_x(xml: bytes) -> bytes:
    """A supplier's Factur-X PDF, made by the factur-x library."""
    pdf: bytes = facturx.generate_from_binary(plain_pdf(), xml, flavor="factur-x",
                                              level="en16931", check_xsd=True)
    return pdf


@pytest.mark.parametrize("profile", formats.PROFILES)
def test_embed_makes_a_factur_x_pdf_whose_xml_validates(profile: str) -> None:
    document = sample_document(einvoice_profile=profile)
    pdf = einvoicing.embed(document, plain_pdf("Facture FA-2026-00042"))
    name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    root = etree.fromstring(xml)
    assert facturx.get_level(root) == formats.LEVELS[profile]
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level=formats.LEVELS[profile])
    assert parse_cii(xml).amounts.gross == document.totals.gross


def test_a_received_factur_x_becomes_a_draft_supplier_invoice(url: str) -> None:
    async def body(db: Database) -> tuple[dict[str, Any], dict[str, Any], list[Any],
                                          dict[str, Any]]:
        created = await einvoicing.receive(db, ADMIN, "FV-9001.pdf", factur_x(supplier_xml()))
        invoice = (await records.get_record(db, ADMIN, "transactions",
                                            created["transaction"]["ID"])).data
        account = (await records.get_record(db, ADMIN, "accounts", created["account"])).data
        async with db.read() as conn:
            lines = await rows.select_rows_where(conn, ENTITIES["lineitems"],
                                                 {"transaction": invoice["ID"]}, ("sequence",))
            file = await rows.select_row(conn, ENTITIES["files"], created["file"])
        assert file is not None
        return created, invoice, list(lines), {"account": account, "file": dict(file)}

    created, invoice, lines, other = run(url, body)
    # then: a draft PROCUREMENT_INVOICE with the supplier's number, dates and totals
    assert created["created_account"] is True and created["profile"] == "EN16931"
    assert (invoice["type"], invoice["status"], invoice["transactionnum"]) == (
        8, 0, "FV-9001")
    assert (invoice["netamount"], invoice["tax"], invoice["grandtotal"]) == (255, 47, 302)
    assert [(line["description"], line["quantity"], line["listprice"], line["tax1"],
             line["discountamount"]) for line in lines] == [
        ("Ramette A4", 10, 12.5, 20, None), ("Livraison et pose", 2, 50, 20, 10),
        ("Abonnement revue", 1, 40, 10, None)]
    # the supplier was created from the seller, with its VAT number
    account = other["account"]
    assert (account["lastname"], account["taxid"], account["type"], account["email"]) == (
        "Fournitures Martin SARL", "FR96552100554", 2, "factures@martin.example")
    # the original file is kept
    assert (other["file"]["filename"], other["file"]["mimetype"]) == (
        "FV-9001.pdf", "application/pdf")


def test_the_supplier_is_matched_by_vat_number_and_a_bare_xml_is_received(url: str) -> None:
    async def body(db: Database) -> tuple[int, dict[str, Any], dict[str, int], dict[str, int]]:
        supplier = await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Bureau Vallée Nantes", "type": 2, "taxid": "FR83404833048",
            "currency": "EUR"})
        data = supplier_data(**{"BT-1": "BV-77", "BG-4": {
            **supplier_data()["BG-4"], "name": "Bureau Vallée", "vat_identifier": "FR83404833048",
            "legal_identifier": "404833048"}})
        before = await counts(db)
        xml = facturx.generate_xml(data, flavor="factur-x", level="en16931",
                                   check_schematron=False)
        created = await einvoicing.receive(db, ADMIN, "bv-77.xml", xml)
        return int(supplier.data["ID"]), created, before, await counts(db)

    supplier, created, before, after = run(url, body)
    assert created["account"] == supplier and created["created_account"] is False
    assert after["accounts"] == before["accounts"] and after["contacts"] == before["contacts"]
    assert after["transactions"] == before["transactions"] + 1


def test_a_credit_note_becomes_a_supplier_credit_note(url: str) -> None:
    xml = supplier_xml(**{"BT-1": "AV-12", "BT-3": "381", "BG-3": [{"BT-25": "FV-9001"}]})
    created = run(url, lambda db: einvoicing.receive(db, ADMIN, "av-12.xml", xml))
    assert created["transaction"]["type"] == 9


def _refusal(url: str, filename: str, content: bytes) -> tuple[ComptoirError, bool]:
    async def body(db: Database) -> tuple[ComptoirError, bool]:
        before = await counts(db)
        with pytest.raises(ComptoirError) as caught:
            await einvoicing.receive(db, ADMIN, filename, content)
        return caught.value, await counts(db) == before

    result: tuple[ComptoirError, bool] = run(url, body)
    return result


@pytest.mark.parametrize(("filename", "content", "reason", "words"), [
    ("facture.txt", b"hello", "not_xml", "neither a PDF nor an XML file"),
    ("scan.pdf", b"%PDF-1.7\n broken", "not_pdf", "the PDF cannot be read"),
    ("plain.pdf", None, "no_xml", "carries no Factur-X or ZUGFeRD XML"),
    ("order.xml", b"<order/>", "not_cii", "not a CII invoice"),
    ("bad.xml", b"<a><b></a>", "not_xml", "not XML"),
])
def test_bad_files_are_refused_naming_why(url: str, filename: str, content: bytes | None,
                                          reason: str, words: str) -> None:
    error, unchanged = _refusal(url, filename, plain_pdf() if content is None else content)
    assert isinstance(error, BadRequestError)
    assert error.details["reason"] == reason and words in error.message
    assert unchanged


def test_totals_that_do_not_add_up_are_refused_with_nothing_written(url: str) -> None:
    xml = supplier_xml(**{"BT-1": "FV-BAD", "BT-112": "303.00", "BT-115": "303.00"})
    error, unchanged = _refusal(url, "bad.pdf", factur_x(xml))
    assert "BR-CO-15" in error.message and unchanged


def test_totals_our_rules_compute_otherwise_are_refused_naming_the_total(url: str) -> None:
    # an allowance put on the 10 % rate alone: we share a document discount over the rates
    xml = supplier_xml(**{
        "BT-1": "FV-ALLOW", "BG-20": [{"amount": "10.00", "vat_category_code": "S",
                                       "vat_rate": "10", "reason": "Remise"}],
        "BG-23": [{"BT-116": "30.00", "BT-117": "3.00", "BT-118": "S", "BT-119": "10"},
                  {"BT-116": "215.00", "BT-117": "43.00", "BT-118": "S", "BT-119": "20"}],
        "BT-107": "10.00", "BT-109": "245.00", "BT-110": "46.00", "BT-112": "291.00",
        "BT-115": "291.00"})
    error, unchanged = _refusal(url, "allow.xml", xml)
    assert isinstance(error, ConflictError) and error.details["code"] == "totals_differ"
    assert "(BT-110) is 46.00, we compute" in error.message and unchanged


def test_an_invoice_received_twice_is_refused(url: str) -> None:
    xml = supplier_xml(**{"BT-1": "FV-TWICE"})
    run(url, lambda db: einvoicing.receive(db, ADMIN, "twice.xml", xml))
    error, unchanged = _refusal(url, "twice-again.xml", xml)
    assert isinstance(error, ConflictError) and error.details["code"] == "already_received"
    assert "FV-TWICE" in error.message and unchanged


def test_an_invoice_to_another_company_is_refused(url: str) -> None:
    data = supplier_data(**{"BT-1": "FV-OTHER"})
    data["BG-7"] = {**data["BG-7"], "name": "Autre SA", "legal_identifier": "303265045",
                    "vat_identifier": "FR40303265045"}
    xml = facturx.generate_xml(data, flavor="factur-x", level="en16931",
                               check_schematron=False)
    error, unchanged = _refusal(url, "other.xml", xml)
    assert isinstance(error, ConflictError) and error.details["code"] == "not_addressed_to_us"
    assert unchanged


ONE_RATE = (sample_document().lines[0],)


@pytest.mark.parametrize(("profile", "lines"), [("BASIC", None), ("MINIMUM", ONE_RATE)])
def test_smaller_profiles_are_received_too(url: str, profile: str,
                                           lines: tuple[Any, ...] | None) -> None:
    changes: dict[str, Any] = {} if lines is None else {"lines": lines,
                                                        "totals": totals_of(lines)}
    document = sample_document(seller=sample_document().buyer, buyer=sample_document().seller,
                               number=f"SP-{profile}", **changes)
    xml = formats.to_cii(document, profile)
    created = run(url, lambda db: einvoicing.receive(db, ADMIN, f"{profile}.xml", xml))
    assert created["profile"] == profile
    assert created["transaction"]["grandtotal"] == float(document.totals.gross)


def test_a_minimum_invoice_with_several_rates_is_refused(url: str) -> None:
    document = sample_document(seller=sample_document().buyer, buyer=sample_document().seller,
                               number="SP-MIXED")
    error, unchanged = _refusal(url, "mixed.xml", formats.to_cii(document, "MINIMUM"))
    assert isinstance(error, ConflictError) and error.details["code"] == "no_vat_breakdown"
    assert unchanged


def test_the_original_file_can_be_read_back(url: str) -> None:
    pdf = factur_x(supplier_xml(**{"BT-1": "FV-FILE"}))

    async def body(db: Database) -> str:
        created = await einvoicing.receive(db, ADMIN, "C:\\scans\\fv-file.pdf", pdf)
        file = await records.get_record(db, ADMIN, "files", created["file"],
                                        expand=("binfile",))
        assert file.data["filename"] == "fv-file.pdf"
        return str(file.data["binfile"]["content"])

    assert base64.b64decode(run(url, body)) == pdf


def test_a_basic_wl_invoice_gives_one_line_per_vat_rate(url: str) -> None:
    data = supplier_data(**{"BT-1": "FV-BWL"})
    del data["BG-25"]
    xml = facturx.generate_xml(data, flavor="factur-x", level="basicwl",
                               check_schematron=False)

    async def body(db: Database) -> tuple[dict[str, Any], list[Any]]:
        created = await einvoicing.receive(db, ADMIN, "bwl.xml", xml)
        async with db.read() as conn:
            lines = await rows.select_rows_where(conn, ENTITIES["lineitems"], {
                "transaction": created["transaction"]["ID"]}, ("sequence",))
        return created, list(lines)

    created, lines = run(url, body)
    assert created["profile"] == "BASICWL"
    assert [(line["listprice"], line["tax1"]) for line in lines] == [(40, 10), (215, 20)]
    assert created["transaction"]["grandtotal"] == 302


def test_the_xml_of_a_draft_or_a_quote_is_refused_and_its_file_name_is_ascii() -> None:
    with pytest.raises(ConflictError, match="is a draft"):
        einvoicing.xml_of(sample_document(draft=True))
    with pytest.raises(ConflictError, match="not an invoice"):
        einvoicing.xml_of(sample_document(kind="quote", type=0))
    name, _ = einvoicing.xml_of(sample_document(number="FA/2026/Été-1"), "ubl")
    assert name == "FA_2026__t_-1.ubl.xml"
