"""The e-invoice formats: our invoice as Factur-X CII in each profile and as UBL 2.1, each
valid against its XSD (the factur-x library's own check) with amounts that obey EN 16931's
rules by our checker; CII read back gives the same facts; a file that is not a valid
e-invoice is refused naming why."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from facturx import xml_check_xsd
from lxml import etree

from comptoir.domain.documents import Address
from comptoir.domain.einvoice import amounts_of, broken_rules
from comptoir.errors import BadRequestError, ConflictError
from comptoir.wire import einvoice as formats
from comptoir.wire.received import parse_cii
from tests.wire.einvoice_samples import BUYER, LINES, sample_document, supplier_xml, totals_of

D = Decimal
NS = formats.NS
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def texts(xml: bytes, path: str, ns: dict[str, str] = NS) -> list[str]:
    return [node.text for node in etree.fromstring(xml).findall(path, ns)]


@pytest.mark.parametrize("profile", formats.PROFILES)
def test_every_profile_validates_against_its_xsd(profile: str) -> None:
    xml = formats.to_cii(sample_document(), profile)
    assert xml_check_xsd(xml, flavor="factur-x", level=formats.LEVELS[profile])
    assert texts(xml, "rsm:ExchangedDocumentContext/"
                 "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        formats.GUIDELINES[profile]]


@pytest.mark.parametrize("profile", formats.PROFILES)
def test_the_xml_read_back_gives_the_same_facts(profile: str) -> None:
    document = sample_document()
    received = parse_cii(formats.to_cii(document, profile))
    assert (received.number, received.date, received.currency, received.type_code) == (
        "FA-2026-00042", document.date, "EUR", "380")
    assert (received.seller.name, received.seller.vatid, received.seller.siren) == (
        document.seller.name, "FR44732829320", "732829320")
    totals = document.totals
    amounts = received.amounts
    assert (amounts.net, amounts.tax, amounts.gross, amounts.due) == (
        totals.net, totals.tax, totals.gross, document.due)
    assert broken_rules(amounts) == []
    if profile == "MINIMUM":
        assert received.lines == () and amounts.vat == ()
        return
    assert received.duedate == document.duedate
    assert [(row.rate, row.base, row.vat) for row in amounts.vat] == [
        (row.rate, row.base, row.vat) for row in totals.vat]
    assert [(line.name, line.quantity, line.unit, line.unit_price, line.net, line.vat_rate)
            for line in received.lines] == [
        ("Audit du système d'information", D("2"), "HUR", D("100.00"), D("200.00"), D("20.00")),
        ("Câble RJ45 5 m", D("3"), "H87", D("9.99"), D("28.97"), D("20.00")),
        ("Guide de la cybersécurité", D("1"), "C62", D("30.00"), D("30.00"), D("5.50"))]
    assert received.lines[1].discount == D("1.00")
    assert received.iban == "FR7630006000011234567890189"


def test_the_en16931_xml_carries_what_the_pdf_shows() -> None:
    xml = formats.to_cii(sample_document())
    agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    assert texts(xml, agreement + "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/"
                 "ram:ID") == ["732829320"]
    assert etree.fromstring(xml).find(
        agreement + "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
        NS).get("schemeID") == "0002"
    assert texts(xml, agreement + "ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/"
                 "ram:ID") == ["FR40303265045"]
    assert texts(xml, settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == [
        "58"]
    assert texts(xml, settlement + "ram:SpecifiedTradeSettlementPaymentMeans/"
                 "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == ["AGRIFRPP"]
    assert texts(xml, settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/"
                 "udt:DateTimeString") == ["20261231"]
    # the discount is one allowance per VAT rate, the shipping a charge at the highest rate
    assert texts(xml, settlement + "ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount") == [
        "1.16", "8.84", "5.00"]
    notes = texts(xml, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
    assert any("40 €" in note for note in notes) and any("12,15 %" in note for note in notes)
    summation = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert texts(xml, summation + "ram:GrandTotalAmount") == ["300.59"]


def test_basic_and_minimum_leave_out_what_they_lack() -> None:
    basic = formats.to_cii(sample_document(), "BASIC")
    assert b"BICID" not in basic and b"DefinedTradeContact" not in basic
    assert len(texts(basic, "rsm:SupplyChainTradeTransaction/"
                     "ram:IncludedSupplyChainTradeLineItem")) == 3
    minimum = formats.to_cii(sample_document(), "MINIMUM")
    assert b"IncludedSupplyChainTradeLineItem" not in minimum
    assert b"ApplicableTradeTax" not in minimum


def test_a_rounding_amount_is_always_sent_as_en16931() -> None:
    totals = totals_of(LINES, discount_amount=D("10"), shipping=D("5"), adjustment=D("0.41"))
    document = sample_document(einvoice_profile="MINIMUM", totals=totals)
    assert formats.effective_profile(document) == "EN16931"
    received = parse_cii(formats.to_cii(document))
    assert received.amounts.rounding == D("0.41") and received.amounts.due == D("301.00")


def test_a_credit_note_names_the_invoice_it_corrects() -> None:
    credit = sample_document(kind="credit", type=4, number="AV-2026-00003",
                             corrects="FA-2026-00042", duedate=None)
    cii = formats.to_cii(credit)
    assert texts(cii, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert parse_cii(cii).corrects == "FA-2026-00042"
    ubl = formats.to_ubl(credit)
    assert xml_check_xsd(ubl, flavor="ubl-2.1-creditnote")
    assert etree.QName(etree.fromstring(ubl)).localname == "CreditNote"
    assert texts(ubl, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", UBL) == [
        "FA-2026-00042"]


def test_an_advance_invoice_is_a_prepayment_invoice() -> None:
    xml = formats.to_cii(sample_document(invoicekind=1))
    assert texts(xml, "rsm:ExchangedDocument/ram:TypeCode") == ["386"]


def test_ubl_validates_and_carries_the_same_totals() -> None:
    ubl = formats.to_ubl(sample_document())
    assert xml_check_xsd(ubl, flavor="ubl-2.1-invoice")
    assert texts(ubl, "cbc:InvoiceTypeCode", UBL) == ["380"]
    assert texts(ubl, "cac:LegalMonetaryTotal/cbc:PayableAmount", UBL) == ["300.59"]
    assert texts(ubl, "cac:TaxTotal/cbc:TaxAmount", UBL) == ["46.62"]
    assert texts(ubl, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/"
                 "cbc:CompanyID", UBL) == ["732829320"]


def test_reverse_charge_to_an_eu_business_carries_its_reason() -> None:
    germany = Address("", "Hauptstraße 1", "10115", "Berlin", "", "DE")
    lines = (replace(LINES[0], vat_rate=D(0)),)
    document = sample_document(buyer=replace(BUYER, address=germany, vatid="DE136695976",
                                             siren=""), billing=germany, lines=lines,
                               totals=totals_of(lines), vat_mention="Autoliquidation")
    for profile in formats.PROFILES[:2]:
        xml = formats.to_cii(document, profile)
        settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
        assert texts(xml, settlement + "ram:ApplicableTradeTax/ram:CategoryCode") == ["AE"]
        assert texts(xml, settlement + "ram:ApplicableTradeTax/ram:ExemptionReason") == [
            "Autoliquidation"]
    assert broken_rules(amounts_of(document)) == []
    assert xml_check_xsd(formats.to_ubl(document), flavor="ubl-2.1-invoice")


@pytest.mark.parametrize(("unit", "code"), [("h", "HUR"), ("pce", "H87"), ("kg", "KGM"),
                                            ("", "C62"), ("zorglub", "C62"), ("KGM", "KGM"),
                                            ("Jours", "DAY"), ("m²", "MTK")])
def test_units_are_un_ece_rec_20_codes(unit: str, code: str) -> None:
    assert formats.unit_code(unit) == code


def _refused(xml: bytes) -> BadRequestError:
    with pytest.raises(BadRequestError) as caught:
        parse_cii(xml)
    return caught.value


@pytest.mark.parametrize(("xml", "reason", "words"), [
    (b"%PDF-1.7 not xml", "not_xml", "not XML"),
    (b"<order><id>1</id></order>", "not_cii", "not a CII invoice"),
    (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "not_cii",
     "UBL"),
    (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "not_cii",
     "not a CII invoice"),
])
def test_a_file_that_is_not_cii_is_refused_saying_why(xml: bytes, reason: str,
                                                      words: str) -> None:
    error = _refused(xml)
    assert error.details["reason"] == reason and words in error.message
    assert "root:" not in error.message  # no external entity was read


def test_an_xml_that_fails_the_xsd_gives_the_first_message() -> None:
    xml = supplier_xml().replace(b"<ram:TypeCode>380</ram:TypeCode>", b"", 1)
    error = _refused(xml)
    assert error.details["reason"] == "xsd"
    assert "en16931 XSD" in error.message and "TypeCode" in error.message


def test_an_invoice_without_a_seller_name_is_refused() -> None:
    xml = supplier_xml().replace(b"<ram:Name>Fournitures Martin SARL</ram:Name>",
                                 b"<ram:Name></ram:Name>")
    error = _refused(xml)
    assert error.details["reason"] == "no_seller" and "seller (BG-4)" in error.message


def test_totals_that_do_not_add_up_are_refused_naming_the_rule() -> None:
    xml = supplier_xml().replace(b"<ram:GrandTotalAmount>302.00</ram:GrandTotalAmount>",
                                 b"<ram:GrandTotalAmount>320.00</ram:GrandTotalAmount>")
    error = _refused(xml)
    assert error.details["reason"] == "totals"
    assert "BR-CO-15: the total with VAT (BT-112) is 320.00, the rule gives 302.00" in (
        error.message)


def test_a_document_that_cannot_make_a_valid_e_invoice_is_a_conflict() -> None:
    with pytest.raises(ConflictError) as caught:
        formats.to_cii(sample_document(currency="ZZZ"))
    assert caught.value.details["code"] == "einvoice_invalid"
    assert "FA-2026-00042 cannot be made" in caught.value.message
