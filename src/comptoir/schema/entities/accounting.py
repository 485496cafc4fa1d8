"""Accounting: the chart of accounts, journals, fiscal years and their periods, the journal
entries and their lines, and the accounting strategies that post documents without hand work
(`docs/accounting.md`).

Every book belongs to one company.  Entries are written by the accounting service only
(`services/accounting.py`): automatically when a document is issued or a payment recorded,
or as manual entries, refused unless balanced.  Through the record operations of every door
they are read-only: a validated entry is immutable (PCG art. 911-4, the "procédure de
clôture"), corrected by a reversing entry.
"""

from __future__ import annotations

from comptoir.schema.entities import NO_YES
from comptoir.schema.entity import ALL_OPS, READ_OPS, Access, Entity
from comptoir.schema.fields import (
    Created,
    Creator,
    Enum,
    Field,
    Id,
    Int,
    Managed,
    Modified,
    Number,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)

#: who keeps the books; posting itself is done for whoever issues the document
ACCOUNTING = Access(("accounting",))
OPEN_CLOSED = {0: "OPEN", 1: "CLOSED"}
#: chartaccounts.auxiliary: a collective account whose subsidiary accounts are the
#: customers (411) or the suppliers (401)
AUXILIARY = {0: "NONE", 1: "CUSTOMERS", 2: "SUPPLIERS"}
JOURNAL_KINDS = {0: "SALES", 1: "PURCHASES", 2: "BANK", 3: "CASH", 4: "MISC", 5: "OPENING"}
ENTRY_ORIGINS = {0: "MANUAL", 1: "DOCUMENT", 2: "PAYMENT", 3: "ALLOCATION", 4: "REVERSAL",
                 5: "OPENING"}
#: the VAT kind of a line's operation (`domain/vat.py`), by number
VAT_KINDS = {0: "NONE", 1: "SALE", 2: "SALE_INTRA_EU_GOODS", 3: "SALE_INTRA_EU_SERVICES",
             4: "SALE_EXPORT", 5: "SALE_EXEMPT", 6: "PURCHASE", 7: "PURCHASE_ASSETS",
             8: "ACQUISITION_INTRA_EU", 9: "SERVICES_FROM_EU"}
VAT_ROLES = {0: "NONE", 1: "BASE", 2: "TAX", 3: "PENDING"}
RULE_TARGETS = {0: "SALES", 1: "PURCHASES", 2: "CUSTOMERS", 3: "SUPPLIERS",
                4: "VAT_COLLECTED", 5: "VAT_DEDUCTIBLE", 6: "VAT_PENDING", 7: "PAYMENTS",
                8: "SHIPPING", 9: "ROUNDING"}
GOODS = {0: "ANY", 1: "GOODS", 2: "SERVICES"}
MEANS = {0: "TRANSFER", 1: "CARD", 2: "CHEQUE", 3: "CASH", 4: "DIRECTDEBIT", 5: "OTHER"}


def _company(doc: str = "Company ID (dependency)") -> Field:
    return Ref("company", "companies", doc, on_delete=OnDelete.CASCADE, nullable=False,
               dependency=True)


