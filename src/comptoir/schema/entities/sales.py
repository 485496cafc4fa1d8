"""Sales: transactions (quotes, orders, deliveries, invoices, credits, production), contracts
and coupons.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import ACTIVITY, CALCULATION, NO_YES, VISIBILITY
from comptoir.schema.entity import ALL_OPS, Access, Entity, Lock, Ownership
from comptoir.schema.fields import (
    NOW,
    Binfile,
    Created,
    Creator,
    Enum,
    Id,
    Int,
    Json,
    Managed,
    Modified,
    Number,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)
from comptoir.schema.rules import NotAfter, NullForValue, RequiredForValue

#: transactions.taxtype
TAX_TYPES = {0: "GROUP", 1: "INDIVIDUAL"}

#: the bounds of an amount or quantity a document holds (`domain.money.check_amount`:
#: below 10^13), so that no door stores one that its totals could not compute
AMOUNT = {"minimum": -9_999_999_999_999.99, "maximum": 9_999_999_999_999.99}

TRANSACTIONS = Entity(
    name="transactions",
    singular="transaction",
    area="sales",
    doc="Billing, procurement and production documents.",
    fields=(
        Id("Transaction ID"),
        Number(
            "adjustment",
            "Signed adjustment added to the grand total (webservice: txtAdjustment)",
            **AMOUNT,
        ),
        Ref("account", "accounts", "Account ID; must be null for PRODUCTION"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Number("balance", "Amount still due: the grand total less the amount paid (issued "
               "invoices and credit notes)", nullable=False, default=0,
               managed=Managed.SYSTEM),
        Text("billingaddress", "Billing address (street and building/suite number)"),
        Text("billingcity", "Billing city or municipality"),
        Text("billingcountry", "Billing country code (ISO 3166-1 alpha-2)", max_length=2),
        Text("billingpostalcode", "Billing postal or ZIP code"),
        Text("billingrecipient", "Billing recipient"),
        Text("billingregion", "Billing region or state"),
        Enum(
            "calculation",
            CALCULATION,
            "Calculation method (0=NET, 1=GROSS, 2=LEGACY)",
            nullable=False,
            default=0,
        ),
        Ref("company", "companies", "Company the document belongs to (null: the default "
            "company)", on_delete=OnDelete.RESTRICT),
        Number("companytotal", "Grand total in the company's currency (grand total divided "
               "by the exchange rate), set at issue", managed=Managed.SYSTEM),
        Ref("contract", "contracts", "Contract ID"),
        Created(),
        Creator(),
        Text("currency", "Currency code (ISO 4217)", max_length=3, default=None),
        Timestamp(
            "date",
            (
                "Designated date and time as a Unix time stamp (defaults to current date "
                "and time on creation)"
            ),
            nullable=False,
            default=NOW,
        ),
        Number("discount", "Total absolute discount", nullable=False, default=0),
        Number(
            "discountamount",
            "Document discount amount; wins over discountpercent when above 0 "
            "(webservice: hdnDiscountAmount)",
            **AMOUNT,
        ),
        Number(
            "discountpercent",
            "Document discount in percent of the subtotal (webservice: hdnDiscountPercent)",
        ),
        Text("draftnum", "The number or provisional reference the document had as a draft",
             managed=Managed.SYSTEM),
        Timestamp("duedate", "Due date as a Unix time stamp"),
        Number(
            "exchangerate",
            "Exchange rate as a multiple of one monetary unit of the fixed system currency",
            nullable=False,
            default=1,
            minimum=0,
        ),
        Number(
            "grandtotal",
            "Grand total, computed from the line items, rounded to 8 places "
            "(webservice: hdnGrandTotal)",
        ),
        Ref(
            "item",
            "items",
            "Item ID; is required for PRODUCTION, otherwise must be null",
            on_delete=OnDelete.CASCADE,
        ),
        Json("items", "JSON-encoded items (array)"),
        Enum("invoicekind", {0: "STANDARD", 1: "ADVANCE", 2: "PROGRESS", 3: "FINAL",
                             4: "CONSUMPTION"},
             "Kind of invoice (0=STANDARD, 1=ADVANCE: a deposit, 2=PROGRESS: by percentage "
             "of completion, 3=FINAL: deducts the advances, 4=CONSUMPTION: what was used)",
             nullable=False, default=0),
        Timestamp("issued", "Issue date and time as a Unix time stamp (null: a draft)",
                  managed=Managed.SYSTEM),
        Modified(),
        Number("margin", "Total absolute margin", nullable=False, default=0),
        Number("netamount", "Total net amount", nullable=False, default=0),
        Number("paidamount", "Amount settled by the payments and credit notes allocated to "
               "this document", nullable=False, default=0, managed=Managed.SYSTEM),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Number(
            "pretaxtotal",
            "Total before taxes, computed from the line items, rounded to 8 places "
            "(webservice: pre_tax_total)",
        ),
        Binfile("pdf", "The legal copy: the PDF rendered once at issue (a Factur-X PDF/A-3 for "
                "invoices and credit notes); set by the server", managed=Managed.SYSTEM),
        Number("progress", "Cumulative percentage of completion invoiced (progress invoices)",
               managed=Managed.SYSTEM),
        Int(
            "productionfactor",
            "Production factor; is required for PRODUCTION, otherwise must be null",
            minimum=0,
        ),
        Text("purchaseorder", "Purchase order reference of the customer "
             "(webservice: vtiger_purchaseorder)"),
        Ref("quote", "transactions", "Quote this document was made from (webservice: quote_id)"),
        Ref(
            "salesorder",
            "transactions",
            "Sales order this document was made from (webservice: salesorder_id)",
        ),
        Ref("source", "transactions", "The document this one was converted from"),
        Number("shippingamount", "Shipping and handling charge (webservice: hdnS_H_Amount)",
               **AMOUNT),
        Text("shippingaddress", "Shipping address (street and building/suite number)"),
        Text("shippingcity", "Shipping city or municipality"),
        Text("shippingcountry", "Shipping country code (ISO 3166-1 alpha-2)", max_length=2),
        Text("shippingpostalcode", "Shipping postal or ZIP code"),
        Text("shippingrecipient", "Shipping recipient"),
        Text("shippingregion", "Shipping region or state"),
        Json(
            "shippingtaxes",
            "JSON-encoded shipping and handling taxes in percent by tax name (object, "
            'e.g. {"tax1": 4.5}; webservice: shipping_&_handling_shtax1..)',
            example={"tax1": 4.5},
        ),
        Enum(
            "status",
            {
                0: "DRAFT",
                1: "BOOKED",
                2: "HOLD",
                3: "CANCELLED",
                4: "CLOSED",
                5: "PARTLYORDERED",
                6: "PARTLYORDERED_CANCELLED",
                7: "PARTLYORDERED_CLOSED",
                8: "ORDERED",
                9: "PARTLYDELIVERED",
                10: "PARTLYDELIVERED_CANCELLED",
                11: "PARTLYDELIVERED_CLOSED",
                12: "DELIVERED",
                13: "PARTLYINVOICED",
                14: "PARTLYINVOICED_CANCELLED",
                15: "PARTLYINVOICED_CLOSED",
                16: "INVOICED",
                17: "PARTLYPAID",
                18: "PARTLYPAID_CANCELLED",
                19: "PARTLYPAID_CLOSED",
                20: "PAID",
                21: "OVERPAID",
                22: "PROCESSED",
                23: "PROCESSED_CANCELLED",
            },
            "Status",
            nullable=False,
            default=0,
        ),
        Text("subject", "Subject (webservice: subject)", searchable=True),
        Number(
            "subtotal",
            "Subtotal of the line items (with their taxes in individual tax mode), rounded "
            "to 8 places (webservice: hdnSubTotal)",
        ),
        Number("tax", "Total tax amount", nullable=False, default=0),
        Text("taxid", "Tax ID (e.g. VATIN or SSN)"),
        Enum(
            "taxtype",
            TAX_TYPES,
            "Tax mode: per document or per line (0=GROUP, 1=INDIVIDUAL; webservice: hdnTaxType)",
            nullable=False,
            default=0,
        ),
        Text("transactionnum", "Transaction number: the legal number once issued; a draft "
             "keeps the client's number, or none", min_length=1, default=None,
             nullable=True, searchable=True),
        Enum(
            "type",
            {
                0: "BILLING_QUOTE",
                1: "BILLING_ORDER",
                2: "BILLING_DELIVERY",
                3: "BILLING_INVOICE",
                4: "BILLING_CREDIT",
                5: "PROCUREMENT_REQUEST",
                6: "PROCUREMENT_ORDER",
                7: "PROCUREMENT_DELIVERY",
                8: "PROCUREMENT_INVOICE",
                9: "PROCUREMENT_CREDIT",
                10: "PRODUCTION_FABRICATION",
                11: "PRODUCTION_DISASSEMBLY",
            },
            "Transaction type",
            nullable=False,
            default=0,
        ),
        Number("weight", "Total shipping weight in kilogram", nullable=False, default=0, minimum=0),
    ),
    read=Access(("billing", "procurement", "production")),
    write=Access(("billing", "procurement", "production")),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(
        # PRODUCTION: type PRODUCTION_FABRICATION (10) or PRODUCTION_DISASSEMBLY (11)
        NullForValue("account", "type", (10, 11), "PRODUCTION"),
        RequiredForValue("item", "type", (10, 11), "PRODUCTION", null_otherwise=True),
        RequiredForValue("productionfactor", "type", (10, 11), "PRODUCTION", null_otherwise=True),
    ),
    get_params=("extdata", "tags"),
    # an issued invoice or credit note (any status but DRAFT) is permanently locked: only its status, its
    # assignment and its order references may change; it cannot be deleted
    lock=Lock(applies={"type": (3, 4, 8, 9)}, unlocked={"status": (0,)},
              editable=("status", "assigneduser", "ownergroup", "salesorder", "purchaseorder")),
)

CONTRACTS = Entity(
    name="contracts",
    singular="contract",
    area="sales",
    doc="Contracts with periodic billing and procurement.",
    fields=(
        Id("Contract ID"),
        Ref("account", "accounts", "Account ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Json(
            "autobilling",
            "JSON-encoded auto-billing data (object); only if billingcycle is not null",
        ),
        Int("billingcycle", "Billing cycle in months", minimum=1, maximum=32767),
        Json("billingitems", "JSON-encoded items (array)"),
        Enum(
            "calculation",
            CALCULATION,
            "Calculation method (0=NET, 1=GROSS, 2=LEGACY)",
            nullable=False,
            default=0,
        ),
        Text("contractnum", "Contract number", searchable=True),
        Created(),
        Creator(),
        Text("currency", "Currency code (ISO 4217)", max_length=3, default=None),
        Timestamp("datecancel", "Cancellation date as a Unix time stamp"),
        Timestamp(
            "datefrom", "Start date as a Unix time stamp; must be less than or equal to dateto"
        ),
        Timestamp(
            "dateto", "End date as a Unix time stamp; must be greater than or equal to datefrom"
        ),
        Text("description", "Detailed general description"),
        Number(
            "exchangerate",
            "Exchange rate as a multiple of one monetary unit of the fixed system currency",
            nullable=False,
            default=1,
            minimum=0,
        ),
        Timestamp("lastbilling", "Last billing date and time as a Unix time stamp"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Json("procurementitems", "JSON-encoded items (array)"),
        Enum(
            "status",
            {
                0: "DRAFT",
                1: "AWAITINGAPPROVAL",
                2: "APPROVED",
                3: "DISMISSED",
                4: "ACTIVE",
                5: "INACTIVE",
                6: "EXPIRED",
                7: "CANCELLED",
                8: "CLOSED",
            },
            "Status",
            nullable=False,
            default=0,
        ),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("contracts",)),
    write=Access(("contracts",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(NotAfter("datefrom", "dateto"),),
    get_params=("extdata", "tags"),
)

COUPONS = Entity(
    name="coupons",
    singular="coupon",
    area="sales",
    doc="Coupons: promotions and individual vouchers.",
    fields=(
        Id("Coupon ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Text("code", "Promotion code (only for PROMOTION)"),
        Created(),
        Creator(),
        Timestamp(
            "datefrom",
            "Start date and time as a Unix time stamp; must be less than or equal to dateto",
        ),
        Timestamp(
            "dateto",
            "End date and time as a Unix time stamp; must be greater than or equal to datefrom",
        ),
        Text("description", "Detailed general description"),
        Json(
            "foreigntaxrates",
            "Country-specific tax rates in percent; use country code as object key",
        ),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Enum("neutral", NO_YES, "Neutral in transaction", nullable=False, default=0),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Number("taxrate", "Tax rate in percent", default=0, minimum=0, maximum=100),
        Enum(
            "type",
            {0: "PROMOTION", 1: "INDIVIDUAL"},
            "Coupon type (0=PROMOTION, 1=INDIVIDUAL)",
            nullable=False,
            default=0,
        ),
        Number("value", "Default value", nullable=False, default=0, minimum=0),
    ),
    read=Access(("pricelists",)),
    write=Access(("pricelists",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(NotAfter("datefrom", "dateto"),),
    get_params=("extdata", "tags"),
)

COUPONCODES = Entity(
    name="couponcodes",
    singular="coupon code",
    area="sales",
    doc="Codes issued for a coupon.",
    fields=(
        Id("Coupon code ID", wide=True),
        Text("code", "Coupon code", min_length=1, default=None, searchable=True),
        Ref(
            "coupon",
            "coupons",
            "Coupon ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
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
        Timestamp(
            "datefrom",
            "Start date and time as a Unix time stamp; must be less than or equal to dateto",
        ),
        Timestamp(
            "dateto",
            "End date and time as a Unix time stamp; must be greater than or equal to datefrom",
        ),
        Enum(
            "flag",
            {0: "BOOKED", 1: "RESERVED", 2: "CANCELLED"},
            "Flag (0=BOOKED, 1=RESERVED, 2=CANCELLED)",
            nullable=False,
            default=0,
        ),
        Modified(),
        Ref("transaction", "transactions", "Transaction ID"),
        Number("value", "Value", nullable=False, default=0, minimum=0),
    ),
    read=Access(("pricelists",)),
    write=Access(("pricelists",)),
    ops=ALL_OPS,
    extdata=True,
    parents=("coupon",),
    rules=(NotAfter("datefrom", "dateto"),),
    get_params=("extdata",),
)

LINEITEMS = Entity(
    name="lineitems",
    singular="line item",
    area="sales",
    doc="The lines of a quote, order or invoice: an item, its quantity, price, discount "
    "and taxes (webservice: LineItem).",
    fields=(
        Id("Line item ID", wide=True),
        Text("comment", "Comment shown on the document (webservice: comment)"),
        Created(),
        Text("description", "Description (webservice: description)"),
        Number("discountamount", "Discount amount; wins over discountpercent "
               "(webservice: discount_amount)", **AMOUNT),
        Number("discountpercent", "Discount in percent of price times quantity "
               "(webservice: discount_percent)"),
        Ref("item", "items", "Item ID: the product or service (webservice: productid)"),
        Number("listprice", "Unit price (webservice: listprice)", nullable=False, default=0,
               **AMOUNT),
        Modified(),
        Number("netamount", "Line net amount: quantity times price less the discount, "
               "rounded to the cent (set when the document's totals are computed)",
               managed=Managed.SYSTEM),
        Ref("pricelist", "pricelists", "Price list that gave the price (null: the price was "
            "given, or is the item's)"),
        Number("quantity", "Quantity (webservice: quantity)", nullable=False, default=1,
               **AMOUNT),
        Int("sequence", "Position on the document, from 1 (webservice: sequence_no)",
            nullable=False, default=1, minimum=1),
        Ref("sourceline", "lineitems", "The line of the source document this line was "
            "converted from"),
        Number("tax1", "Percent of tax tax1 (webservice: tax1)"),
        Number("tax2", "Percent of tax tax2 (webservice: tax2)"),
        Number("tax3", "Percent of tax tax3 (webservice: tax3)"),
        Ref(
            "transaction",
            "transactions",
            "Transaction ID (dependency; webservice: parent_id)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
    ),
    read=Access(("billing", "procurement", "production")),
    write=Access(("billing", "procurement", "production")),
    ops=ALL_OPS,
    parents=("transaction",),
)

TAXES = Entity(
    name="taxes",
    singular="tax",
    area="sales",
    doc="The taxes of inventory documents: tax1 VAT 4.5 %, tax2 Sales 10 % and tax3 "
    "Service 12.5 % out of the box (webservice: Tax).",
    fields=(
        Id("Tax ID"),
        Enum("active", NO_YES, "Offered on new documents", nullable=False, default=1),
        Json("compoundon", "JSON-encoded names of the taxes a COMPOUND tax is computed on "
             '(array, e.g. ["tax1"])'),
        Created(),
        Text("label", "Label shown to people (VAT, Sales, ...)"),
        Enum(
            "method",
            {0: "SIMPLE", 1: "COMPOUND", 2: "DEDUCTED"},
            "Method (0=SIMPLE, 1=COMPOUND, 2=DEDUCTED: subtracted, group tax mode only)",
            nullable=False,
            default=0,
        ),
        Modified(),
        Text("name", "Name used on line items: tax1, tax2, tax3", min_length=1, default=None,
             unique=True),
        Number("percentage", "Default rate in percent", nullable=False, default=0,
               minimum=0),
    ),
    read=Access(("billing", "procurement", "production")),
    write=Access(admin_only=True),
    ops=ALL_OPS,
)

ENTITIES: tuple[Entity, ...] = (
    TRANSACTIONS,
    LINEITEMS,
    TAXES,
    CONTRACTS,
    COUPONS,
    COUPONCODES,
)
