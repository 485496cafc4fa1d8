"""A received e-invoice: its CII XML (any Factur-X / ZUGFeRD 2 profile) read back as a
`Received` invoice, the amounts as it states them, or refused saying why.

    parse_cii(xml)      # Received, or BadRequestError "not a valid e-invoice: ..."

The XML is parsed without DTDs, entities or network access; it must be a CII invoice that
validates against the XSD of its profile (the factur-x library's check) and whose amounts
obey EN 16931's calculation rules (`domain/einvoice.py`).  What the service makes of it:
`services/einvoicing.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from comptoir.domain import documents, einvoice
from comptoir.errors import BadRequestError
from comptoir.wire.einvoice import NS, SIREN_SCHEME, SIRET_SCHEME


def not_einvoice(reason: str, why: str) -> BadRequestError:
    """The error of a file that is not a valid e-invoice: `reason` a stable word (not_xml,
    not_cii, xsd, no_seller, totals, ...) in its details, `why` for people."""
    return BadRequestError(f"not a valid e-invoice: {why}", reason=reason)


@dataclass(frozen=True, slots=True)
class ReceivedParty:
    name: str
    vatid: str = ""
    siren: str = ""
    siret: str = ""
    email: str = ""
    address: documents.Address = documents.Address()


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    id: str
    name: str
    description: str
    itemnum: str
    quantity: Decimal
    #: UN/ECE rec. 20 (BT-130)
    unit: str
    #: net price per unit (BT-146 / BT-149)
    unit_price: Decimal
    #: the line's allowances less its charges (BG-27, BG-28)
    discount: Decimal
    #: BT-131
    net: Decimal
    category: str
    vat_rate: Decimal


@dataclass(frozen=True, slots=True)
class Received:
    """A received invoice as its CII XML states it (amounts as stated, not recomputed)."""

    profile: str
    number: str
    type_code: str
    date: dt.date
    duedate: dt.date | None
    currency: str
    seller: ReceivedParty
    buyer: ReceivedParty
    #: () when the profile carries no lines (MINIMUM, BASIC WL)
    lines: tuple[ReceivedLine, ...]
    amounts: einvoice.Amounts
    buyer_reference: str = ""
    corrects: str = ""
    payment_terms: str = ""
    iban: str = ""

    @property
    def is_credit(self) -> bool:
        return self.type_code in CREDIT_TYPE_CODES


#: BT-3 codes of a credit note (UNTDID 1001, those EN 16931 allows)
CREDIT_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "396", "420", "458", "532"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_comments=True, huge_tree=False)
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
_AGREEMENT_NS = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"


def _text(node: Any, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _number(node: Any, path: str, label: str, default: Decimal | None = None) -> Decimal:
    text = _text(node, path)
    if not text:
        if default is None:
            raise not_einvoice("missing", f"{label} is missing")
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise not_einvoice("number", f"{label}: {text[:40]!r} is not a number")
    return value


def _date(node: Any, path: str, label: str) -> dt.date | None:
    text = _text(node, path)
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise not_einvoice("date", f"{label}: {text[:40]!r} is not a date (YYYYMMDD)") from None


def _read_party(node: Any) -> ReceivedParty:
    siren = siret = vatid = ""
    for legal in node.findall("ram:SpecifiedLegalOrganization/ram:ID", NS):
        value = (legal.text or "").strip().replace(" ", "")
        scheme = legal.get("schemeID", "")
        if scheme == SIRET_SCHEME or (not scheme and len(value) == 14 and value.isdigit()):
            siret, siren = value, value[:9]
        elif scheme in (SIREN_SCHEME, "") and len(value) == 9 and value.isdigit():
            siren = value
    for global_id in node.findall("ram:GlobalID", NS):
        value = (global_id.text or "").strip().replace(" ", "")
        if global_id.get("schemeID") == SIRET_SCHEME and len(value) == 14:
            siret, siren = value, siren or value[:9]
    for tax in node.findall("ram:SpecifiedTaxRegistration/ram:ID", NS):
        if tax.get("schemeID") == "VA":
            vatid = (tax.text or "").strip().replace(" ", "").upper()
    email = _text(node, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID")
    uri = node.find("ram:URIUniversalCommunication/ram:URIID", NS)
    if not email and uri is not None and uri.get("schemeID") == "EM":
        email = (uri.text or "").strip()
    address = node.find("ram:PostalTradeAddress", NS)
    street = ("\n".join(part for part in (_text(address, f"ram:{line}") for line in
                                            ("LineOne", "LineTwo", "LineThree")) if part)
              if address is not None else "")
    return ReceivedParty(
        name=_text(node, "ram:Name"), vatid=vatid, siren=siren, siret=siret, email=email,
        address=documents.Address() if address is None else documents.Address(
            "", street, _text(address, "ram:PostcodeCode"), _text(address, "ram:CityName"),
            _text(address, "ram:CountrySubDivisionName"),
            _text(address, "ram:CountryID").upper()))


def _allowance_charges(node: Any, where: str) -> tuple[list[einvoice.Amount],
                                                      list[einvoice.Amount]]:
    allowances: list[einvoice.Amount] = []
    charges: list[einvoice.Amount] = []
    for n, entry in enumerate(node.findall("ram:SpecifiedTradeAllowanceCharge", NS), 1):
        label = f"{where} allowance or charge {n}"
        amount = _number(entry, "ram:ActualAmount", f"{label}: its amount")
        category = _text(entry, "ram:CategoryTradeTax/ram:CategoryCode")
        rate = _number(entry, "ram:CategoryTradeTax/ram:RateApplicablePercent",
                       f"{label}: its VAT rate", Decimal(0))
        charge = _text(entry, "ram:ChargeIndicator/udt:Indicator").lower() == "true"
        (charges if charge else allowances).append(einvoice.Amount(category, rate, amount))
    return allowances, charges


def _read_line(node: Any, n: int) -> ReceivedLine:
    label = f"line {n}"
    settlement = node.find("ram:SpecifiedLineTradeSettlement", NS)
    agreement = node.find("ram:SpecifiedLineTradeAgreement", NS)
    if settlement is None or agreement is None:
        raise not_einvoice("missing", f"{label}: its price or settlement is missing")
    price = _number(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount",
                    f"{label}: its net price (BT-146)")
    per = _number(agreement, "ram:NetPriceProductTradePrice/ram:BasisQuantity",
                  f"{label}: its price base quantity (BT-149)", Decimal(1))
    if per == 0:
        raise not_einvoice("number", f"{label}: its price base quantity (BT-149) is 0")
    quantity_node = node.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)
    allowances, charges = _allowance_charges(settlement, label)
    return ReceivedLine(
        id=_text(node, "ram:AssociatedDocumentLineDocument/ram:LineID") or str(n),
        name=_text(node, "ram:SpecifiedTradeProduct/ram:Name"),
        description=_text(node, "ram:SpecifiedTradeProduct/ram:Description"),
        itemnum=_text(node, "ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
        quantity=_number(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
                         f"{label}: its quantity (BT-129)"),
        unit="" if quantity_node is None else quantity_node.get("unitCode", ""),
        unit_price=price / per,
        discount=(sum((a.amount for a in allowances), Decimal(0))
                  - sum((c.amount for c in charges), Decimal(0))),
        net=_number(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/"
                    "ram:LineTotalAmount", f"{label}: its net amount (BT-131)"),
        category=_text(settlement, "ram:ApplicableTradeTax/ram:CategoryCode"),
        vat_rate=_number(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent",
                         f"{label}: its VAT rate (BT-152)", Decimal(0)))


def _vat_breakdown(settlement: Any) -> tuple[einvoice.VatRow, ...]:
    rows = []
    for n, node in enumerate(settlement.findall("ram:ApplicableTradeTax", NS), 1):
        label = f"VAT breakdown {n}"
        rows.append(einvoice.VatRow(
            _text(node, "ram:CategoryCode"),
            _number(node, "ram:RateApplicablePercent", f"{label}: its rate (BT-119)",
                    Decimal(0)),
            _number(node, "ram:BasisAmount", f"{label}: its taxable amount (BT-116)"),
            _number(node, "ram:CalculatedAmount", f"{label}: its VAT amount (BT-117)")))
    return tuple(rows)


def _tax_total(summation: Any, currency: str) -> Decimal:
    nodes = summation.findall("ram:TaxTotalAmount", NS)
    chosen = next((node for node in nodes if node.get("currencyID", currency) == currency),
                  None)
    if chosen is None:
        return Decimal(0)
    return _number(chosen, ".", "the VAT total (BT-110)")


def _amounts(root: Any, lines: tuple[ReceivedLine, ...], carries_lines: bool,
             currency: str) -> einvoice.Amounts:
    settlement = root.find(_SETTLEMENT.rstrip("/"), NS)
    summation = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    if summation is None:
        raise not_einvoice("missing", "the totals (BG-22) are missing")
    allowances, charges = _allowance_charges(settlement, "document")
    zero = Decimal(0)
    lines_net = _text(summation, "ram:LineTotalAmount")
    return einvoice.Amounts(
        lines=tuple(einvoice.Amount(line.category, line.vat_rate, line.net)
                    for line in lines) if carries_lines else None,
        allowances=tuple(allowances), charges=tuple(charges),
        vat=_vat_breakdown(settlement),
        lines_net=_number(summation, "ram:LineTotalAmount", "BT-106") if lines_net else None,
        allowance_total=_number(summation, "ram:AllowanceTotalAmount", "BT-107", zero),
        charge_total=_number(summation, "ram:ChargeTotalAmount", "BT-108", zero),
        net=_number(summation, "ram:TaxBasisTotalAmount", "the total without VAT (BT-109)"),
        tax=_tax_total(summation, currency),
        gross=_number(summation, "ram:GrandTotalAmount", "the total with VAT (BT-112)"),
        paid=_number(summation, "ram:TotalPrepaidAmount", "BT-113", zero),
        rounding=_number(summation, "ram:RoundingAmount", "BT-114", zero),
        due=_number(summation, "ram:DuePayableAmount", "the amount due (BT-115)"))


def _root(xml: bytes) -> Any:
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise not_einvoice("not_xml", f"the file is not XML ({exc})") from None
    name = etree.QName(root)
    if name.localname in ("Invoice", "CreditNote") and "oasis" in (name.namespace or ""):
        raise not_einvoice("not_cii", "a UBL invoice: only CII invoices (Factur-X, "
                           "ZUGFeRD 2, bare CII XML) are received")
    if name.namespace != NS["rsm"] or name.localname != "CrossIndustryInvoice":
        raise not_einvoice("not_cii", f"the XML is not a CII invoice (its root element is "
                           f"{name.localname[:60]!r}, not rsm:CrossIndustryInvoice)")
    return root


def _check_xsd(root: Any) -> str:
    """The Factur-X level of `root` once it validates against its XSD."""
    from facturx import get_level, xml_check_xsd

    try:
        level: str = get_level(root, "factur-x")
    except Exception:  # the library raises bare exceptions on an unknown guideline
        guideline = _text(root, "rsm:ExchangedDocumentContext/"
                          "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
        raise not_einvoice("profile", f"unknown profile (BT-24 {guideline[:100]!r})") from None
    try:
        xml_check_xsd(root, flavor="factur-x", level=level)
    except Exception as exc:  # the library raises bare exceptions
        text = str(exc)
        first = text.split("Here is the error, which may give you an idea on the cause of "
                           "the problem: ")[-1].rstrip(".")
        raise not_einvoice("xsd", f"the XML does not validate against the Factur-X "
                           f"{level} XSD: {first[:300]}") from None
    return level


def parse_cii(xml: bytes) -> Received:
    """A received CII invoice (any Factur-X / ZUGFeRD 2 profile), checked against its XSD
    and the calculation rules of EN 16931; else BadRequestError saying why it is not a
    valid e-invoice (`reason` in its details)."""
    root = _root(xml)
    level = _check_xsd(root)
    agreement = root.find(_AGREEMENT_NS.rstrip("/"), NS)
    seller_node = agreement.find("ram:SellerTradeParty", NS) if agreement is not None else None
    seller = _read_party(seller_node) if seller_node is not None else None
    if seller is None or not seller.name:
        raise not_einvoice("no_seller", "the seller (BG-4) has no name")
    buyer_node = agreement.find("ram:BuyerTradeParty", NS)
    buyer = _read_party(buyer_node) if buyer_node is not None else ReceivedParty("")
    date = _date(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
                 "the issue date (BT-2)")
    number = _text(root, "rsm:ExchangedDocument/ram:ID")
    if not number or date is None:
        raise not_einvoice("missing", "the invoice number (BT-1) or date (BT-2) is missing")
    currency = _text(root, _SETTLEMENT + "ram:InvoiceCurrencyCode").upper()
    lines = tuple(_read_line(node, n) for n, node in enumerate(
        root.findall("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
                     NS), 1))
    amounts = _amounts(root, lines, level not in ("minimum", "basicwl"), currency)
    broken = einvoice.broken_rules(amounts)
    if broken:
        raise not_einvoice("totals", "its totals do not add up: " + "; ".join(
            f"{rule.code}: {rule.message}" for rule in broken[:3]))
    return Received(
        profile=level.upper(), number=number,
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"), date=date,
        duedate=_date(root, _SETTLEMENT + "ram:SpecifiedTradePaymentTerms/"
                      "ram:DueDateDateTime/udt:DateTimeString", "the due date (BT-9)"),
        currency=currency, seller=seller, buyer=buyer, lines=lines, amounts=amounts,
        buyer_reference=_text(agreement, "ram:BuyerOrderReferencedDocument/"
                              "ram:IssuerAssignedID"),
        corrects=_text(root, _SETTLEMENT + "ram:InvoiceReferencedDocument/"
                       "ram:IssuerAssignedID"),
        payment_terms=_text(root, _SETTLEMENT + "ram:SpecifiedTradePaymentTerms/"
                            "ram:Description"),
        iban=_text(root, _SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/"
                   "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"))