CHARTACCOUNTS = Entity(
    name="chartaccounts",
    singular="chart account",
    area="accounting",
    doc="The chart of accounts of a company: the French PCG by default "
    "(`domain/chart.py`), with the company's own sub-accounts.",
    fields=(
        Id("Chart account ID"),
        Enum("active", NO_YES, "Offered for new entries", nullable=False, default=1),
        Enum("auxiliary", AUXILIARY, "A collective account with subsidiary accounts "
             "(0=NONE, 1=CUSTOMERS: 411, 2=SUPPLIERS: 401)", nullable=False, default=0),
        _company(),
        Created(),
        Enum("lettering", NO_YES, "Its lines are lettered (matched): customers, "
             "suppliers, suspense accounts", nullable=False, default=0),
        Modified(),
        Text("name", "Name (intitulé)", min_length=1, default=None, searchable=True),
        Text("number", "Account number: digits, the PCG's account and the company's "
             "sub-account digits (e.g. 706, 7061, 411)", min_length=2, max_length=12,
             default=None, searchable=True, example="44571"),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=ALL_OPS,
    parents=("company",),
    unique_together=(("company", "number"),),
)

JOURNALS = Entity(
    name="journals",
    singular="journal",
    area="accounting",
    doc="The journals of a company: sales, purchases, one per bank account, cash, "
    "miscellaneous and opening entries.",
    fields=(
        Id("Journal ID"),
        Ref("account", "chartaccounts", "The bank or cash account (512, 530) of a bank or "
            "cash journal", on_delete=OnDelete.RESTRICT),
        Enum("active", NO_YES, "Offered for new entries", nullable=False, default=1),
        Text("code", "Code (JournalCode of the FEC: VT, AC, BQ1, CA, OD, AN)",
             min_length=1, max_length=8, default=None),
        _company(),
        Created(),
        Enum("kind", JOURNAL_KINDS, "Kind (0=SALES, 1=PURCHASES, 2=BANK, 3=CASH, 4=MISC, "
             "5=OPENING)", nullable=False, default=4),
        Ref("ledger", "ledgers", "The ledger whose payments this bank or cash journal "
            "records"),
        Modified(),
        Text("name", "Name (JournalLib of the FEC)", min_length=1, default=None,
             searchable=True),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=ALL_OPS,
    parents=("company",),
    unique_together=(("company", "code"),),
)

FISCALYEARS = Entity(
    name="fiscalyears",
    singular="fiscal year",
    area="accounting",
    doc="The fiscal years (exercices) of a company, opened with their monthly periods; "
    "closing one carries its balances forward (POST /fiscalyears/{ID}/close).",
    fields=(
        Id("Fiscal year ID"),
        Timestamp("closed", "When it was closed", managed=Managed.SYSTEM),
        _company(),
        Created(),
        Timestamp("enddate", "Last day (00:00 UTC)", nullable=False),
        Modified(),
        Text("name", "Name (2026, 2026-2027)", min_length=1, default=None),
        Int("nextentry", "Next entry: the sequence value of the next entry validated", nullable=False,
            default=1, managed=Managed.SYSTEM),
        Timestamp("startdate", "First day (00:00 UTC)", nullable=False),
        Enum("status", OPEN_CLOSED, "Status (0=OPEN, 1=CLOSED)", nullable=False, default=0,
             managed=Managed.SYSTEM),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=READ_OPS,
    parents=("company",),
)

ACCOUNTINGPERIODS = Entity(
    name="accountingperiods",
    singular="accounting period",
    area="accounting",
    doc="The months of a fiscal year: no entry is posted into a closed period.",
    fields=(
        Id("Accounting period ID"),
        _company(),
        Created(),
        Timestamp("enddate", "Last day (00:00 UTC)", nullable=False),
        Ref("fiscalyear", "fiscalyears", "Fiscal year ID (dependency)",
            on_delete=OnDelete.CASCADE, nullable=False, dependency=True),
        Modified(),
        Text("name", "Name (2026-12)", min_length=1, default=None),
        Timestamp("startdate", "First day (00:00 UTC)", nullable=False),
        Enum("status", OPEN_CLOSED, "Status (0=OPEN, 1=CLOSED)", nullable=False, default=0,
             managed=Managed.SYSTEM),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=READ_OPS,
    parents=("fiscalyear",),
)

JOURNALENTRIES = Entity(
    name="journalentries",
    singular="journal entry",
    area="accounting",
    doc="Journal entries (écritures): balanced, numbered without gaps in the order they are "
    "validated, then immutable.  Written by the accounting service only.",
    fields=(
        Id("Journal entry ID", wide=True),
        Ref("allocation", "allocations", "The allocation it posts (VAT on payments)"),
        _company(),
        Created(),
        Creator(),
        Number("credit", "Total credit", nullable=False, default=0),
        Timestamp("date", "Entry date (EcritureDate)", nullable=False),
        Number("debit", "Total debit", nullable=False, default=0),
        Text("entrynum", "Entry number (EcritureNum), continuous per fiscal year, given at "
             "validation", managed=Managed.SYSTEM, searchable=True, indexed=True),
        Ref("fiscalyear", "fiscalyears", "Fiscal year ID", on_delete=OnDelete.RESTRICT,
            nullable=False),
        Ref("journal", "journals", "Journal ID", on_delete=OnDelete.RESTRICT,
            nullable=False),
        Text("name", "Label (EcritureLib)", searchable=True),
        Enum("origin", ENTRY_ORIGINS, "What posted it (0=MANUAL, 1=DOCUMENT, 2=PAYMENT, "
             "3=ALLOCATION, 4=REVERSAL, 5=OPENING)", nullable=False, default=0),
        Ref("payment", "payments", "The payment it posts"),
        Timestamp("piecedate", "Date of the voucher (PieceDate)", nullable=False),
        Text("pieceref", "Voucher reference (PieceRef): the document's number",
             searchable=True),
        Ref("reverses", "journalentries", "Reversed entry: the entry this one reverses",
            on_delete=OnDelete.RESTRICT),
        Enum("status", {0: "DRAFT", 1: "VALIDATED"}, "Status (0=DRAFT, 1=VALIDATED)",
             nullable=False, default=0),
        Ref("transaction", "transactions", "The document it posts"),
        Timestamp("validated", "When it was validated (ValidDate)"),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=READ_OPS,
)

ENTRYLINES = Entity(
    name="entrylines",
    singular="entry line",
    area="accounting",
    doc="The lines of a journal entry: one account, a debit or a credit; the entry's "
    "company, journal, fiscal year and date are repeated on each line for the books' "
    "aggregates.",
    fields=(
        Id("Entry line ID", wide=True),
        Ref("account", "chartaccounts", "Account ID", on_delete=OnDelete.RESTRICT,
            nullable=False),
        Text("accountnum", "Account number (CompteNum)", indexed=True),
        Ref("auxaccount", "accounts", "Third party: the customer or supplier of a line on a "
            "collective account"),
        Text("auxname", "Subsidiary account name (CompAuxLib)"),
        Text("auxnum", "Subsidiary account number (CompAuxNum)", indexed=True),
        Ref("company", "companies", "Company ID", on_delete=OnDelete.CASCADE,
            nullable=False),
        Number("credit", "Credit", nullable=False, default=0, minimum=0),
        Number("currencyamount", "Amount in the document's currency (Montantdevise)"),
        Text("currency", "Currency of currencyamount (Idevise)", max_length=3),
        Timestamp("date", "The entry's date", nullable=False, indexed=True),
        Number("debit", "Debit", nullable=False, default=0, minimum=0),
        Timestamp("duedate", "Due date of a receivable or payable"),
        Ref("entry", "journalentries", "Journal entry ID (dependency)",
            on_delete=OnDelete.CASCADE, nullable=False, dependency=True),
        Ref("fiscalyear", "fiscalyears", "Fiscal year ID", on_delete=OnDelete.RESTRICT,
            nullable=False),
        Ref("journal", "journals", "Journal ID", on_delete=OnDelete.RESTRICT,
            nullable=False),
        Timestamp("lettered", "When it was lettered (DateLet)"),
        Text("lettering", "Lettering code (EcritureLet): the lines that settle each other "
             "share it", indexed=True),
        Text("name", "Label (EcritureLib)"),
        Int("sequence", "Order in the entry", nullable=False, default=0),
        Ref("transaction", "transactions", "The document of a receivable or payable line",
            on_delete=OnDelete.SET_NULL),
        Enum("vatkind", VAT_KINDS, "VAT kind of the operation (0=NONE, 1=SALE, ...): the "
             "VAT return's line", nullable=False, default=0),
        Number("vatbase", "VAT base: the taxable amount a VAT line's tax is on (the "
               "VAT return's base of taxable operations)"),
        Number("vatrate", "VAT rate, in percent, of a base or VAT line"),
        Enum("vatrole", VAT_ROLES, "Role in the VAT return (0=NONE, 1=BASE, 2=TAX, "
             "3=PENDING: VAT due on payment, in the waiting account)", nullable=False,
             default=0),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=READ_OPS,
    parents=("entry",),
)

ACCOUNTINGRULES = Entity(
    name="accountingrules",
    singular="accounting strategy",
    area="accounting",
    doc="Accounting strategies: the account (or journal) a posting takes, by what it "
    "posts (sales, purchases, customers, VAT, payments) and conditions (VAT rate, goods "
    "or services, an item's or an account's tag, the payment means).  The most specific "
    "rule wins; without one, the PCG default.",
    fields=(
        Id("Accounting strategy ID"),
        Ref("account", "chartaccounts", "The account posted to",
            on_delete=OnDelete.CASCADE),
        Text("accounttag", "Account tag: applies to documents of accounts with this "
             "tag (a customer or supplier group)"),
        _company(),
        Created(),
        Enum("goods", GOODS, "Goods or services: applies to lines of goods, of services, "
             "or any (0=ANY, 1=GOODS, 2=SERVICES)", nullable=False, default=0),
        Ref("item", "items", "Applies to lines of this item", on_delete=OnDelete.CASCADE),
        Text("itemtag", "Item tag: applies to lines of items with this tag (an item "
             "family)"),
        Ref("journal", "journals", "Journal: the journal of PAYMENTS rules",
            on_delete=OnDelete.CASCADE),
        Enum("means", MEANS, "Payment means: applies to payments by this means"),
        Modified(),
        Text("name", "Name", searchable=True),
        Int("priority", "Priority: among rules equally specific, the highest wins",
            nullable=False, default=0),
        Enum("target", RULE_TARGETS, "What it posts (0=SALES, 1=PURCHASES, 2=CUSTOMERS, "
             "3=SUPPLIERS, 4=VAT_COLLECTED, 5=VAT_DEDUCTIBLE, 6=VAT_PENDING, 7=PAYMENTS, "
             "8=SHIPPING, 9=ROUNDING)", nullable=False),
        Enum("vatkind", VAT_KINDS, "VAT kind: applies to this VAT kind of operation"),
        Number("vatrate", "VAT rate: applies to this VAT rate"),
    ),
    read=ACCOUNTING,
    write=ACCOUNTING,
    ops=ALL_OPS,
    parents=("company",),
)

ENTITIES: tuple[Entity, ...] = (
    CHARTACCOUNTS,
    JOURNALS,
    FISCALYEARS,
    ACCOUNTINGPERIODS,
    JOURNALENTRIES,
    ENTRYLINES,
    ACCOUNTINGRULES,
)
