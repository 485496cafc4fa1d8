"""E-invoice formats: a `Document` as Factur-X CII XML (profiles EN16931, BASIC and
MINIMUM) and as UBL 2.1 (a received CII XML is read by `wire/received.py`).

    to_cii(document)                 # bytes, the company's profile
    to_ubl(document)                 # bytes, an Invoice or a CreditNote

EN16931 and UBL are made by the `factur-x` library (`facturx.generate_xml`, from a dict
keyed by the norm's BT-/BG- numbers: `data_of`), checked against their XSD.  The library
does not make BASIC and MINIMUM: they are derived from the EN16931 tree, BASIC by leaving
out what it lacks (seller contact, BIC, rounding amount, the item's seller id and
description), MINIMUM by keeping only the header facts it has (no lines).  A document with
a rounding amount (BT-114) is always sent as EN16931: the smaller profiles cannot carry
it, and its amount due would not add up.  Business rules (VAT categories, totals) are in
`domain/einvoice.py`; a format here only writes them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from comptoir.domain import documents, einvoice, money
from comptoir.domain.documents import Document
from comptoir.errors import ConflictError

PROFILES = ("EN16931", "BASIC", "MINIMUM")
#: BT-24, the specification identifier of each profile (Factur-X 1.0.07)
GUIDELINES = {
    "EN16931": "urn:cen.eu:en16931:2017",
    "BASIC": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "MINIMUM": "urn:factur-x.eu:1p0:minimum",
}
PROFILE_OF_GUIDELINE = {guideline: profile for profile, guideline in GUIDELINES.items()}
#: the `level` argument of the factur-x library per profile
LEVELS = {"EN16931": "en16931", "BASIC": "basic", "MINIMUM": "minimum"}
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
#: BT-3 (UNTDID 1001): commercial invoice, credit note, prepayment (advance) invoice
INVOICE, CREDIT_NOTE, PREPAYMENT_INVOICE = "380", "381", "386"
ADVANCE = 1
#: our free units -> UN/ECE recommendation 20 (BT-130); C62 ("one") when unknown
UNIT_CODES = {
    "h": "HUR", "hr": "HUR", "heure": "HUR", "heures": "HUR", "hour": "HUR", "hours": "HUR",
    "min": "MIN", "j": "DAY", "jour": "DAY", "jours": "DAY", "day": "DAY", "days": "DAY",
    "sem": "WEE", "semaine": "WEE", "week": "WEE", "mois": "MON", "month": "MON",
    "an": "ANN", "année": "ANN", "year": "ANN",
    "pce": "H87", "pc": "H87", "pcs": "H87", "pièce": "H87", "piece": "H87", "pièces": "H87",
    "u": "C62", "un": "C62", "unité": "C62", "unit": "C62", "ea": "C62",
    "kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR", "cl": "CLT", "ml": "MLT",
    "m": "MTR", "cm": "CMT", "mm": "MMT", "km": "KMT", "m2": "MTK", "m²": "MTK",
    "m3": "MTQ", "m³": "MTQ", "kwh": "KWH", "forfait": "LS", "lot": "LS",
}
DEFAULT_UNIT = "C62"
#: countries of the SEPA scheme (a credit transfer there is payment means 58)
SEPA_COUNTRIES = einvoice.EU_COUNTRIES | frozenset(
    ["IS", "LI", "NO", "CH", "GB", "MC", "SM", "VA", "AD", "AL", "MD", "ME", "MK", "RS"])
#: BT-21 subject codes of the mandatory French mentions (UNTDID 4451)
NOTE_CODES = ("PMD", "PMT", "AAB")
SIREN_SCHEME, SIRET_SCHEME = "0002", "0009"


def unit_code(unit: str) -> str:
    """The UN/ECE rec. 20 code of one of our units (an already coded unit is kept)."""
    key = unit.strip().lower().rstrip(".")
    if key in UNIT_CODES:
        return UNIT_CODES[key]
    return unit.strip().upper() if re.fullmatch(r"[A-Z0-9]{2,3}", unit.strip()) else DEFAULT_UNIT


def type_code(document: Document) -> str:
    if document.is_credit:
        return CREDIT_NOTE
    # an advance invoice (acompte) is a prepayment invoice, UNTDID 1001 code 386
    return PREPAYMENT_INVOICE if document.invoicekind == ADVANCE else INVOICE


def effective_profile(document: Document) -> str:
    """The profile the document is sent in: the company's, EN16931 with a rounding amount."""
    profile = document.einvoice_profile if document.einvoice_profile in PROFILES else "EN16931"
    return "EN16931" if document.totals.adjustment != 0 else profile


