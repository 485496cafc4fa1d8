"""Documents and CII XML for the e-invoice tests: one of our invoices built in memory (no
database), and a supplier's CII XML made by the factur-x library from its own data dict,
independently of our writer."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import warnings
from dataclasses import replace
from decimal import Decimal
from typing import Any

from comptoir.domain import money
from comptoir.domain.documents import Address, Document, Line, Party

D = Decimal
SELLER = Party("Comptoir Informatique SAS", Address("", "1 rue de la République", "69001",
                                                    "Lyon", "", "FR"),
               siren="732829320", siret="73282932000074", vatid="FR44732829320",
               email="compta@comptoir.example", phone="+33 4 72 00 00 00",
               iban="FR7630006000011234567890189", bic="AGRIFRPP")
BUYER = Party("Cabinet Dupont SARL", Address("", "2 avenue de l'Opéra", "75001", "Paris", "",
                                             "FR"), siren="303265045", vatid="FR40303265045")
LINES = (
    Line(1, "Audit du système d'information", "Deux jours sur site", "SRV-AUDIT", D("2"), "h",
         D("100"), D("0"), D("200.00"), D("20")),
    Line(2, "Câble RJ45 5 m", "", "CAB-5", D("3"), "pce", D("9.99"), D("1.00"), D("28.97"),
         D("20")),
    Line(3, "Guide de la cybersécurité", "", "LIV-1", D("1"), "", D("30"), D("0"), D("30.00"),
         D("5.5")),
)


def totals_of(lines: tuple[Line, ...], **options: Any) -> money.DocumentTotals:
    return money.document_totals(
        [money.SaleLine(line.quantity, line.unit_price, line.vat_rate, None, line.discount)
         for line in lines], **options)


def sample_document(**changes: Any) -> Document:
    """An issued invoice with a line discount, a document discount, shipping and two VAT
    rates; `changes` replace its fields (give `totals` with new `lines`)."""
    lines = changes.pop("lines", LINES)
    totals = changes.pop("totals", None) or totals_of(
        lines, discount_amount=D("10"), shipping=D("5"))
    paid = changes.pop("paid", D(0))
    document = Document(
        id=1, kind="invoice", type=3, number="FA-2026-00042", draft=False,
        date=dt.date(2026, 12, 1), duedate=dt.date(2026, 12, 31),
        deliverydate=dt.date(2026, 11, 30), currency="EUR", subject="Audit",
        buyer_reference="BC-2026-7", seller=SELLER, buyer=BUYER, billing=BUYER.address,
        shipping=Address(), lines=lines, totals=totals, paid=paid, due=totals.total - paid,
        terms_days=30, penalty_rate=D("12.15"), vat_mention="", company=1)
    return replace(document, **changes)


def supplier_data(**changes: Any) -> dict[str, Any]:
    """A supplier's EN16931 invoice as a factur-x library data dict: 2 lines at 20 % and
    one at 10 %, to the buyer `BUYER`-like company given by the test."""
    data: dict[str, Any] = {
        "BT-1": "FV-9001", "BT-2": dt.date(2026, 11, 20), "BT-3": "380", "BT-5": "EUR",
        "BT-9": dt.date(2026, 12, 20), "BT-20": "30 jours fin de mois",
        "BG-4": {"name": "Fournitures Martin SARL", "legal_identifier": "552100554",
                 "legal_identifier_schemeid": "0002", "vat_identifier": "FR96552100554",
                 "country_code": "FR", "city": "Nantes", "postcode": "44000",
                 "addr_l1": "5 quai de la Fosse",
                 "contacts": [{"email": "factures@martin.example"}]},
        "BG-7": {"name": "Comptoir Informatique SAS", "legal_identifier": "732829320",
                 "legal_identifier_schemeid": "0002", "vat_identifier": "FR44732829320",
                 "country_code": "FR"},
        "BG-13": {"name": "Comptoir Informatique SAS", "country_code": "FR"},
        "BT-81": "58", "BT-84": "FR7630004000031234567890143",
        "BG-25": [
            {"BT-126": "1", "BT-129": "10", "BT-130": "H87", "BT-131": "125.00",
             "BT-146": "12.50", "BT-151": "S", "BT-152": "20", "BT-153": "Ramette A4"},
            {"BT-126": "2", "BT-129": "2", "BT-130": "HUR", "BT-131": "90.00",
             "BT-146": "50", "BT-151": "S", "BT-152": "20", "BT-153": "Livraison et pose",
             "BG-27": [{"amount": "10.00", "reason": "Remise"}]},
            {"BT-126": "3", "BT-129": "1", "BT-130": "C62", "BT-131": "40.00",
             "BT-146": "40", "BT-151": "S", "BT-152": "10", "BT-153": "Abonnement revue"},
        ],
        "BG-23": [{"BT-116": "40.00", "BT-117": "4.00", "BT-118": "S", "BT-119": "10"},
                  {"BT-116": "215.00", "BT-117": "43.00", "BT-118": "S", "BT-119": "20"}],
        "BT-106": "255.00", "BT-109": "255.00", "BT-110": "47.00", "BT-112": "302.00",
        "BT-115": "302.00",
    }
    data.update(changes)
    return data


@functools.cache
def _default_xml() -> bytes:
    from facturx import generate_xml

    xml: bytes = generate_xml(supplier_data(), flavor="factur-x", level="en16931",
                              check_schematron=False)
    return xml


def supplier_xml(**changes: Any) -> bytes:
    """The supplier's invoice as CII XML, made by the factur-x library."""
    if not changes:
        return _default_xml()
    from facturx import generate_xml

    xml: bytes = generate_xml(supplier_data(**changes), flavor="factur-x", level="en16931",
                              check_schematron=False)
    return xml


@functools.cache
def plain_pdf(text: str = "Facture") -> bytes:
    """A PDF/A-3b made by WeasyPrint (the way our templates are rendered)."""
    with warnings.catch_warnings():
        # WeasyPrint 70 warns that a future version needs HarfBuzz-Subset, and leaves its
        # sRGB ICC profile file open when it makes a PDF/A (collected here, not in a test)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        import weasyprint

        pdf: bytes = weasyprint.HTML(
            string=f"<h1>{text}</h1><p>Montant : 302,00 €</p>").write_pdf(
            pdf_variant="pdf/a-3b")
        gc.collect()
    return pdf
