"""A document as it is sent: the facts a PDF, a Factur-X XML, a UBL file and an e-mail all
show, and the French rules of what an invoice must say.

`services/document_data.py` builds a `Document` from the stored records; the templates
(`services/templates.py`), the e-invoice formats (`wire/einvoice.py`) and the e-mails read
it, so that the PDF and its embedded XML cannot disagree.  Amounts are `Decimal`, already
rounded as the document's totals (`domain.money.document_totals`) round them.

Mandatory mentions of an invoice (Code général des impôts, art. 242 nonies A of annex II;
Code de commerce L441-9 and L441-10, D441-5): the seller's identity, SIREN, legal form and
capital, VAT numbers of seller and buyer, a unique number and the date, the delivery date,
each line's quantity, unit price and VAT rate, the totals per VAT rate, the due date, the
late-payment penalty rate and the fixed 40 euro recovery indemnity, and any VAT exemption
with its article.  `mentions()` lists those that depend on the document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.domain import money

#: the fixed recovery indemnity owed by a late business payer (Code de commerce D441-5)
RECOVERY_INDEMNITY = Decimal(40)
#: the legal late-payment rate when the company names none: the ECB rate plus 10 points
#: (L441-10); the ECB main refinancing rate is a constant here (see docs/dunning.md)
ECB_RATE = Decimal("2.15")
LEGAL_PENALTY_RATE = ECB_RATE + 10

#: the kinds that are invoices in the tax sense (Factur-X and UBL apply to them)
INVOICE_KINDS = frozenset({"invoice", "credit", "supplierinvoice", "suppliercredit"})
CREDIT_KINDS = frozenset({"credit", "suppliercredit"})


@dataclass(frozen=True, slots=True)
class Address:
    recipient: str = ""
    street: str = ""
    postalcode: str = ""
    city: str = ""
    region: str = ""
    #: ISO 3166-1 alpha-2
    country: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        """The address as printed, one line each, empty parts left out."""
        city = " ".join(part for part in (self.postalcode, self.city) if part)
        return tuple(part for part in (self.recipient, *self.street.splitlines(), city,
                                       self.region, self.country) if part)


@dataclass(frozen=True, slots=True)
class Party:
    """A seller or a buyer."""

    name: str
    address: Address = field(default_factory=Address)
    #: 9 digits, or "" when unknown
    siren: str = ""
    siret: str = ""
    #: intra-community VAT number, compact (FR44732829320)
    vatid: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    legalform: str = ""
    capital: Decimal | None = None
    #: trade register entry (RCS Lyon 732 829 320)
    rcs: str = ""
    iban: str = ""
    bic: str = ""
    bankname: str = ""
    #: the record ID (company or account), None when the party is not stored
    record: int | None = None


@dataclass(frozen=True, slots=True)
class Line:
    sequence: int
    name: str
    description: str
    #: the seller's item number (BT-155), "" for a free line
    itemnum: str
    quantity: Decimal
    #: unit code as printed (h, pce, kg, ...), "" when none
    unit: str
    #: net unit price before the line's discount (BT-146)
    unit_price: Decimal
    #: the line's discount amount (BT-136), 0 when none
    discount: Decimal
    #: quantity x unit price less the discount, rounded (BT-131)
    net: Decimal
    #: percent (BT-152)
    vat_rate: Decimal
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """One sales or purchasing document as sent."""

    id: int
    #: the document kind of `domain.numbering.KINDS`: quote, order, delivery, invoice,
    #: credit, supplierorder, receipt, supplierinvoice, suppliercredit
    kind: str
    #: transactions.type
    type: int
    #: the legal number once issued, else the draft's reference
    number: str
    #: not issued: its PDF says DRAFT and it is not an e-invoice
    draft: bool
    #: the document date (issue date once issued)
    date: dt.date
    duedate: dt.date | None
    #: the delivery date (or end of the service period) when the document names one
    deliverydate: dt.date | None
    currency: str
    subject: str
    #: the buyer's purchase order reference (BT-13)
    buyer_reference: str
    #: the issuing company for a sale, the supplier for a purchase
    seller: Party
    #: the customer for a sale, the company for a purchase
    buyer: Party
    billing: Address
    shipping: Address
    lines: tuple[Line, ...]
    totals: money.DocumentTotals
    #: settled by payments and credit notes allocated to it
    paid: Decimal
    #: totals.total - paid (BT-115)
    due: Decimal
    #: payment terms in days
    terms_days: int
    #: annual late-payment penalty rate in percent (L441-10)
    penalty_rate: Decimal
    #: the VAT exemption mention with its article, "" when none
    vat_mention: str
    #: the number of the invoice a credit note corrects (BT-25), "" otherwise
    corrects: str = ""
    #: transactions.invoicekind: 0 STANDARD, 1 ADVANCE, 2 PROGRESS, 3 FINAL, 4 CONSUMPTION
    invoicekind: int = 0
    #: the company's Factur-X profile: EN16931, BASIC or MINIMUM
    einvoice_profile: str = "EN16931"
    #: the company record (its logo, SMTP server, templates)
    company: int | None = None
    language: str = "fr"

    @property
    def is_invoice(self) -> bool:
        return self.kind in INVOICE_KINDS

    @property
    def is_credit(self) -> bool:
        return self.kind in CREDIT_KINDS

    @property
    def is_sale(self) -> bool:
        return self.type <= 4


def person_name(first: object, last: object) -> str:
    """The name an account (a person or a company) is known by: its first name, if any,
    then its last name (or company name)."""
    return " ".join(str(part) for part in (first, last) if part).strip()


def penalty_rate(company_rate: Decimal | None) -> Decimal:
    """The late-payment penalty rate printed: the company's, else the legal one."""
    return LEGAL_PENALTY_RATE if company_rate is None else company_rate


def mentions(document: Document) -> tuple[str, ...]:
    """The mandatory mentions of payment of an invoice that depend on the document, in
    French (the default templates print them, translated in English ones)."""
    if not document.is_invoice:
        return ()
    rate = f"{document.penalty_rate.normalize():f}".replace(".", ",")
    return (
        f"Pénalités de retard : taux annuel de {rate} % (article L441-10 du Code de commerce).",
        f"Indemnité forfaitaire pour frais de recouvrement : {RECOVERY_INDEMNITY} € "
        "(article D441-5 du Code de commerce).",
        "Pas d'escompte pour paiement anticipé.",
    ) + ((document.vat_mention,) if document.vat_mention else ())