def _money(value: Decimal) -> str:
    return f"{money.round_money(value):f}"


def _decimal(value: Decimal, places: int = 2) -> str:
    """A price, quantity or rate: at least `places` decimals, no trailing zeros beyond."""
    value = value.normalize() if value != 0 else Decimal(0)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return f"{value:f}"


def _party(party: documents.Party, address: documents.Address, *, country: str,
           contact: bool = False) -> dict[str, Any]:
    street = [line for line in address.street.splitlines() if line.strip()]
    data: dict[str, Any] = {
        "name": party.name or address.recipient or "-",
        "country_code": (address.country or country).upper(),
        **({"city": address.city} if address.city else {}),
        **({"postcode": address.postalcode} if address.postalcode else {}),
        **{f"addr_l{n}": line for n, line in enumerate(street[:3], 1)},
        **({"country_subdivision": address.region} if address.region else {}),
    }
    if party.siren:
        data.update(legal_identifier=party.siren, legal_identifier_schemeid=SIREN_SCHEME)
    if party.siret:
        data["identifiers"] = {SIRET_SCHEME: party.siret}
    if party.vatid:
        data["vat_identifier"] = party.vatid
    if contact and (party.email or party.phone):
        data["contacts"] = [{**({"email": party.email} if party.email else {}),
                             **({"phone": party.phone} if party.phone else {})}]
    return data


def _line(document: Document, n: int, line: documents.Line) -> dict[str, Any]:
    category = einvoice.vat_category(document, line.vat_rate)
    data: dict[str, Any] = {
        "BT-126": str(n), "BT-153": line.name or line.description or "-",
        "BT-129": _decimal(line.quantity, 0), "BT-130": unit_code(line.unit),
        "BT-131": _money(line.net), "BT-146": _decimal(line.unit_price),
        "BT-151": category.code, "BT-152": _decimal(line.vat_rate),
    }
    if line.description and line.description != line.name:
        data["BT-154"] = line.description
    if line.itemnum:
        data["BT-155"] = line.itemnum
    if line.comment:
        data["BT-127-00"] = [{"BT-127": line.comment}]
    if line.discount != 0:
        data["BG-27"] = [{"amount": _money(line.discount), "reason": "Remise",
                          "reason_code": "95"}]
    return data


def _vat_rows(document: Document) -> list[dict[str, Any]]:
    rows = []
    for row in document.totals.vat:
        category = einvoice.vat_category(document, row.rate)
        rows.append({"BT-116": _money(row.base), "BT-117": _money(row.vat),
                     "BT-118": category.code, "BT-119": _decimal(row.rate),
                     **({"BT-120": category.reason} if category.reason else {}),
                     **({"BT-121": category.reason_code} if category.reason_code else {})})
    return rows


def _allowances_charges(document: Document) -> dict[str, Any]:
    data: dict[str, Any] = {}
    allowances = []
    for rate, share in einvoice.allowance_shares(document).items():
        allowances.append({"amount": _money(share), "reason": "Remise", "reason_code": "95",
                           "vat_category_code": einvoice.vat_category(document, rate).code,
                           "vat_rate": _decimal(rate)})
    if allowances:
        data["BG-20"] = allowances
    charge_rate = einvoice.shipping_rate(document)
    if charge_rate is not None:
        data["BG-21"] = [{"amount": _money(document.totals.shipping),
                          "reason": "Frais de port", "reason_code": "FC",
                          "vat_category_code": einvoice.vat_category(document,
                                                                     charge_rate).code,
                          "vat_rate": _decimal(charge_rate)}]
    return data


