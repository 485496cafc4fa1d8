"""Companies: the legal entities a business invoices as, and their numbering formats.

Every sales and purchasing document and every payment belongs to one company (the default
company when none is named).  A company is owned like any group-owned record: users see
the companies that are public or whose owner group they are in.  Numbering formats give
each company's documents their legal numbers, per kind of document (see `docs/sales.md`).
"""

from __future__ import annotations

from comptoir.schema.entities import NO_YES
from comptoir.schema.entity import ALL_OPS, Access, Entity, Ownership
from comptoir.schema.fields import (
    Created,
    Creator,
    Enum,
    Id,
    Int,
    Modified,
    Number,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)

COMPANIES = Entity(
    name="companies",
    singular="company",
    area="companies",
    doc="The legal entities the business trades as: identity, address, bank account and "
    "defaults of their documents; one is the default.",
    fields=(
        Id("Company ID"),
        Text("address", "Address (street and building/suite number)"),
        Text("bankname", "Name of the bank of the company's account"),
        Text("bic", "BIC (SWIFT code) of the company's bank account: 8 or 11 characters, "
             "compact (checked)", max_length=11, example="PSSTFRPPPAR"),
        Number("capital", "Share capital (capital social), in the company's currency",
               minimum=0),
        Text("city", "City or municipality"),
        Text("country", "Country code (ISO 3166-1 alpha-2)", max_length=2, default="FR"),
        Created(),
        Creator(),
        Text("currency", "Default currency of the company's documents (ISO 4217)",
             max_length=3, default="EUR"),
        Enum("isdefault", NO_YES, "The default company of documents that name none (the "
             "default company is the one with the lowest ID among those marked, else the "
             "first company)", nullable=False, default=0),
        Text("email", "E-mail address"),
        Int("fiscalyearstart", "Month the fiscal year starts in (1=January); a fiscal year "
            "is opened this way when an entry is first posted into it", nullable=False,
            default=1, minimum=1, maximum=12),
        Enum("einvoiceprofile", {0: "EN16931", 1: "BASIC", 2: "MINIMUM"}, "Factur-X profile "
             "of the company's invoices and credit notes (0=EN16931, 1=BASIC, 2=MINIMUM)",
             nullable=False, default=0),
        Text("iban", "IBAN of the company's bank account, compact: no spaces, capitals "
             "(checked, with the national check digits)", max_length=34,
             example="FR1420041010050500013M02606"),
        Number("latepenaltyrate", "Annual late-payment penalty rate in percent (Code de "
               "commerce L441-10; null: the legal rate, ECB rate plus 10 points)",
               minimum=0, maximum=100),
        Text("legalform", "Legal form (SAS, SARL, SA, EI, ...)"),
        Ref("logo", "files", "The logo shown on the company's documents (a file)"),
        Modified(),
        Text("name", "Legal name (raison sociale)", min_length=1, default=None,
             searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Int("paymentterms", "Payment terms in days after the invoice date (at most 60: "
            "Code de commerce L441-10)", nullable=False, default=30, minimum=0, maximum=60),
        Text("phone", "Phone number"),
        Text("postalcode", "Postal or ZIP code"),
        Text("rcs", "Trade register entry (RCS Lyon 123 456 789, RM ...)"),
        Text("siren", "SIREN number (9 digits, Luhn check digit)", max_length=9,
             example="732829320"),
        Text("siret", "SIRET number of the head office (14 digits: the SIREN and 5 digits, "
             "Luhn check digit)", max_length=14, example="73282932000074"),
        Text("vatid", "Intra-community VAT number, compact (FR + 2 check digits + SIREN; "
             "checked for every EU country)", max_length=14, example="FR44732829320"),
        Enum("vatonpayments", NO_YES, "VAT on services is due on payment (TVA sur les "
             "encaissements, CGI art. 269-2-c): posted to a waiting account until paid",
             nullable=False, default=0),
        Enum("vatregime", {0: "NORMAL_MONTHLY", 1: "NORMAL_QUARTERLY", 2: "SIMPLIFIED",
                           3: "FRANCHISE"},
             "VAT regime: réel normal with a monthly or quarterly CA3, simplifié (CA12), "
             "franchise en base (no VAT)", nullable=False, default=0),
        Text("vatmention", "VAT exemption mention printed on every document, with its "
             "article (e.g. TVA non applicable, art. 293 B du CGI); empty: none"),
        Text("website", "Website URL"),
    ),
    read=Access(("companies", "billing", "procurement", "payments")),
    write=Access(("companies",)),
    ops=ALL_OPS,
    extdata=True,
    ownership=Ownership.GROUP,
    get_params=("extdata",),
)

#: numberings.kind: the kinds of document that are numbered, in `domain.numbering.KINDS`
NUMBERING_KINDS = {
    0: "QUOTE", 1: "ORDER", 2: "DELIVERY", 3: "INVOICE", 4: "CREDIT", 5: "SUPPLIERORDER",
    6: "RECEIPT", 7: "SUPPLIERINVOICE", 8: "SUPPLIERCREDIT", 9: "PAYMENT", 10: "DUNNING",
}

NUMBERINGS = Entity(
    name="numberings",
    singular="numbering format",
    area="companies",
    doc="The numbering format of one kind of document of one company: a pattern such as "
    "FA-{YYYY}-{SEQ:5}, when the sequence restarts, and its next value.  Numbers are taken "
    "at issue, in the issuing transaction: gapless and chronological.",
    fields=(
        Id("Numbering format ID"),
        Ref("company", "companies", "Company ID (dependency)", on_delete=OnDelete.CASCADE,
            nullable=False, dependency=True),
        Created(),
        Enum("kind", NUMBERING_KINDS, "Kind of document numbered", nullable=False),
        Timestamp("lastdate", "Date of the last document numbered (a later document may not "
                  "be dated before it)"),
        Text("lastnumber", "The last number given"),
        Modified(),
        Int("nextvalue", "The sequence value the next document takes", nullable=False,
            default=1, minimum=1),
        Text("pattern", "Pattern: literal text and {YYYY}, {YY}, {MM}, {DD}, {SEQ} or "
             "{SEQ:n} (n digits, zero-padded)", min_length=1, default=None,
             example="FA-{YYYY}{MM}-{SEQ:5}"),
        Text("period", "The period the sequence is in (2026, 2026-12; empty when it never "
             "restarts)"),
        Enum("reset", {0: "NEVER", 1: "YEARLY", 2: "MONTHLY"},
             "When the sequence restarts at 1 (0=NEVER, 1=YEARLY, 2=MONTHLY)",
             nullable=False, default=1),
    ),
    read=Access(("companies", "billing", "procurement", "payments")),
    write=Access(("companies",)),
    ops=ALL_OPS,
    parents=("company",),
    unique_together=(("company", "kind"),),
)

ENTITIES: tuple[Entity, ...] = (COMPANIES, NUMBERINGS)
