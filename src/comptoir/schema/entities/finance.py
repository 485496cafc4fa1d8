"""Finance: payments, ledgers, dunning notices and currencies.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import NO_YES, VISIBILITY
from comptoir.schema.entity import ALL_OPS, READ_OPS, Access, Entity, Ownership
from comptoir.schema.fields import (
    NOW,
    Binfile,
    Created,
    Creator,
    Enum,
    Id,
    Managed,
    Modified,
    Number,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)
from comptoir.schema.rules import MutuallyExclusive, NonZero

PAYMENTS = Entity(
    name="payments",
    singular="payment",
    area="finance",
    doc="Payments, booked to a transaction or an account.",
    fields=(
        Id("Payment ID", wide=True),
        Ref("account", "accounts", "Account ID; is mutually exclusive to transaction"),
        Number("allocated", "Amount allocated to invoices (POST /payments/{ID}/allocations)",
               nullable=False, default=0, managed=Managed.SYSTEM),
        Number("amount", "Amount (monetary); must not be zero", nullable=False),
        Ref("assigneduser", "users", "Assigned user ID"),
        Enum("autoadvance", NO_YES, "Auto-advance to next transaction", nullable=False, default=0),
        Ref("company", "companies", "Company the payment belongs to (null: the default "
            "company)", on_delete=OnDelete.RESTRICT),
        Created(),
        Creator(),
        Text("currency", "Currency code (ISO 4217; null: the company's)", max_length=3,
             default=None, nullable=True),
        Timestamp(
            "date",
            (
                "Designated date and time as a Unix time stamp (defaults to current date "
                "and time on creation)"
            ),
            nullable=False,
            default=NOW,
        ),
        Text("description", "Detailed general description"),
        Enum("direction", {0: "INCOMING", 1: "OUTGOING"},
             "Incoming (from a customer) or outgoing (to a supplier)", nullable=False,
             default=0),
        Modified(),
        Ref("ledger", "ledgers", "Ledger ID"),
        Enum("means", {0: "TRANSFER", 1: "CARD", 2: "CHEQUE", 3: "CASH", 4: "DIRECTDEBIT",
                       5: "OTHER"},
             "Means of payment (0=TRANSFER, 1=CARD, 2=CHEQUE, 3=CASH, 4=DIRECTDEBIT, "
             "5=OTHER)", nullable=False, default=0),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Text("paymentnum", "Receipt number, given when the payment is recorded (the company's "
             "`payment` numbering format)", managed=Managed.SYSTEM, default=None, nullable=True,
             searchable=True),
        Enum(
            "status",
            {0: "DRAFT", 1: "COMPLETED", 2: "CANCELLED", 3: "BOOKED"},
            "Status (0=DRAFT, 1=COMPLETED, 2=CANCELLED, 3=BOOKED)",
            nullable=False,
            default=0,
        ),
        Text("subject", "Subject (e.g. bank statement or reference number)", searchable=True),
        Ref("transaction", "transactions", "Transaction ID; is mutually exclusive to account"),
    ),
    numbered=("paymentnum", "payment"),
    read=Access(("billing", "procurement", "payments")),
    write=Access(("billing", "procurement", "payments")),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(
        MutuallyExclusive(("account", "transaction")),
        NonZero("amount"),
    ),
    get_params=("extdata", "tags"),
)

LEDGERS = Entity(
    name="ledgers",
    singular="ledger",
    area="finance",
    doc="Ledgers that payments are booked to.",
    fields=(
        Id("Ledger ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("payments",)),
    write=Access(("payments",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    get_params=("extdata", "tags"),
)

DUNNING = Entity(
    name="dunning",
    singular="dunning notice",
    area="finance",
    doc="Dunning notices: listings, reminders and notices to an account.",
    fields=(
        Id("Dunning notice ID"),
        Ref("account", "accounts", "Account ID"),
        Text("address", "Address (street and building/suite number)"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Text("city", "City or municipality"),
        Text("country", "Country code (ISO 3166-1 alpha-2)", max_length=2),
        Created(),
        Creator(),
        Timestamp(
            "date",
            (
                "Designated date and time as a Unix time stamp (defaults to current date "
                "and time on creation)"
            ),
            nullable=False,
            default=NOW,
        ),
        Timestamp("duedate", "Due date as a Unix time stamp"),
        Text("dunningnum", "Dunning number", min_length=1, default=None, searchable=True),
        Number("fee", "Dunning fee", nullable=False, default=0, minimum=0),
        Modified(),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Binfile("pdf", "The letter as sent: the PDF rendered once when it is booked; set by "
                "the server", managed=Managed.SYSTEM),
        Text("postalcode", "Postal or ZIP code"),
        Text("recipient", "Recipient"),
        Text("region", "Region or state"),
        Enum(
            "status",
            {0: "DRAFT", 1: "BOOKED", 2: "CANCELLED", 3: "CLOSED"},
            "Status (0=DRAFT, 1=BOOKED, 2=CANCELLED, 3=CLOSED)",
            nullable=False,
            default=0,
        ),
        Enum(
            "type",
            {0: "LISTING", 1: "REMINDER", 2: "NOTICE"},
            "Dunning type (0=LISTING, 1=REMINDER, 2=NOTICE)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("billing", "procurement", "collection")),
    write=Access(("billing", "procurement", "collection")),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    get_params=("extdata", "tags"),
)

DUNNING2TRANSACTIONS = Entity(
    name="dunning2transactions",
    singular="dunning-to-transaction",
    area="finance",
    doc="Transactions covered by a dunning notice.",
    fields=(
        Id("Dunning-to-transaction ID", wide=True),
        Created(),
        Creator(),
        Ref(
            "dunning",
            "dunning",
            "Dunning notice ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Ref(
            "transaction",
            "transactions",
            "Transaction ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
    ),
    read=Access(("billing", "procurement", "collection")),
    write=Access(("billing", "procurement", "collection")),
    ops=ALL_OPS,
    parents=("dunning", "transaction"),
)

ALLOCATIONS = Entity(
    name="allocations",
    singular="allocation",
    area="finance",
    doc="Amounts of payments and credit notes allocated to invoices: one payment may settle "
    "several invoices, one invoice be settled by several payments.  Made and undone through "
    "POST /payments/{ID}/allocations and DELETE /payments/{ID}/allocations/{allocation} "
    "(credit notes: /transactions/{ID}/allocations), which keep the balances.",
    fields=(
        Id("Allocation ID", wide=True),
        Number("amount", "Amount allocated, in the invoice's currency", nullable=False),
        Created(),
        Creator(),
        Ref("credit", "transactions", "The credit note allocated (instead of a payment)",
            on_delete=OnDelete.RESTRICT),
        Timestamp("date", "Date of the allocation as a Unix time stamp", nullable=False,
                  default=NOW),
        Ref("payment", "payments", "The payment allocated (instead of a credit note)",
            on_delete=OnDelete.RESTRICT),
        Ref("transaction", "transactions", "The invoice settled (dependency)",
            on_delete=OnDelete.RESTRICT, nullable=False, dependency=True),
    ),
    read=Access(("billing", "procurement", "payments")),
    write=Access(admin_only=True),
    ops=READ_OPS,
    parents=("transaction",),
    rules=(MutuallyExclusive(("payment", "credit")),),
)

CURRENCIES = Entity(
    name="currencies",
    singular="currency",
    area="finance",
    doc="Currencies and their conversion rates from the instance's default currency; a new "
    "instance has EUR (the default, active) and USD, GBP and CHF (inactive, rate 1 until an "
    "admin sets theirs) (webservice: Currency).",
    fields=(
        Id("Currency ID"),
        Enum("active", NO_YES, "Offered for new records", nullable=False, default=1),
        Text("code", "Currency code (ISO 4217: EUR, USD, ...)", min_length=1, default=None,
             unique=True),
        Number("conversionrate", "Units of this currency worth one unit of the default "
               "currency", nullable=False, default=1, minimum=0),
        Created(),
        Modified(),
        Text("name", "Name (Euro, US Dollar, ...)", min_length=1, default=None,
             searchable=True),
        Text("symbol", "Symbol (€, $, ...)"),
    ),
    read=Access(("billing", "procurement", "production", "pricelists")),
    write=Access(admin_only=True),
    ops=ALL_OPS,
)

ENTITIES: tuple[Entity, ...] = (
    PAYMENTS,
    LEDGERS,
    DUNNING,
    DUNNING2TRANSACTIONS,
    ALLOCATIONS,
    CURRENCIES,
)