def _payment(document: Document) -> dict[str, Any]:
    seller = document.seller
    data: dict[str, Any] = {"BT-83": document.number}
    if seller.iban:
        iban = seller.iban.replace(" ", "").upper()
        # 58: SEPA credit transfer; 30: a credit transfer outside SEPA
        data["BT-81"] = "58" if iban[:2] in SEPA_COUNTRIES else "30"
        data["BT-84"] = iban
        if seller.bic:
            data["BT-86"] = seller.bic.replace(" ", "").upper()
    terms = (f"Paiement à {document.terms_days} jours" if document.terms_days
             else "Paiement à réception")
    if document.duedate is not None:
        terms += f", au plus tard le {document.duedate.strftime('%d/%m/%Y')}"
    data["BT-20"] = terms + "."
    return data


def data_of(document: Document) -> dict[str, Any]:
    """The dict of EN 16931 fields `facturx.generate_xml` makes an EN16931 CII or UBL
    from (a new dict each call: the library changes the one it is given)."""
    totals = document.totals
    seller_country = (document.seller.address.country or "FR").upper()
    billing = document.billing if document.billing.lines else document.buyer.address
    shipping = document.shipping if document.shipping.lines else billing
    notes = documents.mentions(document)
    data: dict[str, Any] = {
        "BT-1": document.number, "BT-2": document.date, "BT-3": type_code(document),
        "BT-5": document.currency or "EUR",
        "BG-1": [{"BT-22": text, **({"BT-21": NOTE_CODES[n]} if n < len(NOTE_CODES) else {})}
                 for n, text in enumerate(notes)],
        "BG-4": _party(document.seller, document.seller.address, country="FR", contact=True),
        "BG-7": _party(document.buyer, billing, country=seller_country),
        "BG-13": {"name": shipping.recipient or document.buyer.name or "-",
                  **{key: value for key, value in
                     _party(documents.Party(name=""), shipping,
                            country=seller_country).items() if key != "name"}},
        "BG-23": _vat_rows(document),
        "BG-25": [_line(document, n, line) for n, line in enumerate(document.lines, 1)],
        "BT-106": _money(totals.lines_net), "BT-107": _money(totals.discount),
        "BT-108": _money(totals.shipping), "BT-109": _money(totals.net),
        "BT-110": _money(totals.tax), "BT-112": _money(totals.gross),
        "BT-113": _money(document.paid), "BT-114": _money(totals.adjustment),
        "BT-115": _money(document.due),
        **_allowances_charges(document), **_payment(document),
    }
    if document.duedate is not None:
        data["BT-9"] = document.duedate
    if document.deliverydate is not None:
        data["BT-72"] = document.deliverydate
    if document.buyer_reference:
        data["BT-13"] = document.buyer_reference
    if document.corrects:
        data["BG-3"] = [{"BT-25": document.corrects}]
    return data


def _unmakeable(document: Document, exc: Exception) -> ConflictError:
    text = str(exc).split("Here is the error, which may give you an idea on the cause of "
                          "the problem: ")[-1]
    return ConflictError(f"the e-invoice of {document.number} cannot be made: "
                         f"{text[:300]}", code="einvoice_invalid")


def _generate(document: Document, flavor: str) -> bytes:
    # imported here: the factur-x library loads its XSDs and schematrons lazily but is big
    from facturx import generate_xml

    try:
        xml: bytes = generate_xml(data_of(document), flavor=flavor, level="en16931",
                                  check_xsd=True, check_schematron=False)
    except Exception as exc:  # the library raises ValueError, and bare Exception (XSD)
        raise _unmakeable(document, exc) from None
    return xml


def _path(element: Any) -> str:
    names = []
    while element is not None:
        names.append(etree.QName(element).localname)
        element = element.getparent()
    return "/".join(reversed(names[:-1]))


#: what BASIC lacks of what we write in EN16931 (paths below the root)
BASIC_LEFT_OUT = frozenset({
    "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/SellerTradeParty/"
    "DefinedTradeContact",
    "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/"
    "SpecifiedTradeSettlementPaymentMeans/PayeeSpecifiedCreditorFinancialInstitution",
    "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/"
    "SpecifiedTradeSettlementHeaderMonetarySummation/RoundingAmount",
    "SupplyChainTradeTransaction/IncludedSupplyChainTradeLineItem/SpecifiedTradeProduct/"
    "Description",
    "SupplyChainTradeTransaction/IncludedSupplyChainTradeLineItem/SpecifiedTradeProduct/"
    "SellerAssignedID",
})
_AGREEMENT = "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/"
_SUMMATION = ("SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/"
              "SpecifiedTradeSettlementHeaderMonetarySummation/")
#: all MINIMUM has (paths below the root; their ancestors are kept too)
MINIMUM_KEPT = frozenset({
    "ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID",
    "ExchangedDocument/ID", "ExchangedDocument/TypeCode",
    "ExchangedDocument/IssueDateTime/DateTimeString",
    _AGREEMENT + "BuyerReference",
    _AGREEMENT + "SellerTradeParty/Name",
    _AGREEMENT + "SellerTradeParty/SpecifiedLegalOrganization/ID",
    _AGREEMENT + "SellerTradeParty/PostalTradeAddress/CountryID",
    _AGREEMENT + "SellerTradeParty/SpecifiedTaxRegistration/ID",
    _AGREEMENT + "BuyerTradeParty/Name",
    _AGREEMENT + "BuyerTradeParty/SpecifiedLegalOrganization/ID",
    _AGREEMENT + "BuyerOrderReferencedDocument/IssuerAssignedID",
    "SupplyChainTradeTransaction/ApplicableHeaderTradeDelivery",
    "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/InvoiceCurrencyCode",
    _SUMMATION + "TaxBasisTotalAmount", _SUMMATION + "TaxTotalAmount",
    _SUMMATION + "GrandTotalAmount", _SUMMATION + "DuePayableAmount",
})
_MINIMUM_PREFIXES = frozenset(
    "/".join(path.split("/")[:n]) for path in MINIMUM_KEPT
    for n in range(1, path.count("/") + 2))


def _derive(xml: bytes, profile: str) -> bytes:
    root = etree.fromstring(xml)
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        path = _path(element)
        keep = (path not in BASIC_LEFT_OUT if profile == "BASIC"
                else path in _MINIMUM_PREFIXES)
        if not keep and element.getparent() is not None:
            element.getparent().remove(element)
    for element in root.iter():
        element.tail = None
        if element.text is not None and not element.text.strip():
            element.text = None
    guideline = root.find("rsm:ExchangedDocumentContext/"
                          "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", NS)
    guideline.text = GUIDELINES[profile]
    etree.indent(root)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def to_cii(document: Document, profile: str | None = None) -> bytes:
    """The Factur-X CII XML of `document` in `profile` (default: `effective_profile`),
    checked against its XSD; ConflictError einvoice_invalid when the document cannot make
    a valid one (a currency ISO 4217 does not know)."""
    profile = profile or effective_profile(document)
    if profile not in PROFILES:
        raise ValueError(f"unknown Factur-X profile {profile!r}")
    xml = _generate(document, "factur-x")
    if profile == "EN16931":
        return xml
    derived = _derive(xml, profile)
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(derived, flavor="factur-x", level=LEVELS[profile])
    except Exception as exc:  # the library raises bare Exception
        raise _unmakeable(document, exc) from None
    return derived


def to_ubl(document: Document) -> bytes:
    """The UBL 2.1 Invoice (or CreditNote, BT-3 381) of `document`, EN 16931 (Peppol's
    base), checked against the UBL XSD."""
    return _generate(document, "ubl-2.1")
